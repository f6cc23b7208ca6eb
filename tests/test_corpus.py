"""Corpus reader: formats, metadata, encodings and every kind of bad input become Documents."""
from __future__ import annotations

import gzip
import importlib
import json
from dataclasses import replace

import pytest

from pipeline.corpus import (CorpusError, content_hash, decode_bytes, decode_text_file, normalise_published,
                             printable_path, read_corpus, read_records, scan_corpus)
from pipeline.records import Status

corpus_module = importlib.import_module("pipeline.corpus")


def documents(path):
    return {d.doc_id: d for d in read_corpus(path)}


def test_folder_is_read_recursively_in_stable_order(tmp_path, write):
    write("b.txt", "Tweede artikel over Gent.")
    write("sub/a.md", "Eerste artikel over Utrecht.")
    write(".verborgen/c.txt", "Wordt niet gelezen.")
    write("aliases.csv", "alias,canonical,label\n")
    assert [d.doc_id for d in read_corpus(tmp_path)] == ["b", "sub/a"]


def test_front_matter_fields_and_other_keys_as_metadata(tmp_path, write):
    write("x.txt", "---\ntitle: \"Brand: Oudegracht\"\npublished: 2025-11-03\nsource: AD\nurl: https://a.invalid/1\nauteur: Jan\n---\n\nDe brand is geblust.\n")
    (doc,) = read_corpus(tmp_path)
    assert (doc.title, doc.published, doc.source, doc.url) == ("Brand: Oudegracht", "2025-11-03", "AD", "https://a.invalid/1")
    assert doc.metadata == (("auteur", "Jan"),)
    assert doc.body == "De brand is geblust."
    assert doc.problem is None


@pytest.mark.parametrize(
    "text, published, body_start",
    [
        ("date 2025-06 Onderzoekscentrum imec tekent in Tokio.", "2025-06", "Onderzoekscentrum"),
        (" date 2025-06-12 De Lijn past de dienstregeling aan.", "2025-06-12", "De Lijn"),
        ("date 2025-06\nDe haven groeit.", "2025-06", "De haven"),
        ("Dat zei hij op date night.", "", "Dat zei"),
    ],
    ids=["month-marker", "day-marker-after-space", "marker-on-own-line", "no-marker-mid-text"],
)
def test_bare_leading_date_marker(tmp_path, write, text, published, body_start):
    write("a.txt", text)
    (doc,) = read_corpus(tmp_path)
    assert doc.published == published
    assert doc.body.startswith(body_start)


@pytest.mark.parametrize(
    "value, expected",
    [("2025-06-12", "2025-06-12"), ("2025-06", "2025-06"), ("2025-06-12T08:30:00Z", "2025-06-12"),
     ("12-06-2025", "2025-06-12"), ("3/6/2025", "2025-06-03"), ("2025-13-01", ""), ("gisteren", ""), ("31-02-2025", ""),
     ("9999-12-31", ""), ("0001-01-01", ""), ("1618-06-14", "1618-06-14"), ("2199-12-31", "2199-12-31")],
    ids=["iso-day", "iso-month", "iso-datetime", "dutch-dashes", "dutch-slashes", "month-13", "word", "feb-31",
         "placeholder-9999", "placeholder-0001", "first-dutch-newspaper", "last-year-in-window"],
)
def test_normalise_published(value, expected):
    assert normalise_published(value) == expected


def test_jsonl_uses_id_field_and_keeps_text_exact(tmp_path, write):
    lines = [
        {"id": "pb-1", "title": "Fietsbrug", "published": "2025-04-12", "source": "Stad Gent", "text": "  De brug opent zaterdag.\n", "extra": 1},
        {"text": "Zonder id."},
    ]
    write("items.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n")
    docs = documents(tmp_path)
    assert docs["pb-1"].body == "  De brug opent zaterdag.\n"
    assert docs["pb-1"].source_path == "items.jsonl:1"
    without_id = content_hash("Zonder id.")[:16]
    assert docs[without_id].source_path == "items.jsonl:2"


def test_jsonl_ids_do_not_depend_on_the_file_name_or_line(tmp_path, write):
    lines = [{"text": "De Vlaamse regering keurt het budget goed."}, {"id": 7, "text": "Het Rijksmuseum opent een nieuwe vleugel."}]
    write("oud/alles.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n")
    write("nieuw/deel-2.jsonl", "\n\n" + json.dumps(lines[1]) + "\n" + json.dumps(lines[0]) + "\n")
    before, after = documents(tmp_path / "oud"), documents(tmp_path / "nieuw")
    assert sorted(before) == sorted(after) == sorted([content_hash(lines[0]["text"])[:16], "7"])


@pytest.mark.parametrize(
    "fields, source, metadata",
    [
        ({"source": "De Tijd"}, "De Tijd", {}),
        ({"outlet": "NOS", "source": "wijnandb/leestmeer"}, "NOS", {"source": "wijnandb/leestmeer"}),
        ({"publisher": "Mediahuis", "source": "De Standaard"}, "De Standaard", {"publisher": "Mediahuis"}),
        ({"publisher": "DPG Media"}, "DPG Media", {}),
        ({"outlet": "", "source": "Trouw"}, "Trouw", {}),
        ({"lang": "nl", "license": None, "tags": ["politiek", "Gent"], "pagina": 3}, "",
         {"lang": "nl", "tags": '["politiek", "Gent"]', "pagina": "3"}),
    ],
    ids=["source-only", "outlet-beats-collection-name", "source-beats-publisher", "publisher-only",
         "empty-outlet-ignored", "unknown-fields-kept-null-left-out"],
)
def test_jsonl_source_fields_and_unknown_fields_kept_as_metadata(tmp_path, write, fields, source, metadata):
    write("items.jsonl", json.dumps({"id": "a", "text": "Het college van Gent vergadert.", **fields}) + "\n")
    (doc,) = read_corpus(tmp_path)
    assert (doc.source, dict(doc.metadata)) == (source, metadata)


def test_front_matter_outlet_fills_source_and_keeps_the_rest(tmp_path, write):
    write("x.txt", "---\noutlet: Het Nieuwsblad\nsource: archief-2025\n---\nDe markt in Brugge is verplaatst.\n")
    (doc,) = read_corpus(tmp_path)
    assert (doc.source, doc.metadata) == ("Het Nieuwsblad", (("source", "archief-2025"),))


def test_in_memory_records_read_like_jsonl_lines(tmp_path, write):
    records = [{"id": "a", "outlet": "AD", "text": "Rotterdam krijgt een nieuwe brug.", "rubriek": "regio"},
               {"text": "Zonder id."}, {"text": None}, {"id": "a", "text": "Nog een a."}]
    write("items.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    from_file, in_memory = list(read_corpus(tmp_path)), list(read_records(records))
    assert [d.source_path for d in in_memory] == ["texts[0]", "texts[1]", "texts[2]", "texts[3]"]
    readable = [0, 1, 3]  # item 2 has no text: its id is where it is
    # a repeated id gets a key derived from where the article is (a@items.jsonl:4, a@texts[3])
    assert [replace(from_file[i], doc_id=from_file[i].doc_id.split("@")[0], source_path="", problem=None) for i in readable] == \
        [replace(in_memory[i], doc_id=in_memory[i].doc_id.split("@")[0], source_path="", problem=None) for i in readable]
    assert in_memory[2].problem == 'texts[2] has no "text" string: add the article text as "text"'
    assert (in_memory[3].doc_id, in_memory[3].problem) == \
        ("a@texts[3]", "duplicate id 'a': first used by texts[0]: give each article its own id")


def test_gzipped_jsonl_is_read(tmp_path):
    with gzip.open(tmp_path / "a.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "z1", "text": "Tekst uit een archief."}) + "\n")
    assert list(documents(tmp_path)) == ["z1"]


def test_malformed_jsonl_line_is_reported_with_file_and_line_and_others_kept(tmp_path, write):
    write("items.jsonl", '{"id": "a", "text": "Goed."}\n{"id": "b", "text": \n[1, 2]\n{"id": "d"}\n{"id": "e", "text": "Ook goed."}\n')
    docs = documents(tmp_path)
    assert docs["a"].problem is None and docs["e"].problem is None
    assert docs["items.jsonl:2"].problem.startswith("items.jsonl line 2 is not valid JSON")
    assert docs["items.jsonl:3"].problem.startswith("items.jsonl line 3 is not a JSON object")
    assert docs["d"].problem == 'items.jsonl line 4 has no "text" string: add the article text as "text"'
    assert all(docs[k].problem_status is Status.ERROR for k in ("items.jsonl:2", "items.jsonl:3", "d"))


@pytest.mark.parametrize(
    "name, content, status, reason",
    [
        ("leeg.txt", "", Status.SKIPPED, "empty article: the file has no text"),
        ("spaties.txt", "  \n\t \n", Status.SKIPPED, "empty article: the file has no text"),
        ("alleen-kop.txt", "---\ntitle: \n---\n", Status.SKIPPED, "empty article: the file has no text"),
        ("foto.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", Status.ERROR, "binary file, not text: save the article as UTF-8 text"),
        ("scan.pdf", b"%PDF-1.4", Status.SKIPPED, "unsupported file type '.pdf': save articles as .txt, .md or .jsonl"),
        ("open.txt", "---\ntitle: Nooit gesloten\nDe tekst.", Status.ERROR,
         "front matter opened on line 1 is never closed: add a line '---' after the metadata"),
        ("kapot.txt", "---\ntitle: Goed\ndit is geen sleutel\n---\nTekst.", Status.ERROR,
         "malformed front matter on line 3: expected 'key: value', got 'dit is geen sleutel'"),
    ],
    ids=["empty", "whitespace-only", "front-matter-only", "binary", "unknown-extension", "unclosed-front-matter", "bad-front-matter-line"],
)
def test_bad_files_become_documents_with_a_reason(tmp_path, write, name, content, status, reason):
    write(name, content)
    (doc,) = read_corpus(tmp_path)
    assert (doc.problem_status, doc.problem) == (status, reason)


def test_malformed_date_keeps_the_article_with_a_warning(tmp_path, write):
    write("a.txt", "---\npublished: gisteren\n---\nDe raad vergaderde.")
    (doc,) = read_corpus(tmp_path)
    assert doc.problem is None and doc.published == ""
    assert doc.warnings == ("a.txt: published date 'gisteren' is not a date; use YYYY-MM-DD (relative dates stay unresolved)",)


@pytest.mark.parametrize(
    "raw, text, encoding",
    [
        ("Café in Liège".encode("utf-8"), "Café in Liège", "utf-8"),
        ("Café in Liège".encode("cp1252"), "Café in Liège", "cp1252"),
        (b"\xef\xbb\xbfDe krant", "De krant", "utf-8-sig"),
        ("Ruimte ‘quotes’".encode("cp1252"), "Ruimte ‘quotes’", "cp1252"),
        (b"\x81\x8d\x8f", "\x81\x8d\x8f", "latin-1"),
    ],
    ids=["utf8", "cp1252-fallback", "utf8-bom", "cp1252-curly-quotes", "latin1-last-resort"],
)
def test_decoding_with_fallback_records_the_encoding(raw, text, encoding):
    assert decode_bytes(raw) == (text, encoding)


def test_non_utf8_file_is_read_and_its_encoding_recorded(tmp_path, write):
    write("oud.txt", "De burgemeester van Liège sprak in het café.".encode("cp1252"))
    (doc,) = read_corpus(tmp_path)
    assert doc.body == "De burgemeester van Liège sprak in het café." and doc.encoding == "cp1252"


def test_duplicate_ids_are_errors_naming_the_first_user_under_a_key_of_their_own(tmp_path, write):
    write("a.jsonl", '{"id": "x", "text": "Een."}\n{"id": "x", "text": "Twee."}\n{"id": "x@a.jsonl:2", "text": "Drie."}\n')
    first, second, third = read_corpus(tmp_path)
    assert (first.doc_id, first.problem) == ("x", None)
    assert (second.doc_id, second.problem) == ("x@a.jsonl:2", "duplicate id 'x': first used by a.jsonl:1: give each article its own id")
    assert third.doc_id == "x@a.jsonl:2@a.jsonl:3" and third.problem.startswith("duplicate id 'x@a.jsonl:2': first used by a.jsonl:2")


def test_missing_corpus_path_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist: pass a folder of articles or a .jsonl file"):
        list(read_corpus(tmp_path / "nergens"))


@pytest.mark.parametrize(
    "a, b", [("De  brand\nis geblust.", "De brand is geblust."), ("Cafe\u0301", "Café")],
    ids=["whitespace", "unicode-composition"],
)
def test_content_hash_ignores_layout_differences(a, b):
    assert content_hash(a) == content_hash(b)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Het college van Gent".encode("utf-16-le"), ("Het college van Gent", "utf-16-le")),
        ("Het college van Gent".encode("utf-16-be"), ("Het college van Gent", "utf-16-be")),
        ("Straße in Liège".encode("utf-16"), ("Straße in Liège", "utf-16")),
        (bytes(range(1, 32)) * 20, None),
        (b"GIF89a\x01\x00\x01\x00\x00", None),
        ("De raad\x0cvergadert.".encode(), ("De raad\x0cvergadert.", "utf-8")),
    ],
    ids=["utf16-le-without-bom", "utf16-be-without-bom", "utf16-with-bom", "control-characters", "gif", "form-feed-is-text"],
)
def test_decode_text_file_tells_text_from_binary(raw, expected):
    assert decode_text_file(raw) == expected


def test_placeholder_publication_date_is_kept_as_metadata_with_a_warning(tmp_path, write):
    write("a.txt", "---\npublished: 9999-12-31\n---\nDe raad vergadert morgen.")
    (doc,) = read_corpus(tmp_path)
    assert (doc.published, doc.reference_date, doc.metadata) == ("", None, (("published", "9999-12-31"),))
    assert doc.warnings == ("a.txt: published date '9999-12-31' is outside the years 1600-2199 (a placeholder for an unknown "
                            "date?): kept as text in metadata, not used as a date; relative dates stay unresolved",)


def test_nul_and_lone_surrogates_are_replaced_one_for_one(tmp_path, write):
    write("a.jsonl", '{"id": "x", "title": "Kop\\u0000", "text": "Gent \\ud83d en Brugge."}\n')
    (doc,) = read_corpus(tmp_path)
    assert (doc.title, doc.body) == ("Kop\ufffd", "Gent \ufffd en Brugge.")
    assert doc.warnings[0].startswith("a.jsonl line 1: 2 invalid character(s)")


def test_symlinked_folder_is_followed_and_a_loop_reported_once(tmp_path, write):
    write("elders/stuk.txt", "Een artikel over Gent.")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "map").symlink_to(tmp_path / "elders")
    (tmp_path / "corpus" / "lus").symlink_to(tmp_path / "corpus")
    docs = documents(tmp_path / "corpus")
    assert list(docs) == ["lus", "map/stuk"]
    assert docs["lus"].problem.startswith("symbolic link loop: folder lus/ leads back to")


@pytest.mark.parametrize("name, shown", [("gewoon/naam.txt", "gewoon/naam.txt"), ("caf\udce9.txt", "caf\\xe9.txt")],
                         ids=["utf8", "latin1-bytes"])
def test_printable_path_escapes_bytes_that_are_not_utf8(name, shown):
    assert printable_path(name) == shown


def test_an_unexpected_error_while_reading_one_file_becomes_its_row(tmp_path, write, monkeypatch):
    write("a.txt", "Goed artikel.")
    write("b.txt", "Kapot artikel.")
    real = corpus_module.parse_article_text

    def failing_on_b(text, **kwargs):
        if kwargs["doc_id"] == "b":
            raise MemoryError("te groot")
        return real(text, **kwargs)

    monkeypatch.setattr(corpus_module, "parse_article_text", failing_on_b)
    docs = documents(tmp_path)
    assert docs["a"].problem is None
    assert docs["b"].problem == "read stage failed on b.txt: MemoryError: te groot: the file was left out; please report it with the file"


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_known_jsonl_lines_are_neither_decoded_nor_parsed_and_an_edited_one_is(tmp_path, encoding, monkeypatch):
    """A .jsonl line is recognised by its raw bytes (UTF-16 files, decoded whole, by their text): only
    the line edited since is decoded and parsed again, and the others keep their keys."""
    lines = ['{"id": "a", "text": "Café De Kroon in Gent."}', '{"id": "b", "text": "Het Vlaams Parlement stemde."}',
             '{"id": "c", "text": "Geen nieuws uit Brugge."}']
    path = tmp_path / "nieuws.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    first = {source.doc_id: source.key for source in scan_corpus(tmp_path)}
    assert sorted(first) == ["a", "b", "c"] and None not in first.values()
    path.write_bytes(("\n".join(lines) + "\n").replace("Brugge", "Brügge").encode(encoding))
    decoded = []
    real_decode = corpus_module.decode_bytes
    monkeypatch.setattr(corpus_module, "decode_bytes", lambda raw: decoded.append(raw) or real_decode(raw))
    again = list(scan_corpus(tmp_path, {key: doc_id for doc_id, key in first.items()}))
    assert [(s.doc_id, s.document is None) for s in again] == [("a", True), ("b", True), ("c", False)]
    assert [s.key == first[s.doc_id] for s in again] == [True, True, False]
    assert again[2].document.body == "Geen nieuws uit Brügge."
    assert again[0].parse().body == "Café De Kroon in Gent."  # parsed on demand
    if encoding != "utf-16":
        assert len(decoded) == 2  # the edited line when met, and line 1 when asked
