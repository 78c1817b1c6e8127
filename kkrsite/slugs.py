"""Slugs: ASCII names for URLs, with the Danish letters spelt out (æ→ae, ø→oe, å→aa)."""

from __future__ import annotations

import re
import unicodedata

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(text: str) -> str:
    """'Møde i Næstved' → 'moede-i-naestved'; other accents are dropped (é → e)."""
    # NFC first: an "å" typed on a Mac arrives as "a" + ring, which would lose its second "a".
    spelt = unicodedata.normalize("NFC", text).translate(_DANISH)
    ascii_text = unicodedata.normalize("NFKD", spelt).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
