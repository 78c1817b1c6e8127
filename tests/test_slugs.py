"""Slugs spell out the Danish letters."""

import pytest

from kkrsite.slugs import slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Møde i Næstved", "moede-i-naestved"),
        ("Ærø og Åbenrå", "aeroe-og-aabenraa"),
        ("KKR's rolle – og opgaver!", "kkr-s-rolle-og-opgaver"),
        ("Café Rémy", "cafe-remy"),
        ("  ", ""),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
