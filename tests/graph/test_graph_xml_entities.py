"""The expanded size of an RDF/XML document's entities, read before any parser runs."""

from graph.xml_entities import expanded_size


def test_a_document_without_entities_is_its_own_size():
    document = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    assert expanded_size(document, 1000) == len(document)


def test_each_reference_counts_its_whole_expansion():
    document = b'<!DOCTYPE r [<!ENTITY a "xyz"><!ENTITY b "&a;&a;&a;">]><r>&b;&b;&amp;</r>'
    body = len(document) - 2 * len(b"&b;")
    assert expanded_size(document, 10_000) == body + 2 * 9


def test_nesting_stops_counting_past_the_limit():
    levels = ['<!ENTITY l0 "' + "x" * 50 + '">']
    levels += [f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 12)]
    document = ("<!DOCTYPE r [" + "".join(levels) + "]><r>&l11;</r>").encode()
    assert expanded_size(document, 10**6) == 10**6 + 1


def test_a_reference_cycle_counts_as_past_the_limit():
    document = b'<!DOCTYPE r [<!ENTITY a "&b;"><!ENTITY b "&a;">]><r>&a;</r>'
    assert expanded_size(document, 1000) == 1001


def test_the_first_declaration_of_a_name_holds():
    document = b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY a "yyyyyyyyyy">]><r>&a;</r>'
    assert expanded_size(document, 1000) == len(document) - len(b"&a;") + 1
