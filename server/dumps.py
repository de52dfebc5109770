"""/dumps/: the graph as files to download, each of one committed state of the store.

* `/dumps/comity.nq.gz` and `/dumps/comity.trig.gz`: every graph a client can see (the
  store's own default graph and every named graph, never the hidden union graph), as gzipped
  N-Quads or TriG;
* `/dumps/graph?graph=IRI`: one named graph as gzipped N-Triples;
* `/dumps/`: the list of them (HTML, or JSON by `Accept`).

The files are served as what they are, gzip files (`Content-Type: application/gzip`, no
`Content-Encoding`), so that a client saves exactly the bytes it was sent; the name says
what is inside (`.nq.gz`, `.trig.gz`, `.nt.gz`) and the listing gives its RDF media type.

One state, never a mix. A dump starts by taking the server's write lock, which every write
holds from its update until its reasoning is done and readers can see it, and reads under it
the store's write generation and the graph the server reads. On an on-disk store that graph
is a read-only snapshot the server replaces after each write, so the lock is let go at once
and the dump is written from the snapshot while later writes go on. Any other store (memory,
remote, a graph handed to `create_app`) is read in place, so its dump is written with the
lock held. Files are kept per generation and made again, lazily, once a write has moved the
generation on; on a store the server does not see every write of (remote, handed in), a dump
is made afresh for each request.

The time of the committed state (`Last-Modified`, VoID's `dcterms:modified`) is the time of
the last write this server committed; before any, the latest `comity:loadedAt` the store
holds; failing that, the time the server started (`ComityState.committed_at` records the
first).
"""

import contextlib
import gzip
import hashlib
import itertools
import json
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, cast

import pyoxigraph
from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import BadRequest, NotFound

from graph import KnowledgeGraph
from graph.backend import solutions_of
from graph.sources import LOADED_AT
from ontology import GRAPH_UNION
from ontology.errors import ComityError
from server.state import EXTENSION, ComityState, state

blueprint = Blueprint("dumps", __name__, template_folder="templates")

DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
DATASET_TITLE = "Comity: an open knowledge graph of international relations"
CONTENT_TYPE = "application/gzip"
"""What every download is sent as: the bytes of a gzip file, with no Content-Encoding."""

_EXTENSION = "comity.dumps"
"""Where the app keeps its `DumpCatalogue`."""


@dataclass(frozen=True)
class DumpKind:
    """One kind of file: its export format, what it holds uncompressed, and its suffix."""

    format: str
    """The format name `KnowledgeGraph.export` takes."""
    media_type: str
    label: str
    suffix: str


NQUADS = DumpKind("nq", "application/n-quads", "N-Quads", ".nq.gz")
TRIG = DumpKind("trig", "application/trig", "TriG", ".trig.gz")
NTRIPLES = DumpKind("nt", "application/n-triples", "N-Triples", ".nt.gz")

WHOLE_DUMPS = {"comity" + NQUADS.suffix: NQUADS, "comity" + TRIG.suffix: TRIG}
"""The whole-graph downloads, by file name."""


@dataclass(frozen=True)
class Committed:
    """A committed state of the store, as one dump reads it."""

    generation: int
    graph: KnowledgeGraph
    modified: datetime


@dataclass(frozen=True)
class Dump:
    """A dump file made from one committed state."""

    path: Path
    size: int
    etag: str
    """The SHA-256 of the file (hex, shortened): the same bytes always get the same tag."""
    generation: int
    modified: datetime


class DumpCatalogue:
    """The dump files of one application, kept for the newest generation they were made at."""

    def __init__(self, state: ComityState) -> None:
        self._state = state
        self._directory = Path(tempfile.mkdtemp(prefix="comity-dumps-"))
        # Removed with the catalogue, or when the process ends.
        weakref.finalize(self, shutil.rmtree, self._directory, ignore_errors=True)
        self._numbers = itertools.count(1)
        self._guard = threading.Lock()
        self._making: dict[tuple[int, str, str | None], threading.Lock] = {}
        self._kept: dict[tuple[int, str, str | None], Dump] = {}
        self._newest = -1
        self._started = _now()
        self._loaded: tuple[datetime | None] | None = None

    @contextlib.contextmanager
    def committed(self) -> Iterator[Committed]:
        """The state the store is in now, held for as long as the block reads it.

        The write lock is held while the generation and the graph are read, so they belong
        together; a read-only snapshot is never written, so the lock is then let go, and a
        graph read in place keeps it until the block ends.
        """
        lock = self._state.write_lock
        lock.acquire()
        held = True
        try:
            generation = self._state.responses.generation
            knowledge_graph = self._state.graph
            written = self._state.committed_at
            if knowledge_graph.read_only:
                lock.release()
                held = False
            modified = written or self._load_time(knowledge_graph) or self._started
            yield Committed(generation, knowledge_graph, modified)
        finally:
            if held:
                lock.release()

    def modified(self) -> datetime:
        """The time of the committed state the store is in now."""
        with self.committed() as state:
            return state.modified

    def open_dump(
        self, state: Committed, kind: DumpKind, graph_iri: str | None = None
    ) -> tuple[Dump, BinaryIO] | None:
        """The dump of `state` (one graph, or all of them), made unless kept, and opened for
        reading; None when `graph_iri` names no graph of that state."""
        key = (state.generation, kind.format, graph_iri)
        keep = self._state.keeps_answers
        with self._guard:
            making = self._making.setdefault(key, threading.Lock()) if keep else threading.Lock()
        with making:
            with self._guard:
                found = self._kept.get(key) if keep else None
                if found is not None:
                    return found, found.path.open("rb")
            if graph_iri is not None and not _holds(state.graph, graph_iri):
                with self._guard:  # names of graphs that do not exist are not remembered
                    self._making.pop(key, None)
                return None
            made = self._make(state, kind, graph_iri)
            with self._guard:
                opened = made.path.open("rb")
                if keep and state.generation >= self._newest:
                    self._keep(key, made)
                else:
                    made.path.unlink(missing_ok=True)  # served from the open file alone
            return made, opened

    def _keep(self, key: tuple[int, str, str | None], made: Dump) -> None:
        """Keep a dump of the newest generation; older ones go (readers keep their open file)."""
        generation = key[0]
        if generation > self._newest:
            for old_key, old in list(self._kept.items()):
                if old_key[0] < generation:
                    del self._kept[old_key]
                    old.path.unlink(missing_ok=True)
            for old_key in [k for k in self._making if k[0] < generation]:
                del self._making[old_key]
            self._newest = generation
        self._kept[key] = made

    def _make(self, state: Committed, kind: DumpKind, graph_iri: str | None) -> Dump:
        """Write the dump to a file, streaming: the graph is never held in memory whole."""
        path = self._directory / f"{next(self._numbers)}{kind.suffix}"
        try:
            with path.open("wb") as raw:
                # No name and a fixed time in the gzip header: the same data, the same bytes.
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
                    # A GzipFile is a binary file, though typeshed does not derive it from BinaryIO.
                    state.graph.export(
                        kind.format,
                        cast(BinaryIO, packed),
                        [graph_iri] if graph_iri is not None else None,
                    )
            with path.open("rb") as written:
                digest = hashlib.file_digest(written, "sha256").hexdigest()
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Dump(path, path.stat().st_size, digest[:32], state.generation, state.modified)

    def _load_time(self, knowledge_graph: KnowledgeGraph) -> datetime | None:
        """The latest time a source was loaded into the store (asked once when the server
        sees every write; asked again each time otherwise)."""
        if self._loaded is not None and self._state.keeps_answers:
            return self._loaded[0]
        latest = None
        try:
            results = knowledge_graph.query(
                f"SELECT (MAX(?t) AS ?latest) WHERE {{ GRAPH ?g {{ ?d <{LOADED_AT.value}> ?t }} }}",
                union_default_graph=False,
            )
            for solution in solutions_of(results):
                term = solution["latest"]
                if term is not None:
                    latest = datetime.fromisoformat(term.value)
        except (ComityError, ValueError):
            latest = None
        if latest is not None:
            # Kept to the second, as HTTP dates are, so that every place gives the same time.
            latest = (latest if latest.tzinfo else latest.replace(tzinfo=UTC)).replace(
                microsecond=0
            )
        self._loaded = (latest,)
        return latest


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _holds(knowledge_graph: KnowledgeGraph, graph_iri: str) -> bool:
    """Whether a named graph clients can see holds a triple (the hidden union never does)."""
    if graph_iri == GRAPH_UNION:
        return False
    return bool(
        knowledge_graph.query(
            f"ASK {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}", union_default_graph=False
        )
    )


@blueprint.record_once
def _install(setup: BlueprintSetupState) -> None:
    app = setup.app
    app.extensions[_EXTENSION] = DumpCatalogue(app.extensions[EXTENSION])


def catalogue() -> DumpCatalogue:
    """The dumps of the application handling the request."""
    return current_app.extensions[_EXTENSION]


def dump_urls() -> list[str]:
    """Absolute URLs of the whole-graph dumps (for VoID's void:dataDump)."""
    return [dumps_url(name) for name in WHOLE_DUMPS]


def dumps_url(name: str) -> str:
    return url_for("dumps.whole", name=name, _external=True)


def _send(dump: Dump, opened: BinaryIO, download_name: str) -> Response:
    """A dump file as an attachment, with validators; ranges and conditional GETs work."""
    response = send_file(
        opened,
        mimetype=CONTENT_TYPE,
        as_attachment=True,
        download_name=download_name,
        conditional=False,
        etag=dump.etag,
        last_modified=dump.modified,
    )
    response.content_length = dump.size
    # make_conditional returns the response itself, though werkzeug types it as its base class.
    response.make_conditional(request.environ, accept_ranges=True, complete_length=dump.size)
    return response


@blueprint.get("/dumps/<name>", endpoint="whole")
def whole(name: str) -> Response:
    """The whole graph, every graph clients can see, in one file."""
    kind = WHOLE_DUMPS.get(name)
    if kind is None:
        choices = ", ".join(WHOLE_DUMPS)
        raise NotFound(f"no dump is called {name!r}; the whole graph is at {choices}")
    dumps = catalogue()
    with dumps.committed() as state:
        opened = dumps.open_dump(state, kind)
    assert opened is not None  # only a named graph can be missing
    return _send(*opened, download_name=name)


@blueprint.get("/dumps/graph", endpoint="graph")
def one_graph() -> Response:
    """One named graph as gzipped N-Triples: 400 without a valid IRI, 404 for no such graph."""
    named = request.args.getlist("graph")
    if len(named) != 1:
        raise BadRequest("name exactly one graph: /dumps/graph?graph=IRI")
    graph_iri = named[0]
    try:
        pyoxigraph.NamedNode(graph_iri)
    except ValueError as error:
        raise BadRequest(f"graph={graph_iri!r} is not an absolute IRI ({error})") from error
    dumps = catalogue()
    with dumps.committed() as state:
        opened = dumps.open_dump(state, NTRIPLES, graph_iri)
    if opened is None:
        raise NotFound(f"the store has no graph <{graph_iri}>")
    return _send(*opened, download_name=_file_name(graph_iri) + NTRIPLES.suffix)


def _file_name(graph_iri: str) -> str:
    """A file name for a graph: the last segment of its IRI, made safe, else "graph"."""
    last = re.split(r"[/#:]", graph_iri.rstrip("/#"))[-1]
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", last).strip("-.")
    return safe[:100] or "graph"


@blueprint.get("/dumps/", endpoint="index")
def index() -> Response:
    """The downloads, their sizes and the time of the state they hold: HTML or JSON."""
    dumps = catalogue()
    files = []
    with dumps.committed() as committed:
        for name, kind in WHOLE_DUMPS.items():
            opened = dumps.open_dump(committed, kind)
            assert opened is not None
            dump, file = opened
            file.close()
            files.append(
                {
                    "name": name,
                    "url": dumps_url(name),
                    "format": kind.label,
                    "media_type": kind.media_type,
                    "content_type": CONTENT_TYPE,
                    "bytes": dump.size,
                    "etag": dump.etag,
                }
            )
        modified = committed.modified
    graphs = [
        {
            "graph": graph_iri,
            "triples": triples,
            "url": url_for("dumps.graph", graph=graph_iri, _external=True),
        }
        for graph_iri, triples in sorted(state().statistics().graphs.items())
        if graph_iri != GRAPH_UNION
    ]
    listing = {
        "modified": _timestamp(modified),
        "license": DATA_LICENSE,
        "dumps": files,
        "graph_dump": {
            "url": url_for("dumps.graph", _external=True) + "?graph={IRI}",
            "format": NTRIPLES.label,
            "media_type": NTRIPLES.media_type,
            "content_type": CONTENT_TYPE,
        },
        "graphs": graphs,
    }
    headers = {"Vary": "Accept"}
    best = request.accept_mimetypes.best_match(["text/html", "application/json"], "text/html")
    if best == "application/json":
        return Response(
            _json(listing), content_type="application/json; charset=utf-8", headers=headers
        )
    body = render_template("dumps.html", listing=listing, size=_size)
    return Response(body, content_type="text/html; charset=utf-8", headers=headers)


def _json(value: object) -> str:
    return json.dumps(value, indent=2) + "\n"


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _size(count: int) -> str:
    """A byte count for people: 1.4 MB, 812 kB, 96 bytes."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
