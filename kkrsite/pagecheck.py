"""Checks on a built site's pages: links resolve, nothing runs script, each is in the sitemap.

These read build/ as a reader's browser and a search engine would, so they catch
what no single template test sees: a link to a page that was never made, or markup
that would run script. Markup is judged by an HTML5 parse (lexbor), the reading a
browser makes, never by patterns in the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

from selectolax.lexbor import LexborHTMLParser

from kkrsite.errors import Problem
from kkrsite.htmlscan import scan_tags

_LINKING = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src")}
"""The URLs a page links to or loads from the site: each must exist in build/."""
URL_ATTRIBUTES = frozenset({
    "action", "archive", "background", "cite", "classid", "codebase", "data", "dynsrc",
    "formaction", "href", "icon", "itemtype", "longdesc", "lowsrc", "manifest", "ping", "poster",
    "profile", "src", "srcset", "usemap", "xlink:href",
})  # fmt: skip
"""Attributes a browser reads a URL (srcset: several) from."""
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data"})
"""URL schemes that run script or open a document made by the URL itself."""
EMBEDDING = frozenset({"applet", "base", "embed", "frame", "frameset", "iframe", "object"})
"""Elements the site never uses: they load other documents into a page, or re-aim its links."""


def html_files(build: Path) -> Iterator[Path]:
    """Every HTML page under build/, in a stable order."""
    yield from sorted(build.rglob("*.html"))


def target_of(url: str, page_url: str, base_url: str, build: Path) -> Path | None:
    """The file an internal link points to, or None for a link off the site.

    Raises ValueError for a URL that does not parse (e.g. `http://[::1`).
    """
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


def scheme_of(url: str) -> str | None:
    """A URL's scheme, lower case, as a browser reads it ('' if relative, None if no URL).

    urlsplit strips what the URL standard strips first: leading and trailing
    spaces and control characters, and tabs and newlines anywhere (`java\\tscript:`).
    """
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return None


def attribute_urls(attribute: str, value: str) -> list[str]:
    """The URLs in an attribute's value: one, or each candidate of a srcset."""
    if attribute != "srcset":
        return [value]
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


def _read_page(path: Path) -> str | Problem:
    """A page's text, or the problem that it is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        return Problem(path, line, f"not UTF-8 (byte 0x{byte}): every page must be UTF-8")


class _Lines:
    """Lines of tags and attributes in a page, found by tokenizing it once, when first asked.

    lexbor's nodes carry no line; only pages with a problem pay for this pass.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.tags: dict[str, int] | None = None
        self.attributes: dict[tuple[str, str, str], int] = {}

    def _scan(self) -> dict[str, int]:
        if self.tags is None:
            self.tags = {}
            line, counted_to = 1, 0
            for tag in scan_tags(self.text):
                if tag.closing:
                    continue
                line += self.text.count("\n", counted_to, tag.offset)
                counted_to = tag.offset
                self.tags.setdefault(tag.name, line)
                for name, value in tag.attrs.items():
                    self.attributes.setdefault((tag.name, name, unescape(value)), line)
        return self.tags

    def of_tag(self, tag: str) -> int | None:
        """The line of the first start tag of this name."""
        return self._scan().get(tag)

    def of_attribute(self, tag: str, attribute: str, value: str) -> int | None:
        """The line of the first such tag with this attribute and value, else of the tag."""
        self._scan()
        return self.attributes.get((tag, attribute, value), self.of_tag(tag))


def check_links(build: Path, base_url: str) -> list[Problem]:
    """For every page: each internal link or asset exists in build/, and nothing runs script.

    Script is anything a browser would run that the site's templates never write:
    an inline event handler, a javascript:, vbscript: or data: URL, a script that is
    inline or from another site, or an element that embeds another document.
    """
    problems: list[Problem] = []
    for path in html_files(build):
        problems += _check_page(path, build, base_url)
    return problems


def _check_page(path: Path, build: Path, base_url: str) -> list[Problem]:
    text = _read_page(path)
    if isinstance(text, Problem):
        return [text]
    here = page_url(build, path).lstrip("/")
    lines = _Lines(text)
    problems: list[Problem] = []
    for node in LexborHTMLParser(text).css("*"):
        tag = node.tag or ""
        attributes = {name: value or "" for name, value in node.attributes.items()}
        if tag in EMBEDDING:
            problems.append(
                Problem(path, lines.of_tag(tag), f"<{tag}> in a page: the site never embeds one")
            )
        if tag == "script":
            problems += _check_script(path, attributes.get("src"), here, base_url, build, lines)
        for name, value in attributes.items():
            if name.startswith("on"):
                problems.append(
                    Problem(
                        path,
                        lines.of_attribute(tag, name, value),
                        f"inline event handler {name} on <{tag}>: the site runs no inline script",
                    )
                )
            elif name in URL_ATTRIBUTES:
                for url in attribute_urls(name, value):
                    scheme = scheme_of(url)
                    if scheme in SCRIPT_SCHEMES:
                        problems.append(
                            Problem(
                                path,
                                lines.of_attribute(tag, name, value),
                                f"{scheme}: URL in {name} on <{tag}>: {url[:80]!r}",
                            )
                        )
            if (tag, name) in _LINKING:
                problems += _check_link(path, value, tag, name, here, base_url, build, lines)
    return problems


def _check_script(
    path: Path, src: str | None, here: str, base_url: str, build: Path, lines: _Lines
) -> list[Problem]:
    if not src:
        return [Problem(path, lines.of_tag("script"), "inline <script>: the site runs none")]
    try:
        on_site = target_of(src, here, base_url, build) is not None
    except ValueError:
        on_site = False
    if on_site:
        return []
    return [
        Problem(
            path,
            lines.of_attribute("script", "src", src),
            f"<script> from another site: {src}",
        )
    ]


def _check_link(
    path: Path,
    url: str,
    tag: str,
    attribute: str,
    here: str,
    base_url: str,
    build: Path,
    lines: _Lines,
) -> list[Problem]:
    if url.startswith(("#", "mailto:", "tel:", "webcal:")):
        return []
    try:
        target = target_of(url, here, base_url, build)
    except ValueError:
        return [
            Problem(
                path, lines.of_attribute(tag, attribute, url), f"broken link: {url} is not a URL"
            )
        ]
    if target is None or target.is_file():
        return []
    line = lines.of_attribute(tag, attribute, url)
    return [Problem(path, line, f"broken link: {url} (no {target.relative_to(build)})")]


def check_sitemap(build: Path, base_url: str) -> list[Problem]:
    """A problem for every page missing from sitemap.xml, and every sitemap URL with no page."""
    sitemap = build / "sitemap.xml"
    if not sitemap.is_file():
        return [Problem(sitemap, None, "there is no sitemap.xml")]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    try:
        root = ET.parse(sitemap).getroot()
    except ET.ParseError as exc:
        return [Problem(sitemap, exc.position[0], f"not well-formed XML: {exc}")]
    listed = {e.text or "" for e in root.findall("s:url/s:loc", ns)}
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
