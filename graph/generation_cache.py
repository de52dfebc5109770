"""Values kept until the store changes: the one idea behind the answer cache and the server's
response cache.

Each write bumps the generation and empties the cache; a value computed at an older generation
than the current one is never kept, so what the cache gives is always what computing afresh
would give. The cache is bounded in bytes and lets the least recently used values go first.

A value is kept only the second time its key is offered at one generation: most queries
researchers send are new texts, asked once, and keeping each of their answers would fill the
cache (and the server's memory) with answers nobody asks for again. Keys offered once are
remembered as their hashes only, a bounded number of them.
"""

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")

DEFAULT_MAX_BYTES = 64 * 1024 * 1024

SEEN_ONCE_LIMIT = 65_536
"""Hashes of keys offered once that are remembered; past it the oldest half is forgotten."""


class GenerationCache(Generic[Key, Value]):
    """Values by key, each counting `size_of(key, value)` bytes against `max_bytes`; a value
    larger than a sixteenth of the bound is not kept, so that one answer cannot empty the
    cache."""

    def __init__(
        self, size_of: Callable[[Key, Value], int], max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self._size_of = size_of
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[Key, tuple[Value, int]] = OrderedDict()
        self._seen_once: dict[int, None] = {}
        self._lock = threading.Lock()
        self.generation = 0
        """Read before a value is computed, and given back to `put` with it."""

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> Value | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Key, generation: int, value: Value) -> None:
        """Keep a value computed at `generation`, unless a write has come since, or its key is
        offered for the first time at this generation."""
        size = self._size_of(key, value)
        if size > self._max_bytes // 16:
            return
        with self._lock:
            if generation != self.generation or key in self._entries:
                return
            fingerprint = hash(key)
            if fingerprint not in self._seen_once:
                self._remember(fingerprint)
                return
            del self._seen_once[fingerprint]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self._max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def invalidate(self) -> None:
        """The store changed: forget everything."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self._seen_once.clear()
            self._bytes = 0

    def _remember(self, fingerprint: int) -> None:
        self._seen_once[fingerprint] = None
        if len(self._seen_once) > SEEN_ONCE_LIMIT:
            for old in list(itertools.islice(self._seen_once, SEEN_ONCE_LIMIT // 2)):
                del self._seen_once[old]
