"""The run configuration: paths as str or PathLike, languages as a set or a comma-separated string."""
from __future__ import annotations

import os
from pathlib import Path, PurePath

import pytest

from pipeline import Config, ConfigError, run


class FolderLike(os.PathLike):
    """Any os.PathLike, not a pathlib.Path."""

    def __init__(self, path: PurePath) -> None:
        self.path = path

    def __fspath__(self) -> str:
        return str(self.path)


@pytest.mark.parametrize("as_given", [str, FolderLike, Path], ids=["str", "pathlike", "path"])
def test_paths_may_be_str_or_pathlike_and_are_stored_as_path(tmp_path, as_given):
    (tmp_path / "aliases.csv").write_text("alias,canonical,label\n", encoding="utf-8")
    config = Config(corpus=as_given(tmp_path), out=as_given(tmp_path / "out"), model=as_given(tmp_path / "model"),
                    aliases=as_given(tmp_path / "aliases.csv"))
    assert (config.corpus, config.out, config.model, config.aliases) == (
        tmp_path, tmp_path / "out", tmp_path / "model", tmp_path / "aliases.csv")
    assert config.alias_file == tmp_path / "aliases.csv"


@pytest.mark.parametrize(
    "languages, expected",
    [("nl", {"nl"}), ("nl, en", {"nl", "en"}), (["nl", "fr"], {"nl", "fr"}), (frozenset({"de"}), {"de"})],
    ids=["one-code", "comma-separated", "list", "frozenset"],
)
def test_languages_as_string_or_collection(tmp_path, languages, expected):
    assert Config(corpus=tmp_path, out=tmp_path / "out", languages=languages).languages == frozenset(expected)


def test_missing_corpus_given_as_str_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match=f"corpus path {tmp_path / 'nergens'} does not exist"):
        Config(corpus=str(tmp_path / "nergens"), out=str(tmp_path / "out"))


def test_run_without_a_corpus_points_to_extract():
    with pytest.raises(ConfigError, match=r"for texts in memory use pipeline.extract\(texts\)"):
        run(Config(corpus=None, out=None))
