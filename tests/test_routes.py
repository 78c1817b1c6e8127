"""Every URL is decided in one place; two files claiming one URL are both named."""

import datetime as dt

from conftest import MakeSite, options

from kkrsite.model.assemble import assemble
from kkrsite.model.entities import entry_kinds
from kkrsite.read import read_content
from kkrsite.routes import plan
from kkrsite.urls import file_url, output_file


def test_urls_of_the_url_map(make_site: MakeSite) -> None:
    content = make_site()
    site, _ = assemble(read_content(content, entry_kinds())[0], options(content))
    assert site is not None
    result, problems = plan(site)
    assert problems == []
    urls = {p.url for p in result.pages}
    assert {
        "/",
        "/kkr/hovedstaden/",
        "/kkr/hovedstaden/moeder/2011-08-24/",
        "/personer/soeren-aebeloe/",
    } <= urls


def test_output_files_and_attachments() -> None:
    assert output_file("/kkr/hovedstaden/") == "kkr/hovedstaden/index.html"
    assert output_file("/feed.xml") == "feed.xml"
    assert file_url("referat august.pdf") == "/filer/referat%20august.pdf"


def test_collision_names_both_files(make_site: MakeSite) -> None:
    column = "---\ntitle: K\npublication: DK\nauthors: [kjeld-hansen]\n---\n"
    content = make_site(
        {"columns/2011-01-10-klumme.md": column, "columns/2011-05-10-klumme.md": column}
    )
    site, _ = assemble(
        read_content(content, entry_kinds())[0], options(content, dt.date(2011, 12, 1))
    )
    assert site is not None
    _, problems = plan(site)
    messages = sorted(f"{p.path.name}: {p.message}" for p in problems)
    assert len(messages) == 2
    assert "2011-01-10-klumme.md: the URL /klummer/klumme/ is also claimed by" in messages[0]
    assert messages[0].split("claimed by ")[1].startswith(
        str(content / "columns/2011-05-10-klumme.md")
    ) or ("columns/2011-05-10-klumme.md" in messages[0])
