"""Pictures on resource pages, drawn on the server as SVG: a treaty's timeline of acts, its
signatories and parties over time and a map of its parties; an organisation's members over
time.

They need no script and no network: each is inline SVG with a `<title>` and a `<desc>` saying
in words what it shows, and every mark links to the fact or state it stands for, its date in
its own `<title>` (a tooltip in browsers, read aloud by screen readers). Marks are placed by
the earliest day a date can mean (`comity:dateEarliest` where the reasoner has run, else read
from the date itself: "2001-11" is placed at 1 November 2001); an act that two sources date
differently is drawn once, at the earliest of its dates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph
from flask import render_template
from markupsafe import Markup

from ontology import COMITY, ORG

WORLD_OUTLINES = Path(__file__).parent / "geography" / "world-110m.json"

# The acts a treaty timeline shows, in the order its legend gives them.
ACT_KINDS: dict[str, str] = {
    str(COMITY.Signature): "signature",
    str(COMITY.Ratification): "ratification",
    str(COMITY.Accession): "accession",
    str(COMITY.EntryIntoForce): "entry into force",
}
BECOMES_PARTY = ("ratification", "accession")
WHOLE_TREATY = "The treaty as a whole"

LABEL_WIDTH = 190
PLOT_WIDTH = 620
MARGIN = 12
AXIS_HEIGHT = 28
ROW_HEIGHT = 18
CHART_HEIGHT = 180

Query = Callable[[str], Any]
Href = Callable[[str], str]


@dataclass(frozen=True)
class Picture:
    """One drawing for a page: its heading and its SVG markup."""

    heading: str
    svg: Markup
    note: str = ""


@dataclass(frozen=True)
class Act:
    """A dated act on a treaty: who, what, when (as written and as placed)."""

    iri: str
    kind: str
    actor: str | None
    written: str
    placed: date


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass
class Axis:
    """Dates to x coordinates over the plot, with a tick every few years."""

    first: date
    last: date
    left: float = LABEL_WIDTH
    width: float = PLOT_WIDTH
    ticks: list[Tick] = field(default_factory=list)

    def __post_init__(self) -> None:
        start, end = self.first.year, max(self.last.year + 1, self.first.year + 1)
        self.first, self.last = date(start, 1, 1), date(end, 1, 1)
        span = end - start
        step = next(step for step in (1, 2, 5, 10, 20, 25, 50, 100) if span / step <= 8)
        for year in range(start - start % step, end + 1, step):
            if year >= start:
                self.ticks.append(Tick(self.x(date(year, 1, 1)), str(year)))

    def x(self, day: date) -> float:
        total = (self.last - self.first).days or 1
        return round(self.left + self.width * (day - self.first).days / total, 1)


def placed(written: str, earliest: str | None = None) -> date | None:
    """The day a date is drawn at: its earliest day, for a date of any precision; None when it
    is not a date at all."""
    for text in (earliest, written):
        if not text:
            continue
        parts = text.split("T")[0].lstrip("-").split("-")
        try:
            year = int(parts[0])
            month = int(parts[1]) if len(parts) > 1 and parts[1][:2].isdigit() else 1
            day = int(parts[2][:2]) if len(parts) > 2 else 1
            return date(year, month, day)
        except (ValueError, IndexError):
            continue
    return None


# --- treaties --------------------------------------------------------------------------------


def treaty_acts(query: Query, treaty: str) -> list[Act]:
    """Every dated signature, ratification, accession and entry into force of a treaty, each
    act once, at its earliest date."""
    kinds = " ".join(f"<{kind}>" for kind in ACT_KINDS)
    rows = query(
        f"""SELECT ?act ?kind ?actor ?date ?earliest WHERE {{
          VALUES ?kind {{ {kinds} }}
          ?act <{COMITY.treaty}> <{treaty}> ; a ?kind ; <{COMITY.date}> ?date .
          OPTIONAL {{ ?act <{COMITY.actor}> ?actor }}
          OPTIONAL {{ ?act <{COMITY.dateEarliest}> ?earliest }}
        }}"""
    )
    acts: dict[tuple[str, str], Act] = {}
    for row in rows:
        earliest = row["earliest"].value if row["earliest"] is not None else None
        day = placed(row["date"].value, earliest)
        if day is None:
            continue
        key = (row["act"].value, row["kind"].value)
        actor = row["actor"].value if isinstance(row["actor"], pyoxigraph.NamedNode) else None
        act = Act(key[0], ACT_KINDS[key[1]], actor, row["date"].value, day)
        if key not in acts or act.placed < acts[key].placed:
            acts[key] = act
    return sorted(acts.values(), key=lambda act: (act.placed, act.kind, act.iri))


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    kind: str
    href: str
    title: str


@dataclass(frozen=True)
class Row:
    y: float
    label: str
    href: str | None


def timeline(acts: list[Act], names: dict[str, str], href: Href) -> Picture | None:
    """One row per state (the acts of no one state first), one mark per act."""
    if not acts:
        return None
    first_act: dict[str | None, date] = {}
    for act in acts:
        first_act.setdefault(act.actor, act.placed)
    order = sorted(
        first_act,
        key=lambda actor: (actor is not None, first_act[actor], names.get(actor or "", "")),
    )
    axis = Axis(acts[0].placed, acts[-1].placed)
    top = MARGIN
    rows = []
    row_of: dict[str | None, float] = {}
    for index, actor in enumerate(order):
        y = top + index * ROW_HEIGHT + ROW_HEIGHT / 2
        row_of[actor] = y
        label = names.get(actor, actor) if actor else WHOLE_TREATY
        rows.append(Row(y, label, href(actor) if actor else None))
    marks = [
        Mark(
            axis.x(act.placed),
            row_of[act.actor],
            act.kind.replace(" ", "-"),
            href(act.iri),
            f"{act.kind[:1].upper()}{act.kind[1:]}"
            + (f" by {names.get(act.actor, act.actor)}" if act.actor else "")
            + f", {act.written}",
        )
        for act in acts
    ]
    height = top + len(rows) * ROW_HEIGHT + AXIS_HEIGHT
    states = len([actor for actor in order if actor])
    description = (
        f"{len(marks)} dated acts by {states} states between {acts[0].written} and "
        f"{acts[-1].written}: "
        + ", ".join(
            f"{sum(act.kind == kind for act in acts)} {kind}"
            for kind in ACT_KINDS.values()
            if any(act.kind == kind for act in acts)
        )
        + "."
    )
    svg = _plot(
        "pictures/timeline.svg",
        height,
        axis,
        top + len(rows) * ROW_HEIGHT,
        title="Timeline of signatures, ratifications, accessions and entries into force",
        description=description,
        rows=rows,
        marks=marks,
        kinds=[kind.replace(" ", "-") for kind in ACT_KINDS.values()],
    )
    return Picture("Who signed, ratified and acceded when", Markup(svg))


@dataclass(frozen=True)
class Series:
    """A count that grows over time: its name, its steps and its line."""

    name: str
    steps: list[Mark]
    path: str


def counts_over_time(acts: list[Act], href: Href) -> Picture | None:
    """Signatories and parties by date, as steps: a state counts from its first signature, and
    as a party from its first ratification or accession."""
    states = [act for act in acts if act.actor]
    if not states:
        return None
    wanted = {"signatories": ("signature",), "parties": BECOMES_PARTY}
    counted: dict[str, list[tuple[date, int, Act]]] = {}
    for name, kinds in wanted.items():
        first: dict[str, Act] = {}
        for act in states:
            if act.actor is not None and act.kind in kinds and act.actor not in first:
                first[act.actor] = act  # acts are sorted by date
        steps: list[tuple[date, int, Act]] = []
        for act in sorted(first.values(), key=lambda act: act.placed):
            if steps and steps[-1][0] == act.placed:
                steps[-1] = (act.placed, steps[-1][1] + 1, steps[-1][2])
            else:
                steps.append((act.placed, (steps[-1][1] if steps else 0) + 1, act))
        if steps:
            counted[name] = steps
    if not counted:
        return None
    axis = Axis(states[0].placed, max(date.today(), states[-1].placed))
    highest = max(steps[-1][1] for steps in counted.values())
    bottom = MARGIN + CHART_HEIGHT

    def y(count: int) -> float:
        return round(bottom - CHART_HEIGHT * count / highest, 1)

    series = []
    for name, steps in counted.items():
        marks = [
            Mark(
                axis.x(day),
                y(count),
                name,
                href(act.iri),
                f"{count} {name if count != 1 else name[:-3] + 'y'} from {act.written}",
            )
            for day, count, act in steps
        ]
        path = f"M{axis.x(axis.first)} {y(0)}"
        for mark in marks:
            path += f"H{mark.x}V{mark.y}"
        path += f"H{axis.x(axis.last)}"
        series.append(Series(name, marks, path))
    description = "; ".join(
        f"{steps[-1][1]} {name} by {steps[-1][2].written}" for name, steps in counted.items()
    )
    svg = _plot(
        "pictures/steps.svg",
        bottom + AXIS_HEIGHT,
        axis,
        bottom,
        title="Signatories and parties over time",
        description=f"Counted from the dated acts: {description}.",
        series=series,
        levels=[(y(level), level) for level in _levels(highest)],
    )
    return Picture("Signatories and parties over time", Markup(svg))


def _levels(highest: int) -> list[int]:
    step = next(step for step in (1, 2, 5, 10, 20, 25, 50, 100, 200) if highest / step <= 5)
    return list(range(0, highest + 1, step))


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    path: str
    status: str
    href: str | None


@cache
def world_outlines() -> dict[str, Any]:
    """Country outlines by ISO alpha-3, read once per process (see geography/README.md)."""
    return json.loads(WORLD_OUTLINES.read_text(encoding="utf-8"))


def parties_map(
    query: Query, treaty: str, names: Callable[[Iterable[str]], dict[str, str]], href: Href
) -> Picture | None:
    """The world with the treaty's parties filled, and states that only signed it shaded."""
    rows = query(
        f"""SELECT DISTINCT ?state ?code ?role WHERE {{
          {{ <{treaty}> <{COMITY.party}> ?state BIND("party" AS ?role) }}
          UNION {{ <{treaty}> <{COMITY.signatory}> ?state BIND("signatory" AS ?role) }}
          OPTIONAL {{ ?state <{COMITY.iso3166Alpha3}> ?code }}
        }}"""
    )
    status: dict[str, str] = {}
    codes: dict[str, str | None] = {}
    for row in rows:
        state = row["state"].value
        codes[state] = row["code"].value if row["code"] is not None else None
        if row["role"].value == "party" or state not in status:
            status[state] = row["role"].value
    if not status:
        return None
    labels = names(status)
    outlines = world_outlines()
    by_code = {code: state for state, code in codes.items() if code}
    countries = []
    for code, outline in outlines["countries"].items():
        state = by_code.get(code)
        countries.append(
            Country(
                code,
                labels.get(state, outline["name"]) if state else outline["name"],
                outline["path"],
                status.get(state, "none") if state else "none",
                href(state) if state else None,
            )
        )
    undrawn = sorted(
        labels.get(state, state)
        for state in status
        if not codes.get(state) or codes[state] not in outlines["countries"]
    )
    parties = sum(role == "party" for role in status.values())
    signatories = len(status) - parties
    description = f"{parties} parties and {signatories} states that signed only"
    note = (
        "Too small for this map, or without an ISO code: " + ", ".join(undrawn) + "."
        if undrawn
        else ""
    )
    svg = render_template(
        "pictures/map.svg",
        width=outlines["width"],
        height=outlines["height"],
        countries=countries,
        title="Map of the parties",
        description=f"{description}. {note}".strip(),
    )
    return Picture("Where the parties are", Markup(svg), note)


def treaty_pictures(
    query: Query, treaty: str, names: Callable[[Iterable[str]], dict[str, str]], href: Href
) -> list[Picture]:
    """A treaty page's pictures, those it has data for."""
    acts = treaty_acts(query, treaty)
    labels = names({act.actor for act in acts if act.actor})
    drawn = [
        timeline(acts, labels, href),
        counts_over_time(acts, href),
        parties_map(query, treaty, names, href),
    ]
    return [picture for picture in drawn if picture is not None]


# --- organisations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    href: str
    title: str
    open_ended: bool


def members_over_time(
    query: Query, organisation: str, names: Callable[[Iterable[str]], dict[str, str]], href: Href
) -> Picture | None:
    """One bar per membership, from joining to leaving (or today), one row per member."""
    rows = query(
        f"""SELECT ?membership ?member ?since ?sinceEarliest ?until ?untilEarliest WHERE {{
          ?membership a <{COMITY.Membership}> ; <{ORG.organization}> <{organisation}> ;
                      <{ORG.member}> ?member .
          OPTIONAL {{ ?membership <{COMITY.since}> ?since }}
          OPTIONAL {{ ?membership <{COMITY.sinceEarliest}> ?sinceEarliest }}
          OPTIONAL {{ ?membership <{COMITY.until}> ?until }}
          OPTIONAL {{ ?membership <{COMITY.untilEarliest}> ?untilEarliest }}
        }}"""
    )
    periods: dict[str, tuple[str, date, str, str | None, date | None]] = {}
    undated: set[str] = set()
    for row in rows:
        membership, member = row["membership"].value, row["member"].value
        since = row["since"].value if row["since"] is not None else None
        start = placed(since or "", _value(row["sinceEarliest"]))
        if since is None or start is None:
            undated.add(member)
            continue
        until = row["until"].value if row["until"] is not None else None
        end = placed(until, _value(row["untilEarliest"])) if until else None
        known = periods.get(membership)
        if known is None or start < known[1]:
            periods[membership] = (member, start, since, until, end)
    if not periods:
        return None
    labels = names({member for member, *_ in periods.values()} | undated)
    today = date.today()
    first = min(start for _, start, *_ in periods.values())
    axis = Axis(first, today)
    members = sorted(
        {member for member, *_ in periods.values()},
        key=lambda member: (
            min(start for who, start, *_ in periods.values() if who == member),
            labels.get(member, member),
        ),
    )
    row_height = ROW_HEIGHT if len(members) <= 60 else 11
    row_of = {member: MARGIN + index * row_height for index, member in enumerate(members)}
    bars = []
    for membership, (member, start, since, until, end) in sorted(periods.items()):
        name = labels.get(member, member)
        finish = end or today
        left = axis.x(start)
        bars.append(
            Bar(
                left,
                row_of[member] + 2,
                max(axis.x(finish) - left, 2.0),
                href(membership),
                f"{name}: member from {since}" + (f" until {until}" if until else ""),
                end is None,
            )
        )
    rows_drawn = [Row(row_of[m] + row_height / 2, labels.get(m, m), href(m)) for m in members]
    height = MARGIN + len(members) * row_height + AXIS_HEIGHT
    left = sum(1 for bar in bars if not bar.open_ended)
    description = (
        f"{len(bars)} memberships of {len(members)} members since {first.year}, "
        f"{left} of them ended."
        + (
            f" {len(undated - set(members))} members have no date of joining."
            if undated - set(members)
            else ""
        )
    )
    svg = _plot(
        "pictures/members.svg",
        height,
        axis,
        MARGIN + len(members) * row_height,
        title="Members over time",
        description=description,
        rows=rows_drawn,
        bars=bars,
        bar_height=row_height - 4,
        today_x=axis.x(today),
    )
    return Picture("Members over time", Markup(svg))


def _plot(
    template: str, height: int, axis: Axis, axis_y: int, title: str, description: str, **drawn: Any
) -> str:
    """A picture drawn against a time axis, in the width every such picture has."""
    return render_template(
        template,
        width=LABEL_WIDTH + PLOT_WIDTH + 2 * MARGIN,
        height=height,
        axis=axis,
        axis_y=axis_y,
        title=title,
        description=description,
        **drawn,
    )


def _value(term: Any) -> str | None:
    return term.value if term is not None else None
