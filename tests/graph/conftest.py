"""Fixtures only the graph layer's tests use."""

from collections.abc import Iterator

import pytest

import graph


@pytest.fixture
def fresh_store(store_url: str) -> Iterator[graph.KnowledgeGraph]:
    """A knowledge graph opened on an empty store of each kind, closed after the test."""
    knowledge_graph = graph.open(store_url)
    try:
        yield knowledge_graph
    finally:
        knowledge_graph.close()
