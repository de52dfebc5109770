"""The query page's chart and map of a result, in a real headless Chromium against a real server
over the sample texts: offered when the columns allow, drawn on request, counted, photographed."""

import json
from pathlib import Path

import pytest
import requests

import graph
from server import query_page
from server.pictures import WORLD_OUTLINES
from tests.server.chromium import CHROMIUM, DevTools
from tests.server.test_pages_browser import assert_not_blank, screenshot
from tests.server.test_query_page_browser import replace_query

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")

VISIBLE = """.filter(m => { const r = m.getBoundingClientRect();
                            return r.width > 0 && r.height > 0; }).length"""


def example(key: str) -> str:
    (found,) = [e for e in query_page.example_queries() if e.key == key]
    return query_page.prefix_lines() + found.body


def run(browser: DevTools, url: str, query: str) -> int:
    """Run a query on a fresh query page; the number of rows in its table."""
    browser.navigate(f"{url}/")
    replace_query(browser, query)
    browser.click("#run")
    return browser.wait_for("document.querySelectorAll('#results tbody tr').length")


def views_offered(browser: DevTools) -> list[str]:
    return browser.evaluate(
        "[...document.querySelectorAll('#views button')].map(b => b.dataset.view)"
    )


def test_a_count_over_time_is_drawn_as_a_chart(
    browser: DevTools, sample_server: tuple[str, graph.KnowledgeGraph], tmp_path: Path
) -> None:
    url, counting = sample_server
    query = example("parties-over-time")
    expected = len(list(counting.query(query)))
    assert run(browser, url, query) == expected > 1
    # The table comes first; the chart is only offered.
    assert views_offered(browser) == ["table", "chart"]
    assert browser.evaluate("document.querySelector('#results svg') === null")
    browser.click("#views [data-view=chart]")
    browser.wait_for("!!document.querySelector('#results svg.picture.chart')")
    circles = browser.evaluate(
        f"[...document.querySelectorAll('#results svg.chart circle.point')]{VISIBLE}"
    )
    assert circles == expected
    title = browser.evaluate("document.querySelector('#results svg.chart > title').textContent")
    assert title == "?parties by ?date"
    tooltips = browser.evaluate(
        """[...document.querySelectorAll('#results svg.chart circle > title')]
             .map(t => t.textContent)"""
    )
    assert tooltips[0].startswith("2005-04-07: ?parties 1")
    labels = browser.evaluate(
        "[...document.querySelectorAll('#results svg.chart .axis-label')].map(t => t.textContent)"
    )
    assert labels == ["?date", "?parties"]
    assert browser.evaluate("document.querySelector('[data-view=chart]').ariaPressed") == "true"
    assert_not_blank(screenshot(browser, "#results svg.picture.chart", tmp_path / "chart.png"))
    # Back to the table, the same one.
    browser.click("#views [data-view=table]")
    assert browser.wait_for("document.querySelectorAll('#results tbody tr').length") == expected


def test_iso_codes_are_drawn_as_a_map(
    browser: DevTools, sample_server: tuple[str, graph.KnowledgeGraph], tmp_path: Path
) -> None:
    url, counting = sample_server
    query = example("parties-map")
    codes = {row["code"].value for row in counting.query(query)}
    outlines = json.loads(WORLD_OUTLINES.read_text(encoding="utf-8"))["countries"]
    drawable, undrawable = codes & outlines.keys(), codes - outlines.keys()
    assert drawable and undrawable  # Kiribati is too small for the 1:110m outlines
    run(browser, url, query)
    assert views_offered(browser) == ["table", "map"]
    browser.click("#views [data-view=map]")
    browser.wait_for("!!document.querySelector('#results svg.picture.map')")
    filled = browser.evaluate(
        f"[...document.querySelectorAll('#results svg.map path.country.filled')]{VISIBLE}"
    )
    assert filled == len(drawable)
    named = browser.evaluate(
        """[...document.querySelectorAll('#results svg.map path.filled > title')]
             .map(t => t.textContent)"""
    )
    assert "France (FRA)" in named
    caption = browser.evaluate("document.querySelector('#results figcaption').textContent")
    assert all(code in caption for code in undrawable)
    assert browser.evaluate("document.querySelector('#results svg.map > title').textContent")
    assert_not_blank(screenshot(browser, "#results svg.picture.map", tmp_path / "map.png"))


def test_the_outlines_are_served_from_the_package(
    sample_server: tuple[str, graph.KnowledgeGraph],
) -> None:
    url, _ = sample_server
    response = requests.get(f"{url}/geography/world-110m.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.content == WORLD_OUTLINES.read_bytes()


def test_dates_of_any_precision_and_state_iris_are_recognised(
    browser: DevTools, sample_server: tuple[str, graph.KnowledgeGraph]
) -> None:
    url, _ = sample_server
    query = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?when ?count ?state WHERE {
  VALUES (?when ?count ?state) {
    ("2005-04"^^xsd:gYearMonth 2 <https://w3id.org/comity/id/state/FRA>)
    ("2006"^^xsd:gYear "3.5"^^xsd:decimal <https://w3id.org/comity/id/state/DEU>)
    ("2007-02-01" "4"^^xsd:nonNegativeInteger <https://w3id.org/comity/id/state/ITA>)
  }
}"""
    assert run(browser, url, query) == 3
    assert views_offered(browser) == ["table", "chart", "map"]
    browser.click("#views [data-view=chart]")
    assert browser.wait_for("document.querySelectorAll('#results circle.point').length") == 3
    browser.click("#views [data-view=map]")
    assert browser.wait_for("document.querySelectorAll('#results path.filled').length") == 3


SERIES_CHART = "#results svg.picture.chart"


def series_drawn(browser: DevTools) -> list[dict[str, object]]:
    """Each line of the chart: its points, its colour as the browser paints it, its legend."""
    return browser.evaluate(
        f"""[...document.querySelectorAll('{SERIES_CHART} g.series')].map((group, index) => ({{
              points: [...group.querySelectorAll('circle.point')]{VISIBLE},
              stroke: getComputedStyle(group.querySelector('path.line')).stroke,
              legend: document.querySelector(
                `{SERIES_CHART} .legend-entry.series-${{index}} text`).textContent,
              swatch: getComputedStyle(document.querySelector(
                `{SERIES_CHART} .legend-entry.series-${{index}} .swatch`)).stroke,
            }}))"""
    )


def test_a_third_column_splits_the_chart_into_series(
    browser: DevTools, sample_server: tuple[str, graph.KnowledgeGraph], tmp_path: Path
) -> None:
    url, counting = sample_server
    query = """PREFIX comity: <https://w3id.org/comity/ontology#>
SELECT ?treaty ?date (COUNT(DISTINCT ?act) AS ?acts) WHERE {
  ?act comity:treaty ?treaty ; comity:actor ?state ; comity:dateEarliest ?date .
}
GROUP BY ?treaty ?date
ORDER BY ?treaty ?date"""
    rows = list(counting.query(query))
    per_treaty: dict[str, int] = {}
    for row in rows:
        name = row["treaty"].value.removeprefix("https://w3id.org/comity/id/")
        per_treaty[name] = per_treaty.get(name, 0) + 1
    assert 1 < len(per_treaty) <= 8
    assert run(browser, url, query) == len(rows)
    assert views_offered(browser) == ["table", "chart"]
    browser.click("#views [data-view=chart]")
    browser.wait_for(f"!!document.querySelector('{SERIES_CHART}')")
    drawn = series_drawn(browser)
    assert {line["legend"]: line["points"] for line in drawn} == per_treaty
    assert [line["legend"] for line in drawn] == list(per_treaty)  # in the result's order
    colours = [line["stroke"] for line in drawn]
    assert len(set(colours)) == len(colours)
    assert [line["swatch"] for line in drawn] == colours
    title = browser.evaluate(f"document.querySelector('{SERIES_CHART} > title').textContent")
    assert title == "?acts by ?date, one line per ?treaty"
    description = browser.evaluate(f"document.querySelector('{SERIES_CHART} > desc').textContent")
    for name, points in per_treaty.items():
        assert f"{name}: {points} point" in description
    tooltip = browser.evaluate(
        f"document.querySelector('{SERIES_CHART} g.series-0 circle > title').textContent"
    )
    first = rows[0]
    assert tooltip == (
        f"{first['date'].value}: {next(iter(per_treaty))}, ?acts {first['acts'].value}"
    )
    assert_not_blank(screenshot(browser, SERIES_CHART, tmp_path / "series-chart.png"))


def test_a_split_chart_draws_at_most_eight_lines_and_says_what_it_leaves_out(
    browser: DevTools, sample_server: tuple[str, graph.KnowledgeGraph], tmp_path: Path
) -> None:
    url, _ = sample_server
    long_name = "Additional Protocol to the Convention on Cybercrime"
    names = [long_name, *(f"Treaty {letter}" for letter in "BCDEFGHIJ")]
    values = " ".join(
        f'("{name}" "200{year}-01-01"^^xsd:date {number + year})'
        for number, name in enumerate(names)
        for year in (1, 2)
    )
    query = f"""PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?name ?day ?count WHERE {{
  VALUES (?name ?day ?count) {{ {values} ("Treaty B" "2003-01-01"^^xsd:date UNDEF) }}
}}"""
    assert run(browser, url, query) == 2 * len(names) + 1
    browser.click("#views [data-view=chart]")
    browser.wait_for(f"!!document.querySelector('{SERIES_CHART}')")
    drawn = series_drawn(browser)
    assert [line["points"] for line in drawn] == [2] * 8
    assert len({line["stroke"] for line in drawn}) == 8
    assert drawn[0]["legend"].endswith("…") and len(drawn[0]["legend"]) < len(long_name)
    assert (
        browser.evaluate(
            f"document.querySelector('{SERIES_CHART} .legend-entry.series-0 > title').textContent"
        )
        == long_name
    )
    assert [line["legend"] for line in drawn[1:]] == names[1:8]
    caption = browser.evaluate("document.querySelector('#results figcaption').textContent")
    assert "1 rows without both a date and a number" in caption
    assert "2 more values of ?name are not drawn" in caption
    assert_not_blank(screenshot(browser, SERIES_CHART, tmp_path / "eight-lines.png"))


def test_number_columns_without_a_label_column_stay_one_line_each(
    browser: DevTools, sample_server: tuple[str, graph.KnowledgeGraph]
) -> None:
    url, _ = sample_server
    query = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?day ?signatories ?parties WHERE {
  VALUES (?day ?signatories ?parties) {
    ("2001-11-23"^^xsd:date 30 0) ("2004-07-01"^^xsd:date 40 5) ("2006-01-10"^^xsd:date 42 12)
  }
}"""
    assert run(browser, url, query) == 3
    browser.click("#views [data-view=chart]")
    browser.wait_for(f"!!document.querySelector('{SERIES_CHART}')")
    drawn = series_drawn(browser)
    assert [(line["legend"], line["points"]) for line in drawn] == [
        ("?signatories", 3),
        ("?parties", 3),
    ]
    title = browser.evaluate(f"document.querySelector('{SERIES_CHART} > title').textContent")
    assert title == "?signatories, ?parties by ?day"


@pytest.mark.parametrize(
    "values",
    [
        '(?name ?count) { ("France" 3) ("Spain" 4) }',  # numbers, no dates
        '(?day ?name) { ("2005-04-07"^^<http://www.w3.org/2001/XMLSchema#date> "Bulgaria") }',
        '(?year ?count ?code) { ("2005" 1 "fra") ("2006" 2 "FRA") }',  # a bare year; "fra"
    ],
    ids=["numbers-only", "dates-only", "neither-dates-nor-codes"],
)
def test_no_chart_or_map_for_other_results(
    browser: DevTools, sample_server: tuple[str, graph.KnowledgeGraph], values: str
) -> None:
    url, _ = sample_server
    assert run(browser, url, f"SELECT * WHERE {{ VALUES {values} }}") > 0
    assert views_offered(browser) == []
    assert browser.evaluate("getComputedStyle(document.getElementById('views')).display") == "none"
