"""A reader on a phone, and nothing cut off at 320 px.

The journey clicks real, visible links on flere-aar, built on 1 December 2011: the front
page, KKR Hovedstaden, its next meeting (10 May 2012, with its agenda as a PDF), the
document, back to the region and its RSS feed.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest
from playwright.sync_api import Locator, Page, Response, expect

from .conftest import CONTENT, OpenPage, Site, Visit
from .pages import EVERY_TEMPLATE, NARROWEST

pytestmark = pytest.mark.browser

PHONE_SCREEN = (375, 740)


def follow(page: Page, link: Locator) -> Response:
    """Click a visible link and return the response to the address it points at."""
    expect(link).to_be_visible()
    target: str = link.evaluate("a => a.href")
    with page.expect_response(lambda r: r.url == target) as response:
        link.click()
    return response.value


def test_a_reader_on_a_phone_finds_the_next_meeting_its_papers_and_the_feed(
    sites: dict[str, Site], open_page: OpenPage
) -> None:
    site = sites["flere-aar"]
    width, height = PHONE_SCREEN
    page = open_page(site.url("/"), width, height, mobile=True)
    main = page.get_by_role("main")

    main.get_by_role("link", name="KKR Hovedstaden", exact=True).click()
    expect(page).to_have_url(site.url("/kkr/hovedstaden/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("KKR Hovedstaden")

    upcoming = main.locator("section").filter(
        has=page.get_by_role("heading", name="Kommende møder", exact=True)
    )
    upcoming.get_by_role("listitem").first.get_by_role("link").click()
    meeting = site.url("/kkr/hovedstaden/moeder/2012-05-10-ekstraordinaert/")
    expect(page).to_have_url(meeting)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ekstraordinært møde")

    documents = page.locator("section.documents")
    document = documents.get_by_role("link", name="Dagsorden til det ekstraordinære møde")
    response = follow(page, document)
    assert response.status == 200, response.url
    assert response.headers["content-type"] == "application/pdf"
    served = page.request.get(response.url).body()
    assert served == (CONTENT["flere-aar"] / "files/dagsorden-2012-05-10.pdf").read_bytes()

    if page.url != meeting:  # Chromium showed the PDF rather than downloading it
        page.go_back()
    expect(page).to_have_url(meeting)
    crumbs = page.get_by_role("navigation", name="Brødkrumme")
    crumbs.get_by_role("link", name="KKR Hovedstaden", exact=True).click()
    expect(page).to_have_url(site.url("/kkr/hovedstaden/"))

    feed_link = main.get_by_role("link", name="Nyheder som RSS-feed", exact=True)
    response = follow(page, feed_link)
    assert response.url == site.url("/kkr/hovedstaden/feed.xml")
    assert response.status == 200
    rss = ET.fromstring(page.request.get(response.url).body())
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    assert rss.findtext("channel/title") == "KKR Hovedstaden"
    assert rss.findall("channel/item"), "the region's feed has no items"


# Every element whose right edge is beyond the viewport, except inside a .table-wrap that
# scrolls (wide tables scroll sideways inside their own box, by design).
OVERFLOW: str = """() => {
  const limit = window.innerWidth + 1;
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.classList.length ? "." + [...el.classList].join(".") : "");
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const wrap = el.parentElement && el.parentElement.closest(".table-wrap");
    if (wrap && ["auto", "scroll"].includes(getComputedStyle(wrap).overflowX)) continue;
    const right = el.getBoundingClientRect().right;
    if (right > limit) {
      wide.push(`${name(el)} reaches ${Math.round(right)} px: ${el.outerHTML.slice(0, 100)}`);
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: wide,
  };
}"""


@pytest.mark.parametrize(
    ("site", "template", "path"), EVERY_TEMPLATE, ids=[f"{s}:{t}" for s, t, _ in EVERY_TEMPLATE]
)
def test_nothing_is_cut_off_at_320_px(
    sites: dict[str, Site], visit: Visit, site: str, template: str, path: str
) -> None:
    page = visit(sites[site].url(path), NARROWEST)
    found: dict[str, Any] = page.evaluate(OVERFLOW)
    where = f"{template} ({site} {path}) at {NARROWEST} px"
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{where} scrolls sideways: {found['scrollWidth']} px wide"
    )
    assert not found["wide"], f"{where} has elements beyond the right edge:\n" + "\n".join(
        found["wide"]
    )
