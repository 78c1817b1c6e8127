"""The keyboard alone: the first Tab reaches a visible skip link, which leads into the content.

The region page is used because it has a menu and breadcrumbs before <main>: a reader who
skips them must not have to tab through them again.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import OpenPage, Site
from .pages import DESKTOP, PHONE

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param(PHONE, True, id="phone"), pytest.param(DESKTOP, False, id="desktop")]

FOCUSED: str = """() => {
  const el = document.activeElement;
  return {
    html: el.outerHTML.slice(0, 120),
    inMain: el.closest("main#main-content") !== null,
    isMain: el.matches("main#main-content"),
  };
}"""


def focused(page: Page) -> dict[str, Any]:
    """Where keyboard focus is now."""
    where: dict[str, Any] = page.evaluate(FOCUSED)
    return where


@pytest.mark.parametrize(("width", "mobile"), WIDTHS)
def test_tab_from_the_skip_link_to_the_main_content(
    sites: dict[str, Site], open_page: OpenPage, width: int, mobile: bool
) -> None:
    page = open_page(sites["example"].url("/kkr/hovedstaden/"), width, mobile=mobile)
    skip = page.locator("a.skip-link")

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    view = page.viewport_size
    assert box is not None and view is not None
    assert box["width"] > 0 and box["height"] > 0, "the focused skip link has no size"
    assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= view["height"], box

    page.keyboard.press("Enter")
    assert focused(page)["inMain"], f"Enter on the skip link left focus on {focused(page)}"

    page.keyboard.press("Tab")
    after = focused(page)
    assert after["inMain"] and not after["isMain"], f"Tab after skipping went to {after}"


@pytest.mark.parametrize(("width", "mobile"), WIDTHS)
def test_the_focused_skip_link_shows_its_focus(
    sites: dict[str, Site], open_page: OpenPage, width: int, mobile: bool
) -> None:
    page = open_page(sites["example"].url("/"), width, mobile=mobile)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    style: dict[str, str] = skip.evaluate(
        """el => {
          const s = getComputedStyle(el);
          return {outline: s.outlineStyle, outlineWidth: s.outlineWidth, shadow: s.boxShadow};
        }"""
    )
    outlined = style["outline"] != "none" and style["outlineWidth"] != "0px"
    assert outlined or style["shadow"] != "none", f"no visible focus indicator: {style}"
