"""HTTP Basic beside bearer tokens: the token as a password, and the accounts of a users file."""

from pathlib import Path

import pytest
import rdflib
import requests
from click.testing import CliRunner
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from SPARQLWrapper import POST, SPARQLWrapper

from ontology.errors import ComityError
from server.cli import main
from server.credentials import Verdict, check_write, read_accounts, write_account

pytest.register_assert_rewrite("tests.server_fixtures")
from tests.server_fixtures import EX  # noqa: E402 - after the rewrite registration


@pytest.fixture(scope="module")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.txt"
    write_account(path, "editor", "correct horse", "write")
    write_account(path, "reader", "only looking", "read")
    return path


@pytest.fixture(scope="module")
def server(server_factory, users_file):
    return server_factory(extra=["--users", str(users_file)])


def count_in(server, graph: str) -> int:
    rows = server.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"])


def test_sparqlwrapper_writes_with_basic_credentials(server):
    graph = EX + "basic-sparqlwrapper"
    client = SPARQLWrapper(server.sparql, updateEndpoint=server.sparql)
    client.setMethod(POST)
    client.setCredentials("editor", "correct horse")
    client.setQuery(f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}w> <{EX}p> "by wrapper" }} }}')
    client.query()
    assert count_in(server, graph) == 1


def test_rdflib_update_store_writes_with_the_token_as_password(server):
    graph = rdflib.URIRef(EX + "basic-rdflib")
    store = SPARQLUpdateStore(
        server.sparql, server.sparql, auth=("any name", server.token), autocommit=True
    )
    remote = rdflib.Graph(store=store, identifier=graph)
    remote.add((rdflib.URIRef(EX + "r"), rdflib.URIRef(EX + "p"), rdflib.Literal("by rdflib")))
    assert count_in(server, str(graph)) == 1


def test_graph_store_writes_with_basic_credentials(server):
    graph = EX + "basic-gsp"
    response = requests.put(
        server.store,
        params={"graph": graph},
        data=f"<{EX}g> <{EX}p> 1 .",
        headers={"Content-Type": "text/turtle"},
        auth=("editor", "correct horse"),
        timeout=60,
    )
    assert response.status_code == 201
    assert count_in(server, graph) == 1


@pytest.mark.parametrize(
    "auth, reason",
    [
        (("editor", "wrong horse"), "user name or password is wrong"),
        (("nobody", "correct horse"), "user name or password is wrong"),
        (("reader", "only looking"), "may read but not write"),
    ],
)
def test_wrong_or_read_only_credentials_are_403_and_write_nothing(server, auth, reason):
    graph = EX + "basic-refused"
    response = requests.post(
        server.sparql,
        data=f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}x> <{EX}p> 1 }} }}",
        headers={"Content-Type": "application/sparql-update"},
        auth=auth,
        timeout=60,
    )
    assert response.status_code == 403
    assert reason in response.text
    assert count_in(server, graph) == 0


def test_no_credentials_is_401_with_both_challenges(server):
    response = requests.post(
        server.sparql,
        data="INSERT DATA { <urn:x:a> <urn:x:b> 1 }",
        headers={"Content-Type": "application/sparql-update"},
        timeout=60,
    )
    assert response.status_code == 401
    challenges = response.headers["WWW-Authenticate"].lower()
    assert "bearer" in challenges and "basic" in challenges


@pytest.mark.parametrize(
    "header",
    ["Basic !!!not-base64", "Basic " + "bm8gY29sb24=", "Bearer not-the-token"],
)
def test_malformed_credentials_are_refused(header):
    verdict, _ = check_write(header, "the-token", ())
    assert verdict is Verdict.REFUSED


@pytest.mark.parametrize(
    "content, reason",
    [
        ("alice write\n", "line 1: expected 'NAME ACCESS HASH'"),
        ("alice admin scrypt:1$salt$hash\n", "line 1: access must be 'read' or 'write'"),
        ("# comment\nalice write plain-password\n", "line 2: the password is not a salted hash"),
        ("a read x$y\nb write x$y\na read x$z\n", "line 3: user 'a' is listed twice"),
    ],
)
def test_a_bad_users_file_says_which_line(tmp_path, content, reason):
    path = tmp_path / "users.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ComityError, match=reason):
        read_accounts(path)


def test_serve_refuses_a_bad_users_file_before_it_starts(tmp_path):
    path = tmp_path / "users.txt"
    path.write_text("alice write not-hashed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--store", "memory:", "--users", str(path)])
    assert result.exit_code == 1
    assert "line 1" in result.output and "Traceback" not in result.output


def test_users_add_hashes_and_replaces(tmp_path):
    path = tmp_path / "users.txt"
    runner = CliRunner()
    first = runner.invoke(main, ["users", "add", str(path), "ana"], input="pw-one\npw-one\n")
    assert first.exit_code == 0, first.output
    assert "pw-one" not in path.read_text()
    runner.invoke(main, ["users", "add", str(path), "ana", "--access", "read", "--password", "x"])
    (account,) = read_accounts(path)
    assert account.access == "read"
    assert check_write("Basic YW5hOng=", None, (account,))[0] is Verdict.REFUSED  # ana:x, reads
    bad = runner.invoke(main, ["users", "add", str(path), "two words", "--password", "x"])
    assert bad.exit_code == 1 and "one word" in bad.output
