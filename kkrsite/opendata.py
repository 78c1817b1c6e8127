"""Open data: the JSON files under /data/, one per name in `routes.data_files()`.

This module writes a file: its envelope, the JSON text, and which builder makes its
list (`kkrsite/opendata_people.py`, `kkrsite/opendata_entries.py`).

Every file has the same envelope (`generated_by`, `format_version`, `source`,
`timezone`) and one list named after the file; people.json holds the three
Popolo lists `persons`, `organizations` and `memberships` instead. Field names
are part of the published format (docs/open-data.md): add fields, never rename
them within a format version. Output depends only on the model, never on the
clock or the order of files on disk.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from kkrsite.dates import TIMEZONE
from kkrsite.links import Links
from kkrsite.model.entities import Site
from kkrsite.opendata_entries import (
    NOT_DATA,
    agreements_file,
    columns_file,
    kind_file,
    kind_named,
    meetings_file,
    publications_file,
    topics_file,
)
from kkrsite.opendata_people import people_file, regions_file
from kkrsite.opendata_values import Json

FORMAT_VERSION = 1
"""The major version of the format: raised only if a field is renamed or removed."""

_HTML_SAFE = str.maketrans({c: f"\\u{ord(c):04x}" for c in ("<", ">", "&", "\u2028", "\u2029")})
"""Characters written as escapes, so a file can be pasted into HTML or a <script> safely.

They can only occur inside JSON strings, and every parser reads the escape back as the
character; everything else, æøå included, is written as it is.
"""


def data_inputs(name: str, site: Site) -> tuple[tuple[object, ...], frozenset[str]]:
    """Everything in the model that /data/<name>.json is made from (besides the settings),
    and the entry fields it leaves out: the file is made again only when these change."""
    if name in ("regions", "people"):
        return (site.regions, site.people), frozenset()
    if name == "topics":
        return site.topics, frozenset()
    kind = kind_named(name)
    if kind is None:
        return (site,), frozenset()
    return site.of_kind(kind), NOT_DATA  # a kind's file: its entries, bodies aside


def write_data(name: str, site: Site, links: Links) -> bytes:
    """One /data/<name>.json file as UTF-8 bytes: pretty-printed, æøå kept as letters."""
    build = _FILES.get(name) or kind_file(name)
    document = {
        "generated_by": "kkrsite",
        "format_version": FORMAT_VERSION,
        "source": site.config.base_url,
        "timezone": TIMEZONE.key,
        **build(site, links),
    }
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
    return (text.translate(_HTML_SAFE) + "\n").encode("utf-8")


_FILES: dict[str, Callable[[Site, Links], Json]] = {
    "regions": regions_file,
    "people": people_file,
    "meetings": meetings_file,
    "agreements": agreements_file,
    "columns": columns_file,
    "publications": publications_file,
    "topics": topics_file,
}
