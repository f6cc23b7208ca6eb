"""The HTML report: what it computes from the tables, the page it writes, and the page in a real
headless Chromium (those tests are slow and skip where Chromium is absent; .ci/run installs it)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline import load_tables
from pipeline.cli import main
from pipeline.report import ReportError, build_report
from pipeline.report.summary import reason_kind, summarise
from tests.conftest import load_tool

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("detail, kind", [
    ("binary file, not text: save the article as UTF-8 text", "binary file, not text: save the article as UTF-8 text"),
    ("malformed front matter on line 3: expected 'key: value', got 'dit is geen sleutel'",
     "malformed front matter on line N: expected '…', got '…'"),
    ("nieuws.jsonl line 2 is not valid JSON (Invalid control character at at column 81): fix or remove the line",
     "line N is not valid JSON (Invalid control character at at column N): fix or remove the line"),
    ("language 'en' is not processed (processed: nl)", "language 'en' is not processed (processed: nl)"),
    ("unsupported file type '.pdf': save articles as .txt, .md or .jsonl",
     "unsupported file type '.pdf': save articles as .txt, .md or .jsonl"),
    ("zonder-datum.txt: published date 'volgende week' is not a date; use YYYY-MM-DD (relative dates stay unresolved)",
     "published date '…' is not a date; use YYYY-MM-DD (relative dates stay unresolved)"),
])
def test_reasons_of_different_articles_group_under_one_kind(detail, kind):
    assert reason_kind(detail) == kind


def test_summary_of_the_golden_tables_counts_what_the_tables_say():
    data = summarise(load_tables(GOLDEN))
    assert data.overview["articles"] == 11
    assert data.overview["statuses"] == {"ok": 5, "skipped": 3, "error": 3}
    assert data.overview["first_published"] == "2025-01-15" and data.overview["last_published"] == "2025-09-02"
    assert data.overview["undated"] == 7
    assert sum(row["articles"] for row in data.overview["reasons"]) == 7  # 6 skipped/failed + 1 warning
    assert [row["status"] for row in data.problems["rows"]] == ["error"] * 3 + ["skipped"] * 3
    organisations = data.top_entities["ORG"]
    assert organisations[0] == {"entity_id": "org-61af566e976d", "name": "KU Leuven", "articles": 1, "mentions": 2}
    assert {place["name"] for place in data.places if place["nl_be"]} >= {"Gent", "Eindhoven", "Luik"}


def _documents(dates: list[str]) -> list[dict]:
    return [{"doc_id": f"d{index:04d}", "published": date, "language": "nl", "status": "ok", "n_words": "10"}
            for index, date in enumerate(dates)]


def test_timeline_is_weekly_for_a_year_and_leaves_a_far_outlier_out(make_tables):
    dates = [f"2019-{month:02d}-{day:02d}" for month in range(1, 13) for day in range(1, 29)] + ["2004-05-01"]
    documents = _documents(dates)
    mentions = [{"doc_id": document["doc_id"], "field": "body", "start": "0", "end": "5", "text": "Jetten",
                 "label": "PER", "entity_id": "per-jetten", "sentence": "0"} for document in documents]
    entities = [{"entity_id": "per-jetten", "label": "PER", "name": "Rob Jetten", "n_mentions": str(len(mentions)),
                 "n_documents": str(len(documents))}]
    data = summarise(load_tables(make_tables(documents=documents, mentions=mentions, entities=entities)))
    timeline = data.timeline
    assert timeline["granularity"] == "week"
    assert timeline["periods"][0] == "2018-12-31" and timeline["periods"][-1] == "2019-12-23"
    assert timeline["outside"] == 1
    assert sum(count for _period, count in timeline["series"]["per-jetten"]) == len(dates) - 1


def test_timeline_is_monthly_over_several_years(make_tables):
    folder = make_tables(documents=_documents(["2015-03-02", "2019-11-20", "2021-06"]))
    timeline = summarise(load_tables(folder)).timeline
    assert timeline["granularity"] == "month"
    assert timeline["periods"][0] == "2015-03-01" and timeline["periods"][-1] == "2021-06-01"


def test_a_corpus_without_dates_gets_a_page_without_timeline(make_tables, tmp_path):
    page = build_report(make_tables(documents=_documents(["", ""])), tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No article has a publication date" in page
    assert 'data-chart="timeline-top"' not in page


def test_the_page_is_self_contained_and_forbids_network_requests(tmp_path):
    page = build_report(GOLDEN, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.DOTALL)  # the page's own elements
    assert markup.count("<script") == 0 and page.count("<script") == 2 + 4  # two data blocks, four scripts inline
    assert not re.search(r"\s(src|href)=", markup, re.IGNORECASE)
    assert len(page.encode("utf-8")) < 2_000_000


def test_same_tables_give_the_same_bytes(tmp_path):
    first = build_report(GOLDEN, tmp_path / "one.html").read_bytes()
    assert build_report(GOLDEN, tmp_path / "two.html").read_bytes() == first


def test_text_from_articles_cannot_break_out_of_the_page(make_tables, tmp_path):
    hostile = "</script><script>alert(1)</script>"
    documents = [{"doc_id": f"kapot/{hostile}", "source_path": "x.txt", "status": "error",
                  "status_detail": f"cannot read {hostile}"}]
    entities = [{"entity_id": "org-x", "label": "ORG", "name": hostile, "n_mentions": "1", "n_documents": "1"}]
    page = build_report(make_tables(documents=documents, entities=entities), tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("<script>alert(1)") == 0
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page
    specs = re.search(r'<script type="application/json" id="report-specs">(.*?)</script>', page, re.DOTALL).group(1)
    assert json.loads(specs)["top-ORG"]["data"]["values"][0]["name"] == hostile


def test_missing_tables_are_a_clear_error(tmp_path):
    with pytest.raises(ReportError, match=r"documents.csv is missing: run `make extract`"):
        build_report(tmp_path)


def test_cli_writes_report_html_beside_the_tables(make_tables, capsys):
    folder = make_tables(documents=_documents(["2025-06-12"]))
    assert main(["report", str(folder)]) == 0
    assert (folder / "report.html").is_file()
    assert "wrote" in capsys.readouterr().err


def test_cli_without_tables_exits_2_with_the_reason(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    assert "documents.csv is missing" in capsys.readouterr().err


@pytest.fixture(scope="module")
def browser_helper():
    pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: pip install -e '.[dev]'")
    helper = load_tool("report_browser")
    if helper.chromium_path() is None:
        pytest.skip("needs Chromium: apt-get install chromium (.ci/run installs it in CI)")
    return helper


CHARTS = {  # chart -> the kinds of marks it must have drawn
    "top-PER": ("bars",), "top-ORG": ("bars",), "top-LOC": ("bars",),
    "timeline-top": ("lines",), "timeline-picked": ("lines",),
    "map-world": ("shapes", "points"), "map-nl-be": ("shapes", "points"),
}


@pytest.mark.slow
def test_report_in_headless_chromium_draws_every_chart_offline_and_follows_the_picker(browser_helper, tmp_path):
    page = build_report(GOLDEN, tmp_path / "report.html")
    with browser_helper.open_report(page) as opened:
        assert opened.ready_state() == "yes", opened.console_errors
        assert opened.console_errors == []
        assert opened.requests == []
        for chart, kinds in CHARTS.items():
            marks = opened.marks(chart)
            assert all(marks[kind] > 0 for kind in kinds), (chart, marks)
        assert opened.marks("map-nl-be")["shapes"] == 23  # 12 Dutch and 10 Belgian provinces, and Brussels
        before = opened.chart_svg("timeline-picked")
        opened.pick("KU Leuven (ORG)")
        assert opened.page.get_attribute("body", "data-picked") == "org-61af566e976d"
        assert opened.page.text_content("#picked-name") == "KU Leuven (ORG)"
        assert opened.chart_svg("timeline-picked") != before
        assert "KU Leuven" in opened.chart_svg("timeline-picked")  # the legend names the picked entity
        opened.page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert opened.console_errors == [] and opened.requests == []
    assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_picking_an_unknown_name_says_so_and_keeps_the_chart(browser_helper, tmp_path):
    page = build_report(GOLDEN, tmp_path / "report.html")
    with browser_helper.open_report(page) as opened:
        before = opened.chart_svg("timeline-picked")
        opened.page.fill("#entity-picker", "Niemand Bekend")
        opened.page.dispatch_event("#entity-picker", "change")
        assert "No entity called “Niemand Bekend”" in opened.page.text_content("#picked-name")
        assert opened.chart_svg("timeline-picked") == before
        assert opened.console_errors == []
