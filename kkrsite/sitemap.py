"""sitemap.xml (every page a search engine should know) and robots.txt pointing to it."""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree import ElementTree as ET

from kkrsite.links import Links
from kkrsite.siteplan import Page

_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def write_sitemap(pages: Iterable[Page], links: Links) -> bytes:
    """A sitemaps.org urlset with the absolute URL of every page, in URL order."""
    urlset = ET.Element("urlset", xmlns=_NS)
    for url in sorted({links.absolute_url(page.url) for page in pages}):
        ET.SubElement(ET.SubElement(urlset, "url"), "loc").text = url
    ET.indent(urlset)
    return bytes(ET.tostring(urlset, encoding="utf-8", xml_declaration=True)) + b"\n"


def write_robots(sitemap_url: str) -> bytes:
    """Everything may be indexed; the sitemap says where it all is."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n".encode()
