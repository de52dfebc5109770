"""Extraction throughput: synthetic press releases through the loaders, one core and several.

    python -m bench.extract_bench --documents 1000 --jobs 2 --seed 7
    python -m bench extract ...        (once "extract" is listed in bench/__main__.py)

Generates press releases from seeded templates (same seed, same texts), then measures:
extraction alone on one core (read, link, extract, to triples), the same with --jobs worker
processes, and the end-to-end load into an embedded on-disk store with reasoning at the end.
The goal is at least 200 documents per second per core; the one-core rate is measured in CPU
time, so that other work on a shared machine does not distort it (wall time is shown too).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

GOAL_PER_CORE = 200.0

_OPENINGS = [
    "{city}, {date} – {state} today deposited its instrument of ratification of the {treaty}.",
    "{city}, {date} – {state} signed the {treaty} this morning, joining {count} other states.",
    "{city}, {date} – The {treaty} has now been ratified by {count} states and signed by "
    "another {count2}.",
    "{city}, {date} – {state} acceded to the {treaty}, which {count} states have ratified.",
]
_MIDDLES = [
    "Held on {day1} and {day2} {month} in {city}, the conference brought together over "
    "{people} experts from {countries} countries to discuss {topic} and {topic2}.",
    "Reforms based on the {treaty} are under way in {state}, {state2} and {state3}.",
    "The {org} outlined its partnership with the Council of Europe during the meeting.",
    "{state2} is expected to sign the Convention before the end of the year.",
    "Officials said the text would help to fight {topic} across borders.",
]
_CLOSING = (
    "A political organisation set up in 1949, the Council of Europe works to promote "
    "democracy and human rights continent-wide."
)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def generate(count: int, seed: int) -> list[tuple[str, str]]:
    """`count` (name, text) press releases; deterministic for a seed."""
    from ontology.reference import load_reference

    reference = load_reference()
    rng = random.Random(seed)
    states = [state.name_en for state in reference.states]
    treaties = [t.short_names[0] if t.short_names else t.title_en for t in reference.treaties]
    cities = [place.name_en for place in reference.places]
    topics = [topic.label_en for topic in reference.topics]
    organisations = [o.name_en for o in reference.organisations if o.kind != "body"]
    releases = []
    for number in range(count):
        month = rng.randrange(1, 13)
        day = rng.randrange(1, 27)
        values = {
            "city": rng.choice(cities),
            "date": f"{day:02d}.{month:02d}.{rng.randrange(2000, 2024)}",
            "state": rng.choice(states),
            "state2": rng.choice(states),
            "state3": rng.choice(states),
            "treaty": rng.choice(treaties),
            "count": rng.randrange(2, 60),
            "count2": rng.randrange(2, 30),
            "day1": day,
            "day2": day + 1,
            "month": _MONTHS[month - 1],
            "people": rng.randrange(20, 400),
            "countries": rng.randrange(5, 90),
            "topic": rng.choice(topics),
            "topic2": rng.choice(topics),
            "org": rng.choice(organisations),
        }
        paragraphs = [rng.choice(_OPENINGS), *rng.sample(_MIDDLES, 3), _CLOSING]
        body = "\n\n".join(paragraph.format(**values) for paragraph in paragraphs)
        text = (
            "# Press Release\n\n**Council of Europe Press Division**\n\n"
            f"**Ref: {number:04d}b{seed}**\n\n## Release number {number}\n\n{body}\n"
        )
        releases.append((f"bench-release-{number:05d}", text))
    return releases


def _write(releases: list[tuple[str, str]], directory: Path) -> list[Path]:
    paths = []
    for name, text in releases:
        path = directory / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _large_texts(releases: list[tuple[str, str]], sizes: list[float]) -> list[tuple[str, str, str]]:
    """One text of each size made of the releases run together: seconds per MB by CPU time,
    which stays flat when extraction is linear in the length of a text."""
    from loaders import make_document
    from loaders.extraction import extract

    body = "\n\n".join(text for _, text in releases)
    rows = []
    per_mb = []
    for size in sizes:
        length = int(size * 1_000_000)
        text = (body * (length // len(body) + 1))[:length]
        started = time.process_time()
        extract(make_document(text, f"large-{size}"))
        seconds = time.process_time() - started
        per_mb.append(seconds / size)
        rows.append(
            (f"one {size:g} MB text (CPU time)", f"{seconds:.2f} s", f"{per_mb[-1]:.1f} s/MB")
        )
    if len(per_mb) > 1:
        rows.append(("  time per MB, largest / smallest", f"{per_mb[-1] / per_mb[0]:.2f}", ""))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench extract", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-load", action="store_true", help="measure extraction only")
    parser.add_argument(
        "--large",
        default="0.25,0.5,1",
        help="sizes in MB of single long texts whose time per MB must stay flat ('' for none)",
    )
    args = parser.parse_args(argv)

    import graph
    from loaders import load_paths, pipeline
    from loaders.entities import lexicon

    started = time.perf_counter()
    lexicon()  # built once per process; not part of the per-document cost
    warmup = time.perf_counter() - started
    releases = generate(args.documents, args.seed)
    rows: list[tuple[str, str, str]] = [("lexicon build (once per process)", f"{warmup:.2f} s", "")]
    with tempfile.TemporaryDirectory(prefix="comity-extract-bench-") as scratch:
        paths = _write(releases, Path(scratch))
        names = [str(path) for path in paths]
        facts = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        for name in names:
            prepared = pipeline.prepare(name)
            facts += sum(prepared.fact_counts.values())
        one_core = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        rate = len(names) / cpu
        rows.append(
            (
                "extract, 1 process (wall)",
                f"{one_core:.2f} s",
                f"{len(names) / one_core:.0f} docs/s",
            )
        )
        rows.append(("extract, 1 process (CPU time)", f"{cpu:.2f} s", f"{rate:.0f} docs/s"))
        rows.append(("facts per document", f"{facts / len(names):.1f}", ""))
        if args.jobs > 1:
            started = time.perf_counter()
            done = sum(1 for _ in pipeline._prepared(paths, args.jobs))
            parallel = time.perf_counter() - started
            rows.append(
                (
                    f"extract, --jobs {args.jobs} (incl. worker start-up)",
                    f"{parallel:.2f} s",
                    f"{done / parallel:.0f} docs/s",
                )
            )
        if not args.skip_load:
            store = Path(scratch) / "store"
            with graph.open(f"oxigraph:{store}") as kg:
                started = time.perf_counter()
                report = load_paths(kg, paths, jobs=args.jobs)
                total = time.perf_counter() - started
            rows.append(
                (
                    f"load into oxigraph: store, --jobs {args.jobs}",
                    f"{total:.2f} s",
                    f"{report.documents / total:.0f} docs/s",
                )
            )
            rows.append(("  of which reasoning", f"{report.reasoning_seconds:.2f} s", ""))
            rows.append(("  triples stored", str(report.triples), ""))
    sizes = [float(size) for size in args.large.split(",") if size.strip()]
    rows += _large_texts(releases, sizes)
    width = max(len(row[0]) for row in rows)
    print(f"extraction benchmark: {args.documents} documents, seed {args.seed}")
    for label, value, rate_text in rows:
        print(f"  {label:<{width}}  {value:>10}  {rate_text}")
    verdict = "meets" if rate >= GOAL_PER_CORE else "misses"
    print(
        f"  one-core rate (by CPU time, so other load on the machine does not count) "
        f"{rate:.0f} docs/s {verdict} the goal of {GOAL_PER_CORE:.0f} docs/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
