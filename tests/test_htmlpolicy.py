"""The allow-list and reserved ids: one place, kept in step with the templates."""

from pathlib import Path

from kkrsite.htmlpolicy import RESERVED_ID_PREFIXES, RESERVED_IDS
from kkrsite.htmlscan import scan_tags


def test_reserved_ids_hold_every_id_the_templates_write() -> None:
    templates = Path(__file__).resolve().parent.parent / "templates"
    literal, made = set(), set()
    for template in templates.glob("*.html"):
        for tag in scan_tags(template.read_text(encoding="utf-8")):
            value = tag.attrs.get("id")
            if value is not None and not tag.closing:
                if "{" in value:
                    made.add(value.split("{", 1)[0])
                else:
                    literal.add(value)
    assert literal, "no literal ids found: the scan is broken"
    assert literal <= RESERVED_IDS, f"add to RESERVED_IDS: {sorted(literal - RESERVED_IDS)}"
    assert made <= set(RESERVED_ID_PREFIXES), f"add to RESERVED_ID_PREFIXES: {sorted(made)}"
