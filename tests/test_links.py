"""Links honour base_url's path; absolute URLs are made on its origin."""

from pathlib import Path

from kkrsite.links import Links
from kkrsite.model.shared import Origin, Region


def test_links_follow_the_base_url_path() -> None:
    links = Links("https://example.dk/kkr/")
    region = Region("hovedstaden", "KKR Hovedstaden", "Region Hovedstaden", Origin(Path("k"), "k"))
    assert links.url("/kkr/") == "/kkr/kkr/"
    assert links.url(region) == "/kkr/kkr/hovedstaden/"
    assert links.absolute_url("/feed.xml") == "https://example.dk/kkr/feed.xml"
    assert links.absolute("https://www.kl.dk/") == "https://www.kl.dk/"


def test_a_site_at_the_root() -> None:
    links = Links("https://kkr.example.dk/")
    assert links.url("/") == "/"
    assert links.absolute_url("/klummer/") == "https://kkr.example.dk/klummer/"
