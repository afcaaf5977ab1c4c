"""Tests needing Chromium or PostgreSQL skip on a laptop without them, and fail in CI."""

from __future__ import annotations

import pytest

from tests.support import REQUIRE_ALL, require


def test_missing_dependency_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ALL, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        require(False, "no Chromium")


def test_missing_dependency_fails_when_all_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ALL, "1")
    with pytest.raises(pytest.fail.Exception, match="no Chromium"):
        require(False, "no Chromium")


def test_present_dependency_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ALL, "1")
    require(True, "never said")
