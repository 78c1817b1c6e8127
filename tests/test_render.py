"""Rendering: one strict, autoescaping environment; template faults point at their line."""

import datetime as dt
from pathlib import Path

import pytest
from conftest import MakeSite, options, render_pages

from kkrsite.model.assemble import assemble
from kkrsite.model.entities import Site, entry_kinds
from kkrsite.read import read_content
from kkrsite.render import Renderer, filesize_da, template_dirs
from kkrsite.routes import site_view
from kkrsite.siteplan import Page


def _site(content: Path, **kw: object) -> Site:
    site, problems = assemble(read_content(content, entry_kinds())[0], options(content, **kw))
    assert site is not None and problems == []
    return site


@pytest.mark.parametrize(
    ("size", "text"), [(512, "512 B"), (1234, "1,2 kB"), (1234567, "1,2 MB"), (2_000_000, "2 MB")]
)
def test_filesize_da(size: int, text: str) -> None:
    assert filesize_da(size) == text


def test_yaml_text_is_escaped(make_site: MakeSite) -> None:
    person = "name: <script>alert(1)</script>\ntitle: Borgmester\nparty: S\nmunicipality: Herlev\n"
    site = _site(make_site({"people/kjeld-hansen.yaml": person}))
    pages, _ = render_pages(
        Renderer(template_dirs(None), site_view(site)),
        [
            Page(
                "/personer/x/",
                "person.html",
                "x",
                {"person": site.people[0], "roles": (), "appointments": (), "columns": ()},
            )
        ],
    )
    html = pages["personer/x/index.html"].decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_an_undefined_variable_names_the_template_line(make_site: MakeSite, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "index.html").write_text("<p>\n{{ site.config.titel }}\n</p>\n")
    site = _site(make_site())
    _, problems = render_pages(
        Renderer(template_dirs(templates), site_view(site)), [Page("/", "index.html", "Forside")]
    )
    [problem] = problems
    assert problem.path == templates / "index.html"
    assert problem.line == 2
    assert "has no attribute 'titel'" in problem.message


def test_a_user_template_overrides_one_builtin(make_site: MakeSite, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "index.html").write_text(
        "{% extends 'base.html' %}{% block content %}<h1>Egen</h1>{% endblock %}"
    )
    site = _site(make_site(), today=dt.date(2011, 12, 1))
    pages, problems = render_pages(
        Renderer(template_dirs(templates), site_view(site)), [Page("/", "index.html", "Forside")]
    )
    assert problems == []
    assert "<h1>Egen</h1>" in pages["index.html"].decode()
    assert 'lang="da"' in pages["index.html"].decode()  # base.html still comes from kkrsite
