"""End-to-end: whole test sites under tests/sites/, built with the real command line.

Valid sites are built as a user builds them (in the site's folder, with
SOURCE_DATE_EPOCH set) and checked for what a reader of the built site would
check. Every folder under tests/sites/invalid/ is one fault with the exact
message kkrsite must print (see tests/sites/invalid/README.md).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import copy_site, made_once, run_kkrsite, tree
from selectolax.lexbor import LexborHTMLParser

from kkrsite.cache import FOLDER as CACHE_FOLDER
from kkrsite.sitecheck import check_site

SITES = Path(__file__).resolve().parent / "sites"
INVALID = SITES / "invalid"
FLERE_AAR = SITES / "flere-aar"
FJENDTLIG = SITES / "fjendtlig"

EPOCH_2011 = "1322697600"  # 1 December 2011: the 2010-2013 period
EPOCH_2015 = "1433116800"  # 1 June 2015: the 2014-2017 period

CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir() and not p.name.startswith("_"))


# --- running the command line ------------------------------------------------------


def kkrsite(*args: str, cwd: Path, epoch: str = EPOCH_2011) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in `cwd`, as a user runs it in their site's folder."""
    return run_kkrsite(*args, cwd=cwd, epoch=epoch)


# --- invalid cases -----------------------------------------------------------------


def overlay(case: str, site: Path) -> None:
    """Copy the case's content/ over the site's, then delete what remove.txt lists."""
    folder = INVALID / case
    if (folder / "content").is_dir():
        shutil.copytree(folder / "content", site / "content", dirs_exist_ok=True)
    remove = folder / "remove.txt"
    if remove.is_file():
        for line in remove.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            target = site / "content" / line.strip()
            assert target.exists(), f"{case}/remove.txt names {line!r}, which _base does not have"
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()


def expected_stderr(case: str) -> str:
    return (INVALID / case / "expected.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_invalid_case_is_reported_and_previous_build_kept(
    case: str, tmp_path: Path, invalid_base: Path
) -> None:
    site = copy_site(invalid_base, tmp_path / "site")  # _base, built once per test run
    before = tree(site / "build")
    assert before, "the base build wrote nothing"

    overlay(case, site)
    result = kkrsite("build", cwd=site)

    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert result.stderr == expected_stderr(case)
    assert tree(site / "build") == before
    beside = sorted(p.name for p in site.iterdir() if p.name != CACHE_FOLDER)
    assert beside == ["build", "content"]  # no half-written copy


def test_invalid_cases_are_written_down() -> None:
    """Every case has expected.txt ending in the summary line: a folder is not a test by accident."""
    assert len(CASES) >= 29
    for case in CASES:
        lines = expected_stderr(case).splitlines()
        assert lines[-1].startswith("kkrsite: "), case
        assert lines[-1].endswith("; the previous build was left as it was"), case
        assert all(line.startswith("content/") for line in lines[:-1]), case


def test_check_reports_the_same_and_writes_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(INVALID / "_base", site)
    overlay("unknown-person", site)

    result = kkrsite("check", cwd=site)

    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    *problems, summary = expected_stderr("unknown-person").splitlines()
    assert result.stderr.splitlines() == [
        *problems,
        summary.replace("the previous build was left as it was", "nothing was written"),
    ]
    assert not (site / "build").exists()


# --- reading built HTML --------------------------------------------------------------


class _Page(HTMLParser):
    """The text of a page, and every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.links: list[str] = []
        self.h1: list[str] = []
        self._in_h1 = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "a":
            self.links += [v for k, v in attrs if k == "href" and v is not None]
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._in_h1:
            self.h1.append(data)

    @property
    def text(self) -> str:
        """The visible text, with runs of white space made one space."""
        return " ".join(" ".join(self._text).split())


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def section(html: str, heading: str) -> str:
    """The HTML from the `<h2>` with this text up to the next `<h2`."""
    match = re.search(rf"<h2[^>]*>\s*{re.escape(heading)}\s*</h2>(.*?)(?=<h2|$)", html, re.S)
    assert match, f"no section {heading!r}"
    return match[1]


def text_of(html: str) -> str:
    page = _Page()
    page.feed(html)
    page.close()
    return page.text


# --- building the valid sites -----------------------------------------------------------

Build = Callable[..., Path]


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Build a site once per (site, epoch, flags) and test run with the real CLI; returns the
    output folder."""

    def run(site: Path, *flags: str, epoch: str = EPOCH_2011) -> Path:
        def make(out: Path) -> None:
            result = kkrsite("build", "--out", str(out), *flags, cwd=site, epoch=epoch)
            assert "Traceback" not in result.stdout + result.stderr
            assert result.returncode == 0, result.stderr

        name = "-".join([site.name, epoch, *(flag.strip("-") for flag in flags)])
        return made_once(tmp_path_factory, name, make)

    return run


# --- flere-aar: three regions, two election periods --------------------------------------

MEETINGS = {
    "hovedstaden": ("2011-08-29", "2012-05-10-ekstraordinaert", "2012-11-22", "2031-03-02"),
    "sjaelland": ("2011-06-16", "2015-03-12"),
    "nordjylland": ("2011-10-06",),
}
PEOPLE = (
    "aase-groenboel",
    "bjoern-kjaer",
    "jens-aaby",
    "joergen-straede",
    "lise-loekke",
    "mette-roedgaard",
    "soeren-aebeloe",
)


def test_region_pages_exist(build: Build) -> None:
    out = build(FLERE_AAR)
    assert (out / "index.html").is_file()
    for region in ("hovedstaden", "sjaelland", "nordjylland"):
        assert (out / "kkr" / region / "index.html").is_file(), region


def test_every_entry_and_person_has_a_page(build: Build) -> None:
    out = build(FLERE_AAR)
    expected = [f"kkr/{r}/moeder/{m}/index.html" for r, ms in MEETINGS.items() for m in ms]
    expected += [
        "kkr/hovedstaden/rammeaftaler/udviklingsstrategi-2012/index.html",
        "kkr/sjaelland/rammeaftaler/styringsaftale-2015/index.html",
        "klummer/faelles-ansvar-for-socialomraadet/index.html",
        "klummer/vaekst-i-hele-regionen/index.html",
        "publikationer/beretning-2010/index.html",
        "publikationer/sundhedsaftaler-2011-2014/index.html",
    ]
    expected += [f"personer/{slug}/index.html" for slug in PEOPLE]
    missing = [rel for rel in expected if not (out / rel).is_file()]
    assert missing == []


def test_danish_letters_render(build: Build) -> None:
    out = build(FLERE_AAR)
    person = parse(out / "personer/soeren-aebeloe/index.html")
    assert "".join(person.h1).strip() == "Søren Æbelø"
    assert "Høje-Taastrup Kommune" in person.text
    assert "Åse Grønbøl" in parse(out / "kkr/hovedstaden/index.html").text
    for rel, data in tree(out).items():
        if rel.endswith(".html"):
            html = data.decode("utf-8")
            assert "Ã" not in html, f"mojibake in {rel}"
            assert "\ufffd" not in html, f"replacement character in {rel}"


def test_dates_are_shown_in_danish(build: Build) -> None:
    out = build(FLERE_AAR)
    shown = {
        "kkr/hovedstaden/moeder/2011-08-29/index.html": "29. august 2011",
        "kkr/hovedstaden/moeder/2012-05-10-ekstraordinaert/index.html": "10. maj 2012",
        "kkr/hovedstaden/moeder/2031-03-02/index.html": "2. marts 2031",
        "kkr/sjaelland/moeder/2015-03-12/index.html": "12. marts 2015",
        "klummer/faelles-ansvar-for-socialomraadet/index.html": "8. september 2011",
        "publikationer/sundhedsaftaler-2011-2014/index.html": "15. november 2011",
    }
    for rel, date in shown.items():
        assert date in parse(out / rel).text, rel


def test_meeting_time_and_place_are_shown(build: Build) -> None:
    text = parse(build(FLERE_AAR) / "kkr/hovedstaden/moeder/2011-08-29/index.html").text
    assert "10.00" in text and "13.00" in text
    assert "Gentofte Rådhus, Bernstorffsvej 161, 2920 Charlottenlund" in text


def test_meeting_agenda_shows_decisions_and_topics(build: Build) -> None:
    text = parse(build(FLERE_AAR) / "kkr/hovedstaden/moeder/2011-08-29/index.html").text
    assert "KKR anbefalede kommunalbestyrelserne at godkende strategien." in text
    assert "Drøftet. Sagen genoptages på næste møde." in text
    assert "Eventuelt" in text
    assert "Sundhed" in text


def chair_section(out: Path, region: str) -> str:
    html = (out / "kkr" / region / "index.html").read_text(encoding="utf-8")
    return text_of(section(html, "Formandskab"))


def test_region_page_shows_the_chair_of_the_build_date(build: Build) -> None:
    in_2011 = chair_section(build(FLERE_AAR, epoch=EPOCH_2011), "hovedstaden")
    in_2015 = chair_section(build(FLERE_AAR, epoch=EPOCH_2015), "hovedstaden")
    assert "Formand Søren Æbelø" in in_2011
    assert "Næstformand Lise Løkke" in in_2011
    assert "Formand Åse Grønbøl" in in_2015
    assert "Søren Æbelø" not in in_2015


def test_region_page_in_2015_lists_the_earlier_chair(build: Build) -> None:
    html = (build(FLERE_AAR, epoch=EPOCH_2015) / "kkr/sjaelland/index.html").read_text("utf-8")
    assert "Formand Mette Rødgaard" in text_of(section(html, "Formandskab"))
    assert "Bjørn Kjær" in text_of(section(html, "Tidligere formandskaber"))


def test_appointments_are_listed_on_region_and_person(build: Build) -> None:
    out = build(FLERE_AAR)
    html = (out / "kkr/hovedstaden/index.html").read_text(encoding="utf-8")
    appointments = text_of(section(html, "Udpegninger"))
    assert "Vækstforum" in appointments
    assert "Sundhedskoordinationsudvalget" in appointments
    assert "Vækstforum" in parse(out / "personer/joergen-straede/index.html").text


def test_draft_column_only_with_drafts(build: Build) -> None:
    page = "klummer/kladde-om-vaekstforum/index.html"
    assert not (build(FLERE_AAR) / page).exists()
    assert (build(FLERE_AAR, "--drafts") / page).is_file()


def test_future_publication_only_with_future(build: Build) -> None:
    page = "publikationer/beretning-2030/index.html"
    default = build(FLERE_AAR)
    assert not (default / page).exists()
    assert "Beretning 2030" not in (default / "index.html").read_text(encoding="utf-8")
    assert (build(FLERE_AAR, "--future") / page).is_file()


def test_future_meeting_is_planned_and_past_meeting_held(build: Build) -> None:
    out = build(FLERE_AAR)
    future = parse(out / "kkr/hovedstaden/moeder/2031-03-02/index.html").text
    past = parse(out / "kkr/hovedstaden/moeder/2011-08-29/index.html").text
    assert "Status Planlagt" in future
    assert "Status Afholdt" in past
    region = (out / "kkr/hovedstaden/index.html").read_text(encoding="utf-8")
    assert "/kkr/hovedstaden/moeder/2031-03-02/" in section(region, "Kommende møder")
    assert "/kkr/hovedstaden/moeder/2031-03-02/" not in section(region, "Afholdte møder")
    assert "/kkr/hovedstaden/moeder/2011-08-29/" in section(region, "Afholdte møder")
    assert "/kkr/hovedstaden/moeder/2011-08-29/" not in section(region, "Kommende møder")


def test_cancelled_meeting_is_marked_aflyst(build: Build) -> None:
    out = build(FLERE_AAR)
    assert "Status Aflyst" in parse(out / "kkr/hovedstaden/moeder/2012-11-22/index.html").text
    listed = section((out / "kkr/hovedstaden/index.html").read_text("utf-8"), "Kommende møder")
    item = re.search(r"<li[^>]*>(?:(?!</li>).)*?/moeder/2012-11-22/.*?</li>", listed, re.S)
    assert item, "the cancelled meeting is not listed"
    assert "Aflyst" in text_of(item[0])


def test_attachments_are_copied_byte_identical(build: Build) -> None:
    out = build(FLERE_AAR)
    files = FLERE_AAR / "content/files"
    for rel in ("referat-2011-08-29.pdf", "rammeaftaler/udviklingsstrategi-2012.pdf"):
        assert (out / "filer" / rel).read_bytes() == (files / rel).read_bytes(), rel
    assert (out / "filer/referat-2011-08-29.pdf").read_bytes().startswith(b"%PDF-")


def test_meeting_links_its_documents(build: Build) -> None:
    links = parse(build(FLERE_AAR) / "kkr/hovedstaden/moeder/2011-08-29/index.html").links
    assert "/filer/referat-2011-08-29.pdf" in links
    assert "https://www.kl.dk/kkr/hovedstaden/dagsorden-2011-08-29/" in links


def test_markdown_body_keeps_table_abbr_and_heading(build: Build) -> None:
    html = (build(FLERE_AAR) / "kkr/hovedstaden/moeder/2011-08-29/index.html").read_text("utf-8")
    assert "<table>" in html and "<td>Særlige dagtilbud</td>" in html
    assert '<abbr title="KommuneKontaktRåd">KKR</abbr>' in html
    assert re.search(
        r'<h2 id="oekonomi-paa-det-specialiserede-omraade-isaer-boern-og-unge">'
        r"Økonomi på det specialiserede område – især børn og unge</h2>",
        html,
    )


def test_file_with_bom_and_crlf_renders(build: Build) -> None:
    raw = (FLERE_AAR / "content/columns/2011-11-24-vaekst-i-hele-regionen.md").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # the fixture is what it claims
    path = build(FLERE_AAR) / "klummer/vaekst-i-hele-regionen/index.html"
    html = path.read_text(encoding="utf-8")
    assert "".join(parse(path).h1).strip() == "Vækst i hele regionen – også på Lolland"
    assert "Hvad gør KKR Sjælland?</h2>" in html
    assert "\ufeff" not in html and "\r" not in html
    assert "title:" not in html


def links_on_region(out: Path, region: str) -> list[str]:
    return parse(out / "kkr" / region / "index.html").links


def test_column_without_regions_belongs_to_the_regions_its_authors_chaired(build: Build) -> None:
    out = build(FLERE_AAR)
    column = "/klummer/faelles-ansvar-for-socialomraadet/"
    assert column in links_on_region(out, "hovedstaden")
    assert column in links_on_region(out, "sjaelland")
    assert column not in links_on_region(out, "nordjylland")
    html = (out / "klummer/faelles-ansvar-for-socialomraadet/index.html").read_text("utf-8")
    facts = re.search(r"<dt>KKR</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert facts, "the column page does not say which KKR it is about"
    assert re.findall(r'href="/kkr/([a-z-]+)/"', facts[1]) == ["hovedstaden", "sjaelland"]


def test_column_default_regions_use_the_chairs_on_its_date(build: Build) -> None:
    """In 2015 Søren Æbelø no longer chairs Hovedstaden; his co-author chairs Sjælland."""
    out = build(FLERE_AAR, epoch=EPOCH_2015)
    column = "/klummer/ny-periode-nye-opgaver/"
    assert column in links_on_region(out, "sjaelland")
    assert column not in links_on_region(out, "hovedstaden")


def test_publication_with_empty_regions_is_shown_for_every_region(build: Build) -> None:
    out = build(FLERE_AAR)
    for region in ("hovedstaden", "sjaelland", "nordjylland"):
        assert "/publikationer/sundhedsaftaler-2011-2014/" in links_on_region(out, region), region


def test_two_builds_with_the_same_epoch_are_identical(tmp_path: Path) -> None:
    trees = []
    for name in ("first", "second"):
        result = kkrsite("build", "--out", str(tmp_path / name), cwd=FLERE_AAR, epoch=EPOCH_2015)
        assert result.returncode == 0, result.stderr
        trees.append(tree(tmp_path / name))
    assert trees[0] == trees[1]


def test_building_a_test_site_writes_nothing_into_it(build: Build) -> None:
    build(FLERE_AAR)
    assert not (FLERE_AAR / "build").exists()
    assert sorted(p.name for p in FLERE_AAR.iterdir()) == ["content"]


# --- fjendtlig: script attempts everywhere -------------------------------------------------

_DANGEROUS_TAGS = {"script", "iframe", "svg", "style", "object", "embed", "frame", "base"}
_BAD_URL = re.compile(r"^(javascript|vbscript|data):", re.I)


def hostile_pages(build: Build) -> dict[str, str]:
    """Every built file a browser or feed reader parses as markup or script.

    Calendars (.ics) and robots.txt are plain text: a `<script>` in a meeting
    title is shown there as the letters it is, never run.
    """
    out = build(FJENDTLIG)
    return {
        rel: data.decode("utf-8")
        for rel, data in tree(out).items()
        if rel.endswith((".html", ".xml", ".json"))
    }


def test_hostile_site_builds(build: Build) -> None:
    assert (build(FJENDTLIG) / "klummer/klumme-med-script/index.html").is_file()


def test_hostile_site_has_no_script_iframe_or_svg(build: Build) -> None:
    for rel, text in hostile_pages(build).items():
        for needle in ("<script", "<iframe", "<svg", "<style", "<object", "<embed"):
            assert needle not in text.lower(), f"{needle} in {rel}"
        if rel.endswith(".html"):
            page = _Page()
            page.feed(text)
            tags = {tag for tag, _ in page.tags}
            assert not tags & _DANGEROUS_TAGS, rel


def test_hostile_site_has_no_event_handler_attributes(build: Build) -> None:
    """No `on…=` attribute on any element (the escaped text may show `onerror=` as letters)."""
    for rel, text in hostile_pages(build).items():
        if not rel.endswith(".html"):
            continue
        page = _Page()
        page.feed(text)
        handlers = [
            (tag, name) for tag, attrs in page.tags for name, _ in attrs if name[:2] == "on"
        ]
        assert handlers == [], rel


def test_hostile_site_has_no_javascript_or_data_urls(build: Build) -> None:
    """No attribute value is a javascript:, vbscript: or data: URL; no style attribute."""
    for rel, text in hostile_pages(build).items():
        if not rel.endswith(".html"):
            continue
        page = _Page()
        page.feed(text)
        for tag, attrs in page.tags:
            for name, value in attrs:
                cleaned = re.sub(r"[\s\x00-\x1f]", "", value or "")
                assert not _BAD_URL.match(cleaned), f"<{tag} {name}={value!r}> in {rel}"
                assert name != "style", f"<{tag} style=…> in {rel}"


def test_no_feed_text_carries_markup_by_an_html5_parsers_reading(build: Build) -> None:
    """Descriptions are HTML as text, and some readers take titles as HTML too: parsed as
    such a reader parses them, nothing can run."""
    out = build(FJENDTLIG)
    for feed in sorted(out.rglob("feed.xml")):
        for element in ET.parse(feed).getroot().iter():
            tree = LexborHTMLParser(element.text or "", is_fragment=True)
            for node in tree.css("*"):
                assert node.tag not in _DANGEROUS_TAGS, (feed, element.tag, node.tag)
                for name, value in node.attributes.items():
                    assert not name.startswith("on"), (feed, node.tag, name)
                    cleaned = re.sub(r"[\s\x00-\x1f]", "", value or "")
                    assert not _BAD_URL.match(cleaned), (feed, node.tag, value)


def test_the_site_check_finds_nothing_runnable_on_the_hostile_site(build: Build) -> None:
    """Only the hostile relative links, which lead nowhere, are left to report."""
    out = build(FJENDTLIG)
    problems = check_site(out, "https://kkr.example.dk/")
    assert problems, "the hostile relative links are gone: is the site check still reading?"
    assert {p.message.split(":")[0] for p in problems} == {"broken link"}


def test_hostile_headings_get_unique_non_empty_ids_that_avoid_the_pages_own(build: Build) -> None:
    page = build(FJENDTLIG) / "publikationer/notat-med-feedfaelde/index.html"
    ids = [n.attributes.get("id") for n in LexborHTMLParser(page.read_text("utf-8")).css("[id]")]
    assert len(ids) == len(set(ids)), ids
    assert "" not in ids
    assert ids.count("main-content") == 1


def test_hostile_titles_are_shown_escaped(build: Build) -> None:
    out = build(FJENDTLIG)
    column = (out / "klummer/klumme-med-script/index.html").read_text(encoding="utf-8")
    assert "Klumme &lt;script&gt;alert(1)&lt;/script&gt; om sikkerhed" in column
    person = parse(out / "personer/ole-hansen/index.html")
    assert "".join(person.h1).strip() == "Ole <script>alert(1)</script> Hansen"


def test_hostile_body_keeps_its_harmless_text(build: Build) -> None:
    text = parse(build(FJENDTLIG) / "kkr/hovedstaden/moeder/2011-08-29/index.html").text
    assert "Klik ikke her" in text
    assert "data-link" in text
