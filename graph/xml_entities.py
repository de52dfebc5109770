"""How large an RDF/XML document becomes once its own entities are expanded.

The RDF/XML parser expands the entities a document declares in its DOCTYPE, so a few hundred
bytes that nest references ten deep ("billion laughs") become gigabytes inside the parser
before a single triple comes out. Reading the declarations first tells the expanded size
exactly, in time linear in the document, so a caller can refuse the document before parsing.
"""

import re

_DECLARATION = re.compile(
    rb"<!ENTITY\s+(?P<name>[^\s%\"'<>]+)\s+(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')"
)
"""An internal general entity: `<!ENTITY name "value">` (parameter entities, `%`, are not
expanded in a document's content and are left out)."""

_REFERENCE = re.compile(rb"&(?P<name>[^\s;&#<>\"']+);")
"""A reference to a general entity (character references, `&#...;`, expand to one character)."""

_DOCTYPE_END = re.compile(rb"\]\s*>")


def expanded_size(document: bytes, limit: int) -> int:
    """The document's size with every entity reference replaced by its value, counted up to
    just past `limit` (a reference cycle counts as past it)."""
    values: dict[bytes, bytes] = {}
    for declaration in _DECLARATION.finditer(document):
        name = declaration["name"]
        value = (
            declaration["double"] if declaration["double"] is not None else declaration["single"]
        )
        values.setdefault(name, value)  # XML: the first declaration of a name holds
    if not values:
        return len(document)
    sizes: dict[bytes, int] = {}

    def size_of(name: bytes, open_names: frozenset[bytes]) -> int:
        if name in sizes:
            return sizes[name]
        if name not in values:
            return len(name) + 2  # predefined (&amp;) or undeclared: the parser's business
        if name in open_names:
            return limit + 1
        value = values[name]
        total = len(value)
        for reference in _REFERENCE.finditer(value):
            total += size_of(reference["name"], open_names | {name}) - len(reference[0])
            if total > limit:
                break
        sizes[name] = min(total, limit + 1)
        return sizes[name]

    body_start = _body_start(document)
    total = len(document)
    for reference in _REFERENCE.finditer(document, body_start):
        total += size_of(reference["name"], frozenset()) - len(reference[0])
        if total > limit:
            return limit + 1
    return total


def _body_start(document: bytes) -> int:
    """Where the content after the DOCTYPE's internal subset begins (0 without one)."""
    doctype = document.find(b"<!DOCTYPE")
    if doctype < 0:
        return 0
    end = _DOCTYPE_END.search(document, doctype)
    return end.end() if end else 0
