"""Fixtures only the ontology's tests use."""

import pytest
from rdflib import Graph

from ontology.vocabulary import read_ontology


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """The ontology's own triples, read once per test module."""
    return Graph().parse(data=read_ontology(), format="nt")
