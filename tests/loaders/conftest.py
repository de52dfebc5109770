"""Fixtures only the loaders' tests use."""

from collections.abc import Iterator

import pytest

import graph


@pytest.fixture
def kg() -> Iterator[graph.KnowledgeGraph]:
    """An empty knowledge graph in memory, for one test."""
    store = graph.open("memory:")
    yield store
    store.close()
