"""Typed build options: what the command line asked for, resolved once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Options:
    """One build's settings; nothing else in kkrsite reads the command line or the environment."""

    content: Path
    """The content folder (default: content/)."""
    out: Path
    """Where the site is written (default: build/)."""
    today: dt.date
    """The build date, from SOURCE_DATE_EPOCH when set."""
    templates: Path | None = None
    """A folder of templates that override the built-in ones."""
    drafts: bool = False
    """Include entries marked `draft: true`."""
    future: bool = False
    """Include columns and publications dated after today."""
    base_url: str | None = None
    """Overrides site.yaml's base_url (e.g. for a preview deploy)."""
