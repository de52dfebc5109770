"""The reconciliation service at /reconcile, through a real `comity serve` on a socket: the
manifest and answers against the specification's JSON schemas, accuracy on a list of names
written here, data extension read from the store, and refusals of bad input."""

import csv
import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from ontology import COMITY, ID
from ontology.reference import load_reference

DATA = Path(__file__).parent / "data" / "reconciliation"
# The JSON schemas of API version 0.2 are copied unchanged from the W3C Entity Reconciliation
# Community Group's specification repository:
# https://github.com/reconciliation-api/specs/tree/8d66bdba2e351a890a1126f2a8f139c9afd47553/0.2/schemas
SCHEMAS = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in DATA.glob("*.json")}
REGISTRY = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
    for schema in SCHEMAS.values()
)
REQUIRED_ACCURACY = 0.95
MAX_EXTEND_IDS = 500


def validate(document: Any, schema: str) -> None:
    """Fail with every schema violation listed, not only the first."""
    validator = Draft7Validator(SCHEMAS[schema], registry=REGISTRY)
    errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(document)]
    assert not errors, errors


def reconcile(server, batch: dict[str, Any]) -> requests.Response:
    return requests.post(f"{server.url}/reconcile", data={"queries": json.dumps(batch)}, timeout=60)


def results(server, batch: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    response = reconcile(server, batch)
    assert response.status_code == 200, response.text
    answer = response.json()
    validate(answer, "reconciliation-result-batch")
    assert set(answer) == set(batch)
    return {key: value["result"] for key, value in answer.items()}


def top(server, name: str, entity_type: str | None = None) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"query": name}
    if entity_type:
        query["type"] = entity_type
    return results(server, {"q0": query})["q0"]


# --- the manifest ----------------------------------------------------------------------------


def test_the_manifest_validates_against_the_schema(comity_server):
    response = requests.get(f"{comity_server.url}/reconcile", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    manifest = response.json()
    validate(manifest, "manifest")
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == ID
    assert manifest["schemaSpace"] == str(COMITY)
    assert [kind["id"] for kind in manifest["defaultTypes"]] == ["State", "Organisation", "Treaty"]
    assert all(kind["name"] for kind in manifest["defaultTypes"])


def test_the_manifest_links_to_pages_the_server_serves(comity_server):
    manifest = requests.get(f"{comity_server.url}/reconcile", timeout=30).json()
    page = requests.get(manifest["view"]["url"].replace("{{id}}", "state/FRA"), timeout=30)
    assert page.status_code == 200
    assert "France" in page.text
    preview = requests.get(manifest["preview"]["url"].replace("{{id}}", "state/FRA"), timeout=30)
    assert preview.status_code == 200
    for service in ("entity", "type", "property"):
        declared = manifest["suggest"][service]
        url = declared["service_url"] + declared["service_path"]
        assert requests.get(url, params={"prefix": "a"}, timeout=30).status_code == 200
    proposals = manifest["extend"]["propose_properties"]
    url = proposals["service_url"] + proposals["service_path"]
    assert requests.get(url, params={"type": "State"}, timeout=30).status_code == 200


def test_the_manifest_declares_the_limit_setting(comity_server):
    settings = requests.get(f"{comity_server.url}/reconcile", timeout=30).json()["extend"][
        "property_settings"
    ]
    assert [(setting["name"], setting["type"], setting["default"]) for setting in settings] == [
        ("limit", "number", 0)
    ]


def test_the_manifest_as_jsonp(comity_server):
    response = requests.get(
        f"{comity_server.url}/reconcile", params={"callback": "jsonp.cb_1"}, timeout=30
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    body = response.text
    assert body.startswith("jsonp.cb_1(") and body.endswith(");")
    validate(json.loads(body[len("jsonp.cb_1(") : -2]), "manifest")


def test_a_callback_that_is_not_a_function_name_is_refused(comity_server):
    response = requests.get(
        f"{comity_server.url}/reconcile", params={"callback": "alert(1)//"}, timeout=30
    )
    assert response.status_code == 400
    assert "callback" in response.json()["message"]


# --- reconciling -----------------------------------------------------------------------------


def test_accuracy_on_the_list_of_names(comity_server):
    with (DATA / "names.csv").open(encoding="utf-8", newline="") as table:
        rows = list(csv.DictReader(table))
    assert len(rows) == 50
    batch = {
        f"q{number}": {"query": row["name"], **({"type": row["type"]} if row["type"] else {})}
        for number, row in enumerate(rows)
    }
    answers = results(comity_server, batch)
    misses = []
    for number, row in enumerate(rows):
        candidates = answers[f"q{number}"]
        found = candidates[0]["id"] if candidates else None
        if found not in (row["expected"], ID + row["expected"]):
            misses.append(f"{row['name']!r} ({row['type'] or 'any type'}): {found}")
    accuracy = 1 - len(misses) / len(rows)
    print(f"top-1 accuracy {accuracy:.0%}; misses: {misses or 'none'}")
    assert accuracy >= REQUIRED_ACCURACY, misses


def test_candidates_are_best_first_and_typed(comity_server):
    candidates = top(comity_server, "Swizerland")
    assert candidates[0]["id"] == "state/CHE"
    assert candidates[0]["type"] == [{"id": "State", "name": "State"}]
    scores = [candidate["score"] for candidate in candidates]
    assert scores == sorted(scores, reverse=True)


def test_match_only_for_an_exact_unambiguous_name(comity_server):
    assert top(comity_server, "FRANCE")[0]["match"] is True
    assert top(comity_server, "République française ")[0]["match"] is True
    misspelt = top(comity_server, "Swizerland")[0]
    assert misspelt["id"] == "state/CHE" and misspelt["match"] is False
    # "AU": Australia's ISO code and the African Union's acronym.
    shared = top(comity_server, "AU")
    assert {candidate["id"] for candidate in shared[:2]} == {"state/AUS", "org/african-union"}
    assert not any(candidate["match"] for candidate in shared)
    typed = top(comity_server, "AU", "Organisation")
    assert [candidate["id"] for candidate in typed] == ["org/african-union"]
    assert typed[0]["match"] is True


def test_a_type_restricts_the_candidates(comity_server):
    assert {candidate["id"] for candidate in top(comity_server, "Luxembourg")} >= {
        "state/LUX",
        "place/luxembourg",
    }
    places = top(comity_server, "Luxembourg", f"{COMITY}Place")
    assert places[0]["id"] == "place/luxembourg" and places[0]["match"] is True
    assert all(candidate["type"][0]["id"] == "Place" for candidate in places)
    either = results(comity_server, {"q": {"query": "Luxembourg", "type": ["Place", "State"]}})
    assert {candidate["id"] for candidate in either["q"]} >= {"state/LUX", "place/luxembourg"}


def test_treaty_numbers_in_every_spelling(comity_server):
    for spelling in ("ETS 185", "ETS No. 185", "STE n° 185", "ets-185", "CETS 185"):
        assert top(comity_server, spelling, "Treaty")[0]["id"] == "treaty/ets-185", spelling
    assert top(comity_server, "Convention 108+", "Treaty")[0]["id"] == "treaty/cets-223"


def test_limit_and_a_get_with_queries(comity_server):
    batch = {"a": {"query": "Convention", "type": "Treaty", "limit": 3}}
    response = requests.get(
        f"{comity_server.url}/reconcile", params={"queries": json.dumps(batch)}, timeout=30
    )
    assert response.status_code == 200
    assert len(response.json()["a"]["result"]) == 3


def test_a_full_batch_answers_quickly(comity_server):
    names = ["Swizerland", "Lituania", "Convension on Cybercrim", "World Trade Organisation"]
    batch = {f"q{number}": {"query": names[number % 4]} for number in range(1000)}
    top(comity_server, "France")  # the index is built at the first reconciliation
    started = time.monotonic()
    answers = results(comity_server, batch)
    assert time.monotonic() - started < 20
    assert answers["q1"][0]["id"] == "state/LTU"


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [{"query": ""}, {"query": "   "}, {"type": "State"}])
def test_an_empty_name_is_refused_naming_its_key(comity_server, query):
    response = reconcile(comity_server, {"q0": {"query": "France"}, "row-7": query})
    assert response.status_code == 400
    message = response.json()["message"]
    assert "'row-7'" in message and "query" in message


def test_an_unknown_type_is_refused_naming_the_known_ones(comity_server):
    response = reconcile(comity_server, {"q0": {"query": "France", "type": "Country"}})
    assert response.status_code == 400
    message = response.json()["message"]
    assert "'Country'" in message
    assert all(name in message for name in ("State", "Organisation", "Treaty"))


def test_a_batch_past_the_limit_is_413_at_once(comity_server):
    batch = {f"q{number}": {"query": "Swizerland"} for number in range(10_000)}
    started = time.monotonic()
    response = reconcile(comity_server, batch)
    assert time.monotonic() - started < 5
    assert response.status_code == 413
    assert "10000" in response.json()["message"] and "1000" in response.json()["message"]


def test_malformed_json_gets_the_parser_message(comity_server):
    response = requests.post(
        f"{comity_server.url}/reconcile", data={"queries": '{"q0": {"query": "France"'}, timeout=30
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]
    assert "line 1 column" in response.json()["message"]


@pytest.mark.parametrize(
    "form, words",
    [
        ({}, "`queries` form field"),
        ({"queries": "[1, 2]"}, "JSON object"),
        ({"queries": '{"q0": "France"}'}, "JSON object"),
        ({"queries": '{"q0": {"query": "France", "limit": 0}}'}, "limit"),
    ],
)
def test_other_malformed_batches(comity_server, form, words):
    response = requests.post(f"{comity_server.url}/reconcile", data=form, timeout=30)
    assert response.status_code == 400
    assert words in response.json()["message"]


# --- suggest and preview ---------------------------------------------------------------------


def test_suggest_entity(comity_server):
    url = f"{comity_server.url}/reconcile/suggest/entity"
    answer = requests.get(url, params={"prefix": "Switz"}, timeout=30).json()
    validate(answer, "suggest-entities-response")
    assert answer["result"][0]["id"] == "state/CHE"
    treaties = requests.get(url, params={"prefix": "ETS 18", "type": "Treaty"}, timeout=30).json()
    assert "treaty/ets-185" in [entry["id"] for entry in treaties["result"]]
    assert all(entry["notable"][0]["id"] == "Treaty" for entry in treaties["result"])
    first = requests.get(url, params={"prefix": "a"}, timeout=30).json()["result"]
    more = requests.get(url, params={"prefix": "a", "cursor": "10"}, timeout=30).json()["result"]
    assert first and more and not {entry["id"] for entry in first} & {e["id"] for e in more}
    by_id = requests.get(url, params={"prefix": "state/FRA"}, timeout=30).json()["result"]
    assert by_id[0]["id"] == "state/FRA"


def test_suggest_type(comity_server):
    answer = requests.get(
        f"{comity_server.url}/reconcile/suggest/type", params={"prefix": "tr"}, timeout=30
    ).json()
    validate(answer, "suggest-types-response")
    assert [entry["id"] for entry in answer["result"]] == ["Treaty"]


def test_preview(comity_server):
    response = requests.get(
        f"{comity_server.url}/reconcile/preview", params={"id": "treaty/ets-185"}, timeout=30
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    for fact in ("Convention on Cybercrime", "Treaty", "ETS 185", "Convention sur la cybercrim"):
        assert fact in response.text
    assert "<html" not in response.text  # a fragment for an iframe or a flyout
    missing = requests.get(
        f"{comity_server.url}/reconcile/preview", params={"id": "state/XXX"}, timeout=30
    )
    assert missing.status_code == 404
    assert "state/XXX" in missing.json()["message"]


def test_suggest_property(comity_server):
    url = f"{comity_server.url}/reconcile/suggest/property"
    answer = requests.get(url, params={"prefix": "member"}, timeout=30).json()
    validate(answer, "suggest-properties-response")
    assert [entry["id"] for entry in answer["result"]] == ["memberOf", "hasMember"]
    codes = requests.get(url, params={"prefix": "iso"}, timeout=30).json()["result"]
    assert [entry["id"] for entry in codes] == ["iso3166Alpha2", "iso3166Alpha3"]
    force = requests.get(url, params={"prefix": "Force"}, timeout=30).json()["result"]
    assert [entry["id"] for entry in force] == ["entryIntoForce"]


# --- data extension --------------------------------------------------------------------------


def propose(server, **params: str) -> requests.Response:
    return requests.get(f"{server.url}/reconcile/properties", params=params, timeout=30)


def extend(server, query: Any, method: str = "POST") -> requests.Response:
    form = {"extend": query if isinstance(query, str) else json.dumps(query)}
    if method == "GET":
        return requests.get(f"{server.url}/reconcile", params=form, timeout=60)
    return requests.post(f"{server.url}/reconcile", data=form, timeout=60)


def extended(server, ids: list[str], *properties: str | dict[str, Any]) -> dict[str, Any]:
    """The rows of a data extension, after checking query and answer against the schemas."""
    query = {
        "ids": ids,
        "properties": [{"id": prop} if isinstance(prop, str) else prop for prop in properties],
    }
    validate(query, "data-extension-query")
    response = extend(server, query)
    assert response.status_code == 200, response.text
    answer = response.json()
    validate(answer, "data-extension-response")
    assert list(answer["rows"]) == list(dict.fromkeys(ids))
    return answer


@pytest.mark.parametrize(
    "entity_type, expected",
    [
        ("State", {"iso3166Alpha2", "iso3166Alpha3", "wikidata", "memberOf", "partyTo"}),
        ("Organisation", {"wikidata", "headquarters", "foundingDate", "hasMember", "acronym"}),
        (
            f"{COMITY}Treaty",
            {"treatyNumber", "wikidata", "openedForSignature", "entryIntoForce", "party"},
        ),
    ],
)
def test_properties_are_proposed_per_type(comity_server, entity_type, expected):
    response = propose(comity_server, type=entity_type)
    assert response.status_code == 200
    answer = response.json()
    validate(answer, "data-extension-property-proposal")
    assert answer["type"] == entity_type
    proposed = {prop["id"] for prop in answer["properties"]}
    assert proposed >= expected
    assert "iso3166Alpha2" not in proposed or entity_type == "State"
    assert all(prop["name"] and prop["description"] for prop in answer["properties"])


def test_property_proposals_with_a_limit_or_without_a_type(comity_server):
    limited = propose(comity_server, type="State", limit="2").json()
    assert limited["limit"] == 2
    assert [prop["id"] for prop in limited["properties"]] == ["iso3166Alpha2", "iso3166Alpha3"]
    every = propose(comity_server).json()
    validate(every, "data-extension-property-proposal")
    assert {"iso3166Alpha2", "headquarters", "entryIntoForce"} <= {
        prop["id"] for prop in every["properties"]
    }


@pytest.mark.parametrize(
    "params, words",
    [({"type": "Country"}, "'Country'"), ({"type": "State", "limit": "0"}, "limit")],
)
def test_bad_property_proposals_are_refused(comity_server, params, words):
    response = propose(comity_server, **params)
    assert response.status_code == 400
    assert words in response.json()["message"]


def test_extension_of_a_state_an_organisation_and_a_treaty(comity_server):
    answer = extended(
        comity_server,
        ["state/FRA", "org/council-of-europe", "treaty/ets-185"],
        "iso3166Alpha3",
        "wikidata",
        "memberOf",
        "headquarters",
        "foundingDate",
        "openedForSignature",
        "entryIntoForce",
        "openedAt",
    )
    assert [column["id"] for column in answer["meta"]][:3] == [
        "iso3166Alpha3",
        "wikidata",
        "memberOf",
    ]
    assert answer["meta"][2]["type"] == {"id": "Organisation", "name": "Organisation"}
    france, europe, cybercrime = answer["rows"].values()
    assert france["iso3166Alpha3"] == [{"str": "FRA"}]
    assert france["wikidata"] == [{"str": "Q142"}]
    assert {"id": "org/council-of-europe", "name": "Council of Europe"} in france["memberOf"]
    assert {"id": "org/united-nations", "name": "United Nations"} in france["memberOf"]
    assert france["headquarters"] == [] and france["entryIntoForce"] == []
    assert europe["headquarters"] == [{"id": "place/strasbourg", "name": "Strasbourg"}]
    assert europe["foundingDate"] == [{"str": "1949"}]  # a year has no day to give
    assert europe["wikidata"] == [{"str": "Q8908"}]
    assert cybercrime["openedForSignature"] == [{"date": "2001-11-23T00:00:00Z"}]
    assert cybercrime["entryIntoForce"] == [{"date": "2004-07-01T00:00:00Z"}]
    assert cybercrime["openedAt"] == [{"id": "place/budapest", "name": "Budapest"}]


def test_extension_by_get_with_full_iris_and_a_former_state(comity_server):
    query = {
        "ids": [f"{ID}state/SUN"],
        "properties": [{"id": "dissolutionDate"}, {"id": "successor"}, {"id": "nameFr"}],
    }
    response = extend(comity_server, query, method="GET")
    assert response.status_code == 200
    row = response.json()["rows"][f"{ID}state/SUN"]
    assert row["dissolutionDate"] == [{"date": "1991-12-26T00:00:00Z"}]
    assert {"id": "state/RUS", "name": "Russian Federation"} in row["successor"]
    assert len(row["successor"]) == 15
    assert row["nameFr"] == [{"str": "Union soviétique"}]


def test_the_limit_setting_keeps_the_first_values_by_name(comity_server):
    everything = extended(comity_server, ["org/council-of-europe"], "hasMember")
    members = everything["rows"]["org/council-of-europe"]["hasMember"]
    assert len(members) > 40
    assert [member["name"] for member in members] == sorted(member["name"] for member in members)
    for limit in (3, "3"):
        answer = extended(
            comity_server,
            ["org/council-of-europe"],
            {"id": "hasMember", "settings": {"limit": limit}},
        )
        assert answer["rows"]["org/council-of-europe"]["hasMember"] == members[:3]
    unlimited = extended(
        comity_server, ["org/council-of-europe"], {"id": "hasMember", "settings": {"limit": 0}}
    )
    assert unlimited["rows"]["org/council-of-europe"]["hasMember"] == members


def test_extension_reads_what_was_written_to_the_store(comity_server):
    # A ratification in a graph of this test's own: the server reasons after the write, so
    # Iceland becomes a party of the convention on protection of minorities (ETS 157).
    graph = "http://example.org/reconcile-extension"
    response = comity_server.update(
        f"""PREFIX comity: <{COMITY}> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT DATA {{ GRAPH <{graph}> {{
            <http://example.org/ratification-isl-157> a comity:Ratification ;
                comity:actor <{ID}state/ISL> ; comity:treaty <{ID}treaty/ets-157> ;
                comity:date "2010-03-01"^^xsd:date . }} }}"""
    )
    assert response.status_code in (200, 204), response.text
    answer = extended(comity_server, ["state/ISL", "treaty/ets-157"], "partyTo", "party")
    iceland, treaty = answer["rows"]["state/ISL"], answer["rows"]["treaty/ets-157"]
    assert {value["id"] for value in iceland["partyTo"]} >= {"treaty/ets-157"}
    assert {"id": "state/ISL", "name": "Iceland"} in treaty["party"]
    assert answer["meta"][0]["type"] == {"id": "Treaty", "name": "Treaty"}
    assert "type" not in answer["meta"][1]  # parties are states or organisations


def test_an_unknown_entity_gets_a_row_without_values(comity_server):
    answer = extended(comity_server, ["state/XXX", "state/FRA", "state/XXX"], "iso3166Alpha2")
    assert answer["rows"] == {
        "state/XXX": {"iso3166Alpha2": []},
        "state/FRA": {"iso3166Alpha2": [{"str": "FR"}]},
    }


def test_a_full_extension_answers_quickly(comity_server):
    ids = [entity.iri[len(ID) :] for entity in load_reference().entities()][:MAX_EXTEND_IDS]
    assert len(ids) == MAX_EXTEND_IDS
    properties = [prop["id"] for prop in propose(comity_server).json()["properties"]]
    started = time.monotonic()
    answer = extended(comity_server, ids, *properties)
    assert time.monotonic() - started < 20
    assert answer["rows"]["state/DEU"]["iso3166Alpha2"] == [{"str": "DE"}]


def test_too_many_ids_are_refused_at_once(comity_server):
    ids = [f"state/S{number:05d}" for number in range(10_000)]
    started = time.monotonic()
    response = extend(comity_server, {"ids": ids, "properties": [{"id": "wikidata"}]})
    assert time.monotonic() - started < 5
    assert response.status_code == 413
    assert "10000" in response.json()["message"] and "500" in response.json()["message"]


@pytest.mark.parametrize(
    "query, words",
    [
        ({"ids": ["state/FRA"], "properties": [{"id": "capital"}]}, ["'capital'", "memberOf"]),
        ({"ids": [], "properties": [{"id": "wikidata"}]}, ["`ids` is empty"]),
        ('{"ids": ["state/FRA"], "properties": [', ["not valid JSON", "line 1 column"]),
        ("[]", ["JSON object"]),
        ({"ids": "state/FRA", "properties": [{"id": "wikidata"}]}, ["`ids`"]),
        ({"ids": [7], "properties": [{"id": "wikidata"}]}, ["`ids`"]),
        ({"ids": ["state/FRA"]}, ["`properties`"]),
        ({"ids": ["state/FRA"], "properties": []}, ["`properties`"]),
        ({"ids": ["state/FRA"], "properties": ["wikidata"]}, ['"id"']),
        ({"ids": ["state/FRA> } DROP ALL"], "properties": [{"id": "wikidata"}]}, ["entity id"]),
        (
            {"ids": ["state/FRA"], "properties": [{"id": "memberOf", "settings": {"limit": -1}}]},
            ["'memberOf'", "`limit`"],
        ),
        (
            {"ids": ["state/FRA"], "properties": [{"id": "memberOf", "settings": {"lang": "fr"}}]},
            ["'memberOf'", "lang"],
        ),
    ],
)
def test_bad_extensions_are_refused(comity_server, query, words):
    response = extend(comity_server, query)
    assert response.status_code == 400
    message = response.json()["message"]
    assert all(word in message for word in words), message


def test_queries_and_extend_in_one_request_are_refused(comity_server):
    response = requests.post(
        f"{comity_server.url}/reconcile",
        data={
            "queries": json.dumps({"q0": {"query": "France"}}),
            "extend": json.dumps({"ids": ["state/FRA"], "properties": [{"id": "wikidata"}]}),
        },
        timeout=30,
    )
    assert response.status_code == 400
    assert "`queries`" in response.json()["message"]


def test_an_extension_past_the_time_limit_is_a_json_error(server_factory):
    # The values are read like any query, by the query workers within the server's limit.
    server = server_factory(extra=["--timeout", "0.001"])
    started = time.monotonic()
    response = extend(server, {"ids": ["state/FRA"], "properties": [{"id": "memberOf"}]})
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["message"]
