"""The sitemap lists every page once, absolute; robots.txt points to it."""

from xml.etree import ElementTree as ET

from kkrsite.links import Links
from kkrsite.sitemap import write_robots, write_sitemap
from kkrsite.siteplan import Page


def test_sitemap_lists_absolute_urls_once_in_order() -> None:
    pages = [Page("/kkr/", "x", "x"), Page("/", "x", "x"), Page("/kkr/", "x", "x")]
    root = ET.fromstring(write_sitemap(pages, Links("https://kkr.example.dk/")))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in root.findall("s:url/s:loc", ns)]
    assert locs == ["https://kkr.example.dk/", "https://kkr.example.dk/kkr/"]


def test_robots_points_to_the_sitemap() -> None:
    text = write_robots("https://kkr.example.dk/sitemap.xml").decode()
    assert "Sitemap: https://kkr.example.dk/sitemap.xml" in text.splitlines()
