"""Command line: documented options, exit codes and the exact words of its errors."""
from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from pipeline.cli import EXIT_USAGE, build_parser, main
from tests.conftest import REPO


def run_cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *argv], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_extract_help_documents_every_option():
    result = run_cli("extract", "--help")
    assert result.returncode == 0
    for option in ("--out", "--model", "--languages", "--workers", "--batch-size", "--min-language-chars", "--aliases", "--no-progress"):
        assert option in result.stdout


def test_every_option_shows_its_default_and_the_exit_codes_are_documented():
    parser = build_parser()
    commands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    for name, command in commands.choices.items():
        for action in command._actions:
            if action.help and action.dest != "help" and not action.required:
                assert "default" in action.help, f"{name} {action.option_strings or action.dest}: help shows no default"
    assert "Exit codes: 0 done; 1 `add` refused every article; 2 bad option" in run_cli("--help").stdout


@pytest.mark.parametrize(
    "argv, message",
    [
        (["extract", "{tmp}/nergens"], "error: corpus path {tmp}/nergens does not exist: pass a folder of .txt/.md files or a .jsonl file (e.g. CORPUS=corpus/)\n"),
        (["extract", "{tmp}", "--languages", "Dutch"], "error: languages ['Dutch'] are not ISO 639-1 codes: use e.g. --languages nl or nl,en\n"),
        (["extract", "{tmp}", "--workers", "0"], "error: workers must be at least 1, got 0\n"),
        (["extract", "{tmp}", "--out", "{tmp}/bestand.txt"], "error: output path {tmp}/bestand.txt is a file: pass a folder for the tables (e.g. OUT=output/)\n"),
        (["extract", "{tmp}", "--out", "{tmp}/bestand.txt/out"], "error: cannot create the output folder {tmp}/bestand.txt/out: Not a directory: choose a folder you can write to with --out (or OUT=...)\n"),
        (["add", "{tmp}/ontbreekt.txt", "--corpus", "{tmp}/c"], "error: {tmp}/ontbreekt.txt does not exist: pass an article file, a folder or a .jsonl file\n"),
    ],
    ids=["missing-corpus", "bad-language", "zero-workers", "output-is-a-file", "output-below-a-file", "add-missing-file"],
)
def test_usage_errors_exit_2_with_what_and_how_to_fix(tmp_path, capsys, argv, message):
    (tmp_path / "bestand.txt").write_text("x")
    assert main([a.format(tmp=tmp_path) for a in argv]) == EXIT_USAGE
    assert capsys.readouterr().err == message.format(tmp=tmp_path)


def test_missing_model_is_reported_before_any_work(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("De Lijn rijdt naar Gent.")
    assert main(["extract", str(tmp_path), "--out", str(tmp_path / "out"), "--model", str(tmp_path / "geen-model")]) == EXIT_USAGE
    assert capsys.readouterr().err.startswith(f"error: NER model folder not found: {tmp_path / 'geen-model'}. Fix: build it with")


def test_extract_prints_a_one_line_summary(tmp_path, capsys, ruler_model):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("De Lijn rijdt sinds gisteren vaker naar Gent.", encoding="utf-8")
    argv = ["extract", str(tmp_path / "c"), "--out", str(tmp_path / "out"), "--model", str(ruler_model), "--no-progress", "--workers", "1"]
    assert main(argv) == 0
    assert capsys.readouterr().err.startswith("1 articles: 1 new, 0 changed, 0 unchanged, 0 deleted; 0 skipped, 0 errors; 8 words analysed")
    assert main(argv) == 0
    assert "already up to date in" in capsys.readouterr().err


def test_add_reports_added_and_refused(tmp_path, capsys):
    article = tmp_path / "brand.txt"
    article.write_text("De brand in Utrecht is geblust.", encoding="utf-8")
    assert main(["add", str(article), "--corpus", str(tmp_path / "c"), "--date", "2025-11-03"]) == 0
    assert main(["add", str(article), "--corpus", str(tmp_path / "c")]) == 1
    err = capsys.readouterr().err
    assert f"added {tmp_path / 'c' / 'brand.txt'}" in err
    assert f"refused {article}: same text as brand.txt already in the corpus; not added again" in err
