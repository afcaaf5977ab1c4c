"""One version number, in pyproject.toml, the app and the changelog a host reads."""

from __future__ import annotations

import re
import tomllib

from config import PROJECT_ROOT, VERSION


def test_the_version_is_the_same_everywhere_and_has_a_changelog_entry() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == VERSION
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    changelog = (PROJECT_ROOT / "CHANGELOG.md").read_text()
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert versions[0] == VERSION, "the newest entry is this version"
    entry = changelog.split(f"## [{VERSION}]")[1].split("\n## [")[0]
    assert "### Migrations" in entry and "### Upgrading" in entry
