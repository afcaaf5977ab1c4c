"""``flask bank lint``: its output, ``--json``, ``--strict`` and exit codes, on every source."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from flask.testing import FlaskCliRunner

from config import PROJECT_ROOT

CLEAN = """
    id: clean
    title: Clean
    questions:
      - id: q1
        type: basic
        prompt: Which program creates the container's process?
        answer: runc
        explanation: containerd hands the bundle to runc.
"""
WARNED = """
    id: warned
    title: Warned
    questions:
      - id: q1
        type: basic
        prompt: Which program creates the container's process?
        answer: runc
      - id: q2
        type: truefalse
        prompt: The shim stays after runc exits.
        correct: true
        explanation: It keeps the container's streams open.
"""
LINTED = """
    id: linted
    title: Linted
    questions:
      - id: q1
        type: basic
        prompt: Which program creates the container's process?
        answer: runc
        lint:
          ignore: [no-explanation]
          why: The answer is its own reason.
"""


def test_a_clean_bank_prints_its_summary_and_exits_0(runner: FlaskCliRunner, write_bank) -> None:
    root = write_bank("clean", {"bank.yaml": CLEAN})
    result = runner.invoke(args=["bank", "lint", "--strict", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{root}: bank 'clean': 0 warnings",
        "  1 question: basic 1",
        "  recall share: 1 of 1 (100%)",
    ]


def test_warnings_are_printed_as_file_line_column_message_rule(
    runner: FlaskCliRunner, write_bank
) -> None:
    root = write_bank("warned", {"bank.yaml": WARNED})
    result = runner.invoke(args=["bank", "lint", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{root}/bank.yaml:1:1: 1 of 2 questions (50%) are recall (basic, reverse, cloze, "
        "typing, occlusion): at least 75% should be [recall-share]",
        f"{root}/bank.yaml:4:5: no explanation: say why the answer is right [no-explanation]",
        f"{root}: bank 'warned': 2 warnings (recall-share 1, no-explanation 1)",
        "  2 questions: basic 1, truefalse 1",
        "  recall share: 1 of 2 (50%)",
        "  true/false: 1 true, 0 false",
    ]


def test_strict_exits_1_on_any_warning(runner: FlaskCliRunner, write_bank) -> None:
    root = write_bank("warned", {"bank.yaml": WARNED})
    result = runner.invoke(args=["bank", "lint", "--strict", str(root)])
    assert result.exit_code == 1
    assert "[no-explanation]" in result.stdout


def test_json_is_one_document_with_each_bank(runner: FlaskCliRunner, write_bank) -> None:
    warned = write_bank("warned", {"bank.yaml": WARNED})
    clean = write_bank("clean", {"bank.yaml": CLEAN})
    result = runner.invoke(args=["bank", "lint", "--json", str(warned), str(clean)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [bank["id"] for bank in document] == ["warned", "clean"]
    assert document[0]["warnings"][1] == {
        "file": f"{warned}/bank.yaml",
        "line": 4,
        "column": 5,
        "message": "no explanation: say why the answer is right",
        "rule": "no-explanation",
    }
    summary = document[0]["summary"]
    assert summary["types"] == {"basic": 1, "truefalse": 1}
    assert (summary["recall"], summary["counted"], summary["recall_share"]) == (1, 2, 0.5)
    assert (summary["true"], summary["false"]) == (1, 0)
    assert document[1]["warnings"] == []


def test_json_with_strict_still_exits_1(runner: FlaskCliRunner, write_bank) -> None:
    root = write_bank("warned", {"bank.yaml": WARNED})
    result = runner.invoke(args=["bank", "lint", "--json", "--strict", str(root)])
    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["id"] == "warned"


def test_a_bank_that_does_not_load_prints_its_problems_and_exits_1(
    runner: FlaskCliRunner, write_bank
) -> None:
    root = write_bank("broken", {"bank.yaml": "id: broken\ntitle: B\nquestions:\n  - {id: b}\n"})
    result = runner.invoke(args=["bank", "lint", str(root)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{root}/bank.yaml:4:5: question 'b': missing required key 'type'"
    ]


BROKEN = "id: broken\ntitle: B\nquestions:\n  - {id: b}\n"


def test_a_bank_that_does_not_load_leaves_the_others_linted(
    runner: FlaskCliRunner, write_bank
) -> None:
    broken = write_bank("broken", {"bank.yaml": BROKEN})
    clean = write_bank("clean", {"bank.yaml": CLEAN})
    result = runner.invoke(args=["bank", "lint", str(broken), str(clean)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"{broken}/bank.yaml:4:5: question 'b': missing required key 'type'",
        f"{clean}: bank 'clean': 0 warnings",
    ]
    assert result.stderr == "1 problem.\n"


def test_json_puts_a_bank_that_does_not_load_as_its_errors(
    runner: FlaskCliRunner, write_bank
) -> None:
    broken = write_bank("broken", {"bank.yaml": BROKEN})
    clean = write_bank("clean", {"bank.yaml": CLEAN})
    result = runner.invoke(args=["bank", "lint", "--json", str(broken), str(clean)])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document[0] == {
        "source": str(broken),
        "errors": [
            {
                "file": f"{broken}/bank.yaml",
                "line": 4,
                "column": 5,
                "message": "question 'b': missing required key 'type'",
            }
        ],
    }
    assert document[1]["id"] == "clean" and document[1]["warnings"] == []


def test_a_yaml_file_and_a_zip_are_linted_too(
    runner: FlaskCliRunner, write_bank, tmp_path: Path
) -> None:
    root = write_bank("warned", {"bank.yaml": WARNED})
    archive = tmp_path / "warned.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(root / "bank.yaml", "bank.yaml")
    for path, file in [
        (archive, f"{archive}:bank.yaml"),
        (root / "bank.yaml", f"{root}/bank.yaml"),
    ]:
        result = runner.invoke(args=["bank", "lint", str(path)])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[1].startswith(f"{file}:4:5: no explanation")


def test_a_bank_with_lint_keys_checks_imports_and_lints_clean(
    runner: FlaskCliRunner, write_bank
) -> None:
    root = write_bank("linted", {"bank.yaml": LINTED})
    checked = runner.invoke(args=["bank", "check", str(root)])
    assert checked.exit_code == 0, checked.output
    linted = runner.invoke(args=["bank", "lint", "--strict", str(root)])
    assert linted.exit_code == 0, linted.output
    imported = runner.invoke(args=["bank", "import", str(root)])
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.splitlines() == ["linted: 1 added, 0 updated, 0 retired, 0 unchanged"]


def test_the_shipped_docker_bank_passes_strictly(runner: FlaskCliRunner) -> None:
    linted = runner.invoke(args=["bank", "lint", "--strict", str(PROJECT_ROOT / "quizzes/docker")])
    assert linted.exit_code == 0, linted.output
    assert "bank 'docker': 0 warnings" in linted.stdout
