"""A live Wengu on a loopback port and a real Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import require

ARTIFACTS = Path(os.environ.get("WENGU_TEST_ARTIFACTS", "test-artifacts"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Where a browser test keeps its screenshots: test-artifacts/<test name>/."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def axe() -> Callable[[object], list[str]]:
    """Runs axe-core in a page; returns its serious and critical violations, a line each."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        Axe = None  # noqa: N806
    require(Axe is not None, "axe-playwright-python is not installed (requirements-dev.txt)")

    def serious(page: object) -> list[str]:
        results = Axe().run(page)
        return [
            f"{violation['id']} ({violation['impact']}): "
            + "; ".join(node["target"][0] for node in violation["nodes"][:5])
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]

    return serious
