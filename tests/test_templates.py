"""The built-in templates: they get URLs and sorted lists from the routes, and ship whole.

A template that puts a site path together (`url('/arkiv/' ~ year ~ '/')`) or sorts
a list (`|sort`) duplicates the routes, and breaks silently when the URL scheme or
the order changes. The templates are read as Jinja reads them (its parser and
lexer) and their markup as a browser reads it (the HTML5 tokenizer).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import tomllib
from pathlib import Path

import pytest
from browser.pages import PAGES
from conftest import REPO, MakeSite, build_site, options, render_pages
from jinja2 import nodes
from selectolax.lexbor import LexborHTMLParser

from kkrsite.build import load
from kkrsite.htmlscan import scan_tags
from kkrsite.model.assemble import assemble
from kkrsite.model.entities import entry_kinds
from kkrsite.read import read_content
from kkrsite.render import Renderer, template_dirs
from kkrsite.routes import site_view
from kkrsite.sandbox import Sandbox
from kkrsite.siteplan import Page

TEMPLATES = REPO / "templates"
SORTING = frozenset(("sort", "dictsort", "groupby", "reverse"))
"""Filters and methods that put a list in an order of their own."""
URL_FUNCTIONS = frozenset(
    (
        "url",
        "document_url",
        "file_url",
        "asset",
        "absolute",
        "webcal",
        "meetings_url",
        "agreements_url",
        "calendar_url",
        "year_url",
    )
)
ROUTES = "kkrsite/pages.py"


def _joined(node: nodes.Node) -> list[nodes.Node]:
    """The operands of `a ~ b ~ c` or `a + b`, else nothing."""
    if isinstance(node, nodes.Concat):
        return list(node.nodes)
    if isinstance(node, nodes.Add):
        return [node.left, node.right]
    return []


def _calls_url_function(node: nodes.Node) -> bool:
    return (
        isinstance(node, nodes.Call)
        and isinstance(node.node, nodes.Name)
        and node.node.name in URL_FUNCTIONS
    )


def _in_expressions(source: str) -> list[tuple[int, str]]:
    """Paths put together, sorting and context imports in the Jinja code of a template."""
    tree = Sandbox().parse(source)
    found = []
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, str) and "/" in const.value:
            found.append((const.lineno, f"the path {const.value!r} is written in the template"))
    for node in tree.find_all((nodes.Concat, nodes.Add)):
        if any(_calls_url_function(part) for part in _joined(node)):
            found.append((node.lineno, "a URL is extended with `~` or `+`"))
    for call in tree.find_all(nodes.Call):
        if _calls_url_function(call) and any(_joined(arg) for arg in call.args):
            found.append((call.lineno, "a path is put together for a URL function"))
        if isinstance(call.node, nodes.Getattr) and call.node.attr in SORTING:
            found.append((call.lineno, f"a list is sorted with `.{call.node.attr}()`"))
    for filter_ in tree.find_all(nodes.Filter):
        if filter_.name in SORTING:
            found.append((filter_.lineno, f"a list is sorted with `|{filter_.name}`"))
    for imp in tree.find_all((nodes.Import, nodes.FromImport)):
        if imp.with_context:
            found.append((imp.lineno, "`with context`: give the macros their data as arguments"))
    return found


def _in_markup(source: str) -> list[tuple[int, str]]:
    """Site paths written into the markup itself: `<a href="/kkr/">`."""
    text, starts = "", []  # the template's literal text; Jinja code as a placeholder
    for line, kind, value in Sandbox().lex(source):
        if kind == "data":
            starts.append((len(text), line))
            text += value
        elif kind in ("variable_begin", "block_begin"):
            text += "x"
    found = []
    for tag in scan_tags(text):
        for name in tag.attrs:
            if not tag.closing and tag.attr(name).startswith("/"):
                start, line = max(s for s in starts if s[0] <= tag.offset)
                line += text.count("\n", start, tag.offset)
                found.append((line, f"the path {tag.attr(name)!r} is written in <{tag.name}>"))
    return found


def problems(source: str) -> list[tuple[int, str]]:
    """(line, what) for each place a template builds a site path or orders a list."""
    return sorted(_in_expressions(source) + _in_markup(source))


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_builds_a_path_or_sorts(name: str) -> None:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    found = [f"templates/{name}:{line}: {what}" for line, what in problems(source)]
    assert found == [], (
        f"templates get their URLs and sorted lists from {ROUTES} (a page variable, "
        "navigation, or a URL function such as year_url()):\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("<p>\n{{ url('/kkr/') }}</p>", {2}),
        ('{% set home = url("/") %}', {1}),
        ("<a href=\"{{ url('/arkiv/' ~ year ~ '/') }}\">", {1}),
        ("\n\n{{ url(region) ~ 'moeder.ics' }}", {3}),
        ("{{ calendar_url(region) + 'x' }}", {1}),
        ("{{ url(page.url ~ 'feed.xml') }}", {1}),
        ('{{ m.calendar_links("/moeder.ics") }}', {1}),
        ("{% for p in site.people|sort(attribute='name') %}\n{% endfor %}", {1}),
        ("\n{% for period, roles in roles|groupby('period')|reverse %}{% endfor %}", {2}),
        ("{% for k, v in d|dictsort %}{% endfor %}", {1}),
        ("{{ items.sort() }}", {1}),
        ('{% import "_macros.html" as m with context %}', {1}),
        ('{% from "_macros.html" import date with context %}', {1}),
        ('<ul>\n  <li><a href="/kkr/">KKR</a></li>\n</ul>', {2}),
        ('{% if x %}\n<a class="{{ c }}"\n   href="/emner/">Emner</a>{% endif %}', {2}),
        ('<img alt="" src="/filer/x.png">', {1}),
    ],
)
def test_the_check_finds_a_built_path_or_a_sort(source: str, lines: set[int]) -> None:
    assert {line for line, _ in problems(source)} == lines


def test_the_check_passes_urls_from_the_routes() -> None:
    source = (
        '{% import "_macros.html" as m %}\n'
        '<a href="{{ url(navigation.archive) }}">Arkiv</a> <a href="#top">Op</a>\n'
        "{{ year_url(2011) }} {{ m.calendar_links(calendar) }} {{ 'A, B' ~ region.name }}\n"
        "{% for p in people %}{{ m.link(p) }}{% endfor %}"
    )
    assert problems(source) == []


def test_package_data_ships_every_template_and_no_more() -> None:
    """Every file of templates/ is installed with the package; no pattern is left over."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    folders = config["tool"]["setuptools"]["package-dir"]
    patterns = config["tool"]["setuptools"]["package-data"]
    shipped = {package: sorted((REPO / folders[package]).iterdir()) for package in patterns}
    for package, files in shipped.items():
        names = [f.name for f in files if f.is_file()]
        unmatched = [n for n in names if not any(fnmatch.fnmatch(n, p) for p in patterns[package])]
        unused = [p for p in patterns[package] if not fnmatch.filter(names, p)]
        assert unmatched == [], f"{package}: add a pattern for {unmatched} to pyproject.toml"
        assert unused == [], f"{package}: no file matches {unused}: remove it from pyproject.toml"
    assert set(shipped) == set(folders)  # every template folder has its package data


def test_an_error_in_an_imported_template_names_its_file(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """A page template may import a macro file of any name; a fault in it is found there."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "parts.j2").write_text(
        "{% macro title() %}\n{{ site.config.titel }}\n{% endmacro %}\n"
    )
    (templates / "index.html").write_text(
        '{% import "parts.j2" as p %}\n\n<h1>{{ p.title() }}</h1>\n'
    )
    content = make_site()
    site, _ = assemble(read_content(content, entry_kinds())[0], options(content))
    assert site is not None
    _, [problem] = render_pages(
        Renderer(template_dirs(templates), site_view(site)), [Page("/", "index.html", "Forside")]
    )
    assert (problem.path, problem.line) == (templates / "parts.j2", 2)
    assert "has no attribute 'titel'" in problem.message


ORDERS = {
    "people/anne-de-vries.yaml": (
        "name: anne de Vries\ntitle: Rådmand\nparty: B\nmunicipality: Gentofte Kommune\n"
    ),
    "kkr/hovedstaden/kkr.yaml": (
        "name: KKR Hovedstaden\nregion: Region Hovedstaden\n"
        "terms:\n  - period: 2010-2013\n    chair: kjeld-hansen\n"
        "  - period: 2014-2017\n    chair: soeren-aebeloe\n    vice_chair: kjeld-hansen\n"
        "appointments:\n"
        "  - body: Vækstforum\n    person: kjeld-hansen\n    period: 2006-2009\n"
        "  - body: Praksisplanudvalget\n    person: soeren-aebeloe\n    period: 2014-2017\n"
        "  - body: Sundhedskoordinationsudvalget\n    person: kjeld-hansen\n"
        "    period: 2010-2013\n"
    ),
}


def test_lists_come_in_the_order_the_routes_give(make_site: MakeSite, tmp_path: Path) -> None:
    """People alphabetically whatever the case, appointments and roles newest period first."""
    out = build_site(make_site(ORDERS), tmp_path / "site", epoch="1433116800")

    def page(rel: str) -> LexborHTMLParser:
        return LexborHTMLParser((out / rel / "index.html").read_text(encoding="utf-8"))

    people = [a.text() for a in page("personer").css(".items--people .item__title a")]
    assert people == ["anne de Vries", "Kjeld Hansen", "Søren Æbelø"]
    bodies = [td.text() for td in page("kkr/hovedstaden").css("tbody tr td:first-child")]
    assert bodies == ["Praksisplanudvalget", "Sundhedskoordinationsudvalget", "Vækstforum"]
    periods = [h.text() for h in page("personer/kjeld-hansen").css("h3")]
    assert periods == ["Valgperiode 2014–2017", "Valgperiode 2010–2013"]


@pytest.mark.parametrize(
    ("site", "content"),
    [("example", REPO / "content"), ("flere-aar", REPO / "tests/sites/flere-aar/content")],
)
def test_the_browser_tests_open_a_page_of_every_template(site: str, content: Path) -> None:
    """tests/browser/pages.py names a page for each template the routes use (a new kind's too)."""
    planned = load(options(content)).plan
    used: dict[str, set[str]] = {}
    for page in planned.pages:
        used.setdefault(page.template, set()).add(page.url)
    listed = PAGES[site]
    assert sorted(listed) == sorted(used), (
        "tests/browser/pages.py must name one page of each template the routes use"
    )
    for template, path in listed.items():
        assert path in used[template], f"{path} is not a page of {template} on {site}"


def test_every_page_has_the_sites_footer_and_it_follows_a_changed_site(
    make_site: MakeSite,
) -> None:
    """The footer is rendered once per build (an imported template): for each build, anew."""
    loaded = load(options(make_site()))
    renderer = Renderer(template_dirs(None), loaded.plan.view)

    def footers() -> set[str]:
        found = set()
        for page in loaded.plan.pages:
            html = LexborHTMLParser(renderer.render(page).decode("utf-8"))
            [footer] = html.css("body > footer")
            found.add(footer.html or "")
        return found

    [footer] = footers()
    assert "Udgivet af KL" in footer
    assert 'href="/kkr/hovedstaden/"' in footer  # no contact in site.yaml: each KKR's page
    view = loaded.plan.view
    config = dataclasses.replace(
        view.config, publisher="KL og KKR", base_url="https://kkr.example.dk/preview/"
    )
    renderer.use(dataclasses.replace(view, config=config))  # the next build of a live preview
    [footer] = footers()
    assert "Udgivet af KL og KKR" in footer
    assert 'href="/preview/kkr/hovedstaden/"' in footer
