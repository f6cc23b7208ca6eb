"""`add`: articles are stored in the corpus with their metadata; the same text is never added twice."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from pipeline.add import AddError, add_articles
from pipeline.corpus import read_corpus
from tests.conftest import REPO


def test_add_single_file_with_metadata_round_trips(tmp_path, write):
    source = write("in/brand.txt", "De brand aan de Oudegracht is geblust.")
    corpus = tmp_path / "corpus"
    report = add_articles([source], corpus, published="2025-11-03", title="Brand geblust", source="AD")
    assert report.added == (corpus / "brand.txt",) and report.refused == ()
    (doc,) = read_corpus(corpus)
    assert (doc.doc_id, doc.title, doc.published, doc.source, doc.body) == (
        "brand", "Brand geblust", "2025-11-03", "AD", "De brand aan de Oudegracht is geblust.")


def test_adding_the_same_text_twice_is_refused(tmp_path, write):
    first = write("in/a.txt", "De gemeenteraad van Gent stemde in.")
    copy = write("in/b.txt", "De gemeenteraad  van Gent\nstemde in.")
    corpus = tmp_path / "corpus"
    add_articles([first], corpus)
    report = add_articles([copy], corpus)
    assert report.added == ()
    assert report.refused == ((str(copy), "same text as a.txt already in the corpus; not added again"),)


def test_bulk_add_from_jsonl_and_folder_keeps_metadata_and_refuses_duplicates(tmp_path, write):
    items = write("in/items.jsonl", '{"id": "pb-1", "title": "Fietsbrug", "published": "2025-04-12", "text": "De brug opent."}\n'
                                    '{"id": "pb-2", "text": "De brug opent."}\n{"id": "pb-3", "text": ""}\n')
    folder = write("map/x.md", "Rabobank sluit een kantoor.").parent
    corpus = tmp_path / "corpus"
    report = add_articles([items, folder], corpus)
    assert [p.name for p in report.added] == ["pb-1.txt", "x.txt"]
    assert [reason for _, reason in report.refused] == [
        "same text as pb-1.txt already in the corpus; not added again", "empty article: the file has no text"]
    docs = {d.doc_id: d for d in read_corpus(corpus)}
    assert (docs["pb-1"].title, docs["pb-1"].published) == ("Fietsbrug", "2025-04-12")


def test_jsonl_item_with_outlet_and_source_keeps_both_in_the_corpus(tmp_path, write):
    items = write("in/bench.jsonl", '{"id": "b-1", "source": "verzameling/nieuws", "outlet": "NOS", "lang": "nl", '
                                    '"text": "Het kabinet presenteert dinsdag de plannen."}\n')
    add_articles([items], tmp_path / "corpus")
    (doc,) = read_corpus(tmp_path / "corpus")
    assert (doc.source, dict(doc.metadata)) == ("NOS", {"lang": "nl", "source": "verzameling/nieuws"})


def test_name_collision_gets_a_new_file_name(tmp_path, write):
    corpus = tmp_path / "corpus"
    add_articles([write("a/nieuws.txt", "Eerste tekst.")], corpus)
    report = add_articles([write("b/nieuws.txt", "Tweede tekst.")], corpus)
    assert [p.name for p in report.added] == ["nieuws-2.txt"]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"published": "morgen"}, "--date 'morgen' is not a date: use YYYY-MM-DD"),
     ({"files": ["ontbreekt.txt"]}, "ontbreekt.txt does not exist: pass an article file, a folder or a .jsonl file")],
    ids=["bad-date", "missing-file"],
)
def test_bad_requests_are_clear_errors(tmp_path, write, kwargs, message):
    files = [tmp_path / f for f in kwargs.pop("files", [])] or [write("a.txt", "Tekst.")]
    with pytest.raises(AddError, match=message):
        add_articles(files, tmp_path / "corpus", **kwargs)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_add_takes_names_and_titles_with_spaces_quotes_and_accents(tmp_path, write):
    """`make add` passes FILE, TITLE, ... through the environment, so the shell never splits or unquotes them."""
    article = write("in/mijn artikel over Liège \"nieuw\".txt", "De Lijn rijdt vanaf maandag vaker naar Gent.")
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".installed").touch()  # newer than pyproject.toml: make does not rebuild a venv here
    title = "Trams in 't Gent: \"sneller\""
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "add", f"PY={sys.executable}", f"VENV={venv}",
         f"FILE={article}", f"CORPUS={tmp_path / 'corpus'}", f"TITLE={title}", "DATE=2025-06-12", "SOURCE=Het Belang van Limburg"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (doc,) = read_corpus(tmp_path / "corpus")
    assert (doc.doc_id, doc.title, doc.published, doc.source) == (
        "mijn-artikel-over-liege-nieuw", title, "2025-06-12", "Het Belang van Limburg")
