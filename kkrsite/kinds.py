"""What a kind of Markdown entry is: declared once, on its entity class (`Entry.KIND`).

Everything that treats kinds alike reads this declaration: the read step finds
the files in `folder`, routes give the URLs, the list and detail pages, the
feed and the menu entry, open data names the file after `collection`. Adding
a kind is written down in docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EntryKind:
    """One kind of Markdown entry: where its files lie, where it is published, its names."""

    name: str
    """English, singular: its detail template (`column.html`) and the variable in it."""
    collection: str
    """English, plural: its open-data file (`/data/columns.json`) and list template."""
    key: str
    """Danish, lower-case (`klumme`): breaks ties in sorting; never shown."""
    label: str
    """Its name beside an entry in lists of every kind, e.g. "Klumme"."""
    plural: str
    """The title of its list page and its menu entry, e.g. "Klummer"."""
    folder: str
    """Where its files lie: `kkr/<region>/<folder>/` if `in_region`, else `<folder>/`."""
    in_region: bool
    """Whether each entry belongs to one region and lives in its folder (meetings)."""
    path: str
    """Its URL segment: `/<path>/<slug>/`, or `/kkr/<region>/<path>/<slug>/` in a region."""
    dated_files: bool = True
    """Whether a file name may start with the entry's date (`2011-09-08-<slug>.md`)."""
    shown_before_its_date: bool = False
    """Whether an entry dated after today is published without --future (a planned meeting)."""
    feed_title: str | None = None
    """The title of its list's own RSS feed (`/<path>/feed.xml`), or None for no feed."""
    menu: int | None = None
    """Its place in the main menu (after Forside and KKR), or None for the footer."""

    @property
    def page_template(self) -> str:
        """The template of one entry's page."""
        return f"{self.name}.html"

    @property
    def list_template(self) -> str:
        """The template of the list of all entries of the kind."""
        return f"{self.collection}.html"
