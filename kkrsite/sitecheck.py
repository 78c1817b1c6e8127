"""Checks on a built site: every internal link resolves, every page is in the sitemap.

These read build/ as a reader's browser and a search engine would, so they
catch what no single template test sees: a link to a page that was never made.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

from kkrsite.errors import Problem

_LINKING = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src")}


class _Links(HTMLParser):
    """Collects every URL a page links to or loads, with its line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in _LINKING and value is not None:
                self.found.append((value, self.getpos()[0]))


def html_files(build: Path) -> Iterator[Path]:
    """Every HTML page under build/, in a stable order."""
    yield from sorted(build.rglob("*.html"))


def target_of(url: str, page_url: str, base_url: str, build: Path) -> Path | None:
    """The file an internal link points to, or None for a link off the site."""
    absolute = urljoin(urljoin(base_url, page_url), url)
    parts, base = urlsplit(absolute), urlsplit(base_url)
    if parts.scheme not in ("http", "https", "") or parts.netloc != base.netloc:
        return None
    if not parts.path.startswith(base.path):
        return None
    rel = unquote(parts.path[len(base.path) :])
    path = build / rel
    return path / "index.html" if rel == "" or rel.endswith("/") else path


def page_url(build: Path, path: Path) -> str:
    """The site-relative URL a file is served at: `kkr/x/index.html` → `/kkr/x/`."""
    rel = path.relative_to(build).as_posix()
    return "/" + rel.removesuffix("index.html")


def check_links(build: Path, base_url: str) -> list[Problem]:
    """A problem for every internal link or asset that does not exist in build/."""
    problems = []
    for path in html_files(build):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        here = page_url(build, path).lstrip("/")
        for url, line in parser.found:
            if url.startswith(("#", "mailto:", "tel:", "webcal:")):
                continue
            target = target_of(url, here, base_url, build)
            if target is not None and not target.is_file():
                problems.append(
                    Problem(path, line, f"broken link: {url} (no {target.relative_to(build)})")
                )
    return problems


def check_sitemap(build: Path, base_url: str) -> list[Problem]:
    """A problem for every page missing from sitemap.xml, and every sitemap URL with no page."""
    sitemap = build / "sitemap.xml"
    if not sitemap.is_file():
        return [Problem(sitemap, None, "there is no sitemap.xml")]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {e.text or "" for e in ET.parse(sitemap).getroot().findall("s:url/s:loc", ns)}
    pages = {
        urljoin(base_url, page_url(build, p).lstrip("/")): p
        for p in html_files(build)
        if p.name == "index.html"
    }
    problems = [
        Problem(path, None, f"page {url} is not in sitemap.xml")
        for url, path in sorted(pages.items())
        if url not in listed
    ]
    problems += [
        Problem(sitemap, None, f"{url} is listed but no page exists")
        for url in sorted(listed - set(pages))
    ]
    return problems
