"""The glossary (notebooks/glossary.md, issue 20): one entry per term, each naming a lesson that exists,
in alphabetical order; every link into it from a lesson lands on an entry."""
import re
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
GLOSSARY = (NOTEBOOKS / "glossary.md").read_text()
ENTRY = re.compile(r'<a id="([a-z0-9-]+)"></a>\*\*(.+?)\*\* — (.+?)\[Lesson (\d\d)\]\((\S+?)\)', re.S)


def entries() -> list[tuple[str, str, str, str, str]]:
    return ENTRY.findall(GLOSSARY)


def test_every_entry_is_read_and_anchored_once():
    found = entries()
    assert len(found) == GLOSSARY.count('<a id="') >= 20
    anchors = [anchor for anchor, *_ in found]
    assert len(set(anchors)) == len(anchors)


def test_entries_are_in_alphabetical_order_and_name_lessons_that_exist():
    terms = [term.lower() for _, term, *_ in entries()]
    assert terms == sorted(terms)
    for _, term, _, number, target in entries():
        assert (NOTEBOOKS / target).exists() and target.startswith(number), (term, target)


def test_links_from_lessons_land_on_entries():
    anchors = {anchor for anchor, *_ in entries()}
    links = [(path.name, anchor) for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
             for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown"
             for anchor in re.findall(r"\(glossary\.md#([^)\s]+)\)", cell.source)]
    assert links, "no lesson links to the glossary"
    dead = [(name, anchor) for name, anchor in links if anchor not in anchors]
    assert not dead, f"links to glossary entries that do not exist: {dead}"
