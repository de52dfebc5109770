"""Values kept until the store changes: the one idea behind the answer cache and the server's
response cache.

Each write bumps the generation and empties the cache; a value computed at an older generation
than the current one is never kept, so what the cache gives is always what computing afresh
would give. The cache is bounded in bytes and lets the least recently used values go first.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


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
        """Keep a value computed at `generation`, unless a write has come since."""
        size = self._size_of(key, value)
        if size > self._max_bytes // 16:
            return
        with self._lock:
            if generation != self.generation or key in self._entries:
                return
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
            self._bytes = 0
