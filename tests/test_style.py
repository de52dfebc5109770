"""The tests themselves: a test waits for the event that says something has happened, not for a
while. A sleep passes when the event is merely late and slows every run by its full length, so
each one left must say, in a comment on its line or the line before, why no event exists."""

import ast
import io
import tokenize
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def comment_lines(source: str) -> set[int]:
    """The numbers of the lines that hold a comment."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {token.start[0] for token in tokens if token.type == tokenize.COMMENT}


def sleeps(source: str) -> list[int]:
    """The lines of every call to a function named sleep (`time.sleep(...)`, `sleep(...)`)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "sleep")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "sleep")
        )
    ]


def unexplained_sleeps(source: str) -> list[int]:
    commented = comment_lines(source)
    return [line for line in sleeps(source) if not {line, line - 1} & commented]


def test_every_sleep_in_the_tests_says_why_no_event_exists():
    unexplained = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in unexplained_sleeps(path.read_text(encoding="utf-8"))
    ]
    assert unexplained == [], "a sleep without a comment saying why no event exists"


def test_a_sleep_without_a_comment_is_found():
    source = (
        "import time\n"
        "time.sleep(1)\n"
        "# Polling the port: nothing says the server listens.\n"
        "time.sleep(0.1)\n"
        "time.sleep(0.2)  # CPU use is only seen over an interval\n"
        "done = False\n"
        "sleep(3)\n"
    )
    assert unexplained_sleeps(source) == [2, 7]
