"""State store: results survive between runs, are dropped when the pipeline changes, and lock the output."""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import replace

import pytest

from pipeline.entities import link_mentions
from pipeline.records import (Document, DocumentResult, Field, Label, LanguageGuess, Mention, Status, Timex,
                              TimexType)
from pipeline.state import (STATE_FORMAT, RunLockedError, StateStore, StateWriteError, acquire, decode_result,
                            document_revision, encode_result, output_lock)


def result(doc_id: str = "a", body: str = "Jetten sprak gisteren in Gent.") -> DocumentResult:
    document = Document(doc_id=doc_id, source_path=f"{doc_id}.txt", title="Titel", body=body, published="2025-06-12",
                        metadata=(("auteur", "An"),), warnings=("let op",))
    return DocumentResult(
        document=document, status=Status.OK, status_detail="",
        language=LanguageGuess("nl", 0.99, (("nl", 1.0),), ((0, len(body), "nl"),)),
        n_chars=len(body) + 5, n_words=6,
        mentions=(Mention(Field.BODY, 0, 6, "Jetten", Label.PER, 0), Mention(Field.BODY, 25, 29, "Gent", Label.LOC, 0)),
        timexes=(Timex(Field.BODY, 13, 22, "gisteren", TimexType.DATE, "2025-06-11", dt.date(2025, 6, 11), dt.date(2025, 6, 11), "day"),),
    )


def linked(original: DocumentResult) -> DocumentResult:
    return replace(original, linked=link_mentions(original.mentions))


@pytest.mark.parametrize("make", [result, lambda: linked(result())], ids=["unlinked", "linked"])
def test_codec_round_trip_keeps_everything_but_the_body(make):
    original = make()
    decoded = decode_result(encode_result(original), original.document.source_path)
    assert decoded == replace(original, document=replace(original.document, body=""))


def test_state_keeps_no_article_body(tmp_path):
    body = "Burgemeester Mathias De Clercq opende gisteren de nieuwe tramlijn in Gent."
    store = StateStore(tmp_path, "fp1")
    store.save([linked(result(body=body))])
    store.close()
    assert body.encode() not in (tmp_path / ".pipeline" / "state.sqlite").read_bytes()


def test_mention_groups_are_stored_and_replaced_with_their_article(tmp_path):
    store = StateStore(tmp_path, "fp1")
    twice = result("b")
    twice = replace(twice, mentions=twice.mentions + (replace(twice.mentions[1], start=35, end=39),))
    store.save([linked(result("a")), linked(twice)])
    assert sorted((g[0], g[3], g[4], g[6]) for g in store.groups()) == [
        ("a", "LOC", "Gent", 1), ("a", "PER", "Jetten", 1), ("b", "LOC", "Gent", 2), ("b", "PER", "Jetten", 1)]
    only_jetten = result("b")
    store.save([linked(replace(only_jetten, mentions=only_jetten.mentions[:1]))])
    store.delete(["a"])
    assert [(g[0], g[5]) for g in store.groups()] == [("b", "jetten")]


def test_older_state_format_is_rebuilt_with_a_notice(tmp_path):
    (tmp_path / ".pipeline").mkdir()
    old = sqlite3.connect(tmp_path / ".pipeline" / "state.sqlite")
    old.executescript("CREATE TABLE results (doc_id TEXT PRIMARY KEY, revision TEXT NOT NULL, payload TEXT NOT NULL);"
                      "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                      "INSERT INTO meta VALUES ('pipeline', 'fp1'); INSERT INTO results VALUES ('a', 'r', '{}');")
    old.commit()
    old.close()
    store = StateStore(tmp_path, "fp1")
    assert store.revisions() == {} and store.get_meta("format") == STATE_FORMAT
    (notice,) = store.notices
    assert notice.endswith(f"was written by an older version of the pipeline (it kept every article body); it is "
                           f"rebuilt in format {STATE_FORMAT} and every article is analysed again")
    store.close()
    assert StateStore(tmp_path, "fp1").notices == []


def test_results_in_chunks_allow_rewriting_links_between_chunks(tmp_path):
    store = StateStore(tmp_path, "fp1")
    store.save([result(doc_id) for doc_id in "cab"])
    seen = []
    for chunk in store.results_in_chunks(size=2):
        seen.append([r.document.doc_id for r in chunk])
        store.replace_links([linked(r) for r in chunk])
    assert seen == [["a", "b"], ["c"]]
    assert store.revisions()["a"] == document_revision(result("a").document)  # a relink is no new revision
    assert all(r.linked for r in store.results())


def test_results_persist_between_store_instances(tmp_path):
    store = StateStore(tmp_path, "fp1")
    store.save([result("b"), result("a")])
    store.close()
    again = StateStore(tmp_path, "fp1")
    assert [r.document.doc_id for r in again.results()] == ["a", "b"]
    assert again.revisions()["a"] == document_revision(result("a").document)


def test_changed_pipeline_fingerprint_drops_cached_results(tmp_path):
    store = StateStore(tmp_path, "model-1")
    store.save([result()])
    store.set_meta("manifest", "x")
    store.close()
    fresh = StateStore(tmp_path, "model-2")
    assert list(fresh.results()) == [] and fresh.get_meta("manifest") is None


def test_revision_changes_with_title_or_text_but_not_otherwise():
    base = result().document
    assert document_revision(base) == document_revision(result().document)
    assert document_revision(base) != document_revision(result(body="Andere tekst.").document)


@pytest.mark.parametrize("change", [
    {"published": "2025-06-13"}, {"source": "De Tijd"}, {"url": "https://example.invalid/x"},
    {"metadata": (("auteur", "Bo"),)}, {"warnings": ()}, {"problem": "binair bestand"}, {"encoding": "cp1252"},
], ids=["published", "source", "url", "metadata", "warnings", "problem", "encoding"])
def test_revision_sees_every_field_the_stages_read(change):
    base = result().document
    assert document_revision(replace(base, **change)) != document_revision(base)


def test_revision_ignores_where_the_article_is_stored():
    base = result().document
    assert document_revision(base) == document_revision(replace(base, source_path="elders/nieuws.jsonl:7"))


def test_second_run_on_same_output_stops_with_clear_message(tmp_path):
    first = output_lock(tmp_path)
    acquire(first, tmp_path)
    try:
        with pytest.raises(RunLockedError, match="another extraction is writing to .*: wait for it to finish, or pass another output folder with --out"):
            acquire(output_lock(tmp_path), tmp_path)
    finally:
        first.release()


@pytest.mark.parametrize("damage", [b"SQLite format 3\x00 maar daarna onzin" * 50, b"\x00" * 4096], ids=["garbage", "zeros"])
def test_damaged_database_is_moved_aside_with_a_notice(tmp_path, damage):
    (tmp_path / ".pipeline").mkdir()
    (tmp_path / ".pipeline" / "state.sqlite").write_bytes(damage)
    store = StateStore(tmp_path, "fp1")
    store.save([result()])
    assert [r.document.doc_id for r in store.results()] == ["a"]
    (aside,) = (tmp_path / ".pipeline").glob("state.sqlite.corrupt-*")
    assert aside.read_bytes() == damage
    (notice,) = store.notices
    assert notice.startswith(f"the state database {tmp_path}/.pipeline/state.sqlite was damaged (")
    assert notice.endswith(f"moved aside to {aside.name} and every article is analysed again; delete that file when this run has finished")


def test_full_disk_is_a_state_write_error_that_says_what_to_free(tmp_path):
    store = StateStore(tmp_path, "fp1")
    pages = store._connection.execute("PRAGMA page_count").fetchone()[0]
    store._connection.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StateWriteError, match=r"is full \(database or disk is full\): the articles analysed so far are saved; "
                                              r"free some disk space"):
        store.save([replace(result(), status_detail="Een lange waarschuwing. " * 2000)])  # bodies are not stored
    assert list(store.results()) == []


STATE_NAMES = [("Bart De Wever", Label.PER), ("Anuna De Wever", Label.PER), ("De Wever", Label.PER), ("N-VA", Label.ORG),
               ("Sigrid Kaag", Label.PER), ("Kaag", Label.PER), ("Kaag", Label.LOC), ("Antwerpen", Label.LOC),
               ("ANTWERPEN", Label.ORG), ("Rutte", Label.PER), ("Mark Rutte", Label.PER), ("Den Haag", Label.LOC)]


def random_result(rng, doc_id: str) -> DocumentResult:
    """An article naming a few random names, its mentions linked within the article."""
    names = rng.sample(STATE_NAMES, rng.randint(1, 5))
    body = " en ".join(name for name, _ in names) + " spraken."
    mentions, cursor = [], 0
    for name, label in names:
        start = body.index(name, cursor)
        mentions.append(Mention(Field.BODY, start, start + len(name), name, label, 0))
        cursor = start + len(name)
    return linked(replace(result(doc_id, body), mentions=tuple(mentions), timexes=()))


@pytest.mark.parametrize("seed", range(3))
def test_stored_cross_article_decisions_stay_those_of_deciding_everything(tmp_path, seed):
    """Saves, edits and deletes through the store, the rows rendered or not (a run killed before
    rendering): after each step the links and the stored decisions equal those of a full decision."""
    import random

    from pipeline.entities import cross_article_links, decide_links
    from pipeline.entities.across import Articles, collect_entities
    from pipeline.entities.places import default_place_resolver

    rng = random.Random(seed)
    store = StateStore(tmp_path, "fp1")
    store.save([random_result(rng, f"d{i:02}") for i in range(40)])
    stored, kept = [f"d{i:02}" for i in range(40)], 0
    for step in range(25):
        action = rng.choice(["save", "save", "delete"]) if len(stored) > 1 else "save"
        if action == "save":
            doc_id = rng.choice(stored + [f"n{step}"])
            store.save([random_result(rng, doc_id)])
            stored = sorted(set(stored) | {doc_id})
        else:
            doc_id = stored.pop(rng.randrange(len(stored)))
            store.delete([doc_id])
        inputs = store.start_cross_step("places")
        links, decisions = decide_links(inputs.entities, inputs.articles, default_place_resolver, inputs.previous,
                                        inputs.changed)
        store.adopt_links(links, decisions, inputs.stored, "places")
        kept += inputs.previous is not None
        if rng.random() < 0.7:
            list(store.table_rows(lambda r: ("", "", "")))  # rendered: the articles are no longer changed
        entities, ids = collect_entities(store.groups())
        full_links, full = decide_links(entities, Articles.of(ids), default_place_resolver)
        assert links == full_links == cross_article_links(store.groups(), default_place_resolver), f"step {step}"
        now = store._stored_decisions()
        assert (now.first, {key: target for key, (target, _) in now.short_forms.items()}, now.candidates) == (
            full.first, full.second, {key: list(value) for key, value in full.candidates.items()})
        again = store.start_cross_step("places")
        fields = lambda e: (e.label, e.display, e.key, e.loose, e.names, e.mention_labels, e.surfaces)  # noqa: E731
        assert {key: fields(entity) for key, entity in again.entities.items()} == {
            key: fields(entity) for key, entity in entities.items()}
        assert {doc_id: set(again.articles.ids[doc_id]) for doc_id in ids} == {d: set(i) for d, i in ids.items()}
        assert {e: again.articles.documents[e] for e in entities} == Articles.of(ids).documents
    assert kept >= 20  # most steps kept decisions (the others had most articles changed)
    store.close()


def test_kept_cross_article_decisions_are_not_trusted_after_an_earlier_version_wrote_the_state(tmp_path):
    """An earlier version changes articles and renders them without keeping the cross_* tables, but
    empties `cross_moves` as it goes: the next step then decides everything again."""
    import random

    from pipeline.entities import decide_links
    from pipeline.entities.places import default_place_resolver

    rng = random.Random(5)
    store = StateStore(tmp_path, "fp1")
    store.save([random_result(rng, f"d{i:02}") for i in range(20)])
    for _ in range(2):
        inputs = store.start_cross_step("places")
        links, decisions = decide_links(inputs.entities, inputs.articles, default_place_resolver, inputs.previous,
                                        inputs.changed)
        store.adopt_links(links, decisions, inputs.stored, "places")
        list(store.table_rows(lambda r: ("", "", "")))
    assert store.start_cross_step("places").previous is not None
    assert store.start_cross_step("other places").previous is None
    store.save([random_result(rng, "d03")])
    list(store.table_rows(lambda r: ("", "", "")))  # rendered by the earlier version, which ...
    with store._connection:
        store._connection.execute("DELETE FROM cross_moves")  # ... rewrites the merges of its own run
    assert store.start_cross_step("places").previous is None
    store.close()


def _checks_made(monkeypatch) -> list[bool]:
    """Whether each StateStore opened since ran SQLite's integrity check."""
    made: list[bool] = []
    real_open = StateStore._open

    def recording_open(self, fingerprint, check):
        made.append(check)
        return real_open(self, fingerprint, check)

    monkeypatch.setattr(StateStore, "_open", recording_open)
    return made


@pytest.mark.parametrize("meddle, checked", [
    (lambda path: None, False),
    (lambda path: path.write_bytes(path.read_bytes()), True),  # the same bytes written again: new times
    (lambda path: os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns)), True),  # `touch -d` back
    (lambda path: path.with_name("state.sqlite.sealed").unlink(), True),  # a run killed after it opened the state
    (lambda path: path.with_name("state.sqlite-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\0" * 504),
     True),  # a hot journal: a transaction was cut off
], ids=["untouched", "rewritten", "touched-back", "unsealed", "journal-left"])
def test_integrity_check_only_when_the_state_is_not_as_a_clean_run_left_it(tmp_path, monkeypatch, meddle, checked):
    store = StateStore(tmp_path, "fp1")
    store.save([result()])
    store.close()
    checks = _checks_made(monkeypatch)
    meddle(tmp_path / ".pipeline" / "state.sqlite")
    again = StateStore(tmp_path, "fp1")
    assert not (tmp_path / ".pipeline" / "state.sqlite.sealed").exists()  # until this run closes cleanly
    assert [r.document.doc_id for r in again.results()] == ["a"]
    again.close()
    assert checks == [checked]
    StateStore(tmp_path, "fp1").close()
    assert checks == [checked, False]  # sealed again by the clean close
