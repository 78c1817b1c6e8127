"""`kkrsite serve` in Chromium: a saved edit shows in the open page by itself; a broken save
shows the problem overlay (WCAG 2.1 AA clean, focused, named by its heading); the fix
brings the page back. The save-to-page time is printed (`pytest -s`), never asserted.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from selectolax.lexbor import LexborHTMLParser
from test_serve import build_lines, previewing, until

from kkrsite.servepage import OVERLAY_ID

from .conftest import REPO, load, new_context
from .test_accessibility import explain, violations_on

pytestmark = pytest.mark.browser

COLUMN = "columns/2011-01-20-nye-udfordringer-i-kkr.md"
PAGE = "klummer/nye-udfordringer-i-kkr/"
DRAFT = "columns/2011-06-01-kladde.md"
TIMEOUT_MS = 10_000


def save(path: Path, text: str) -> None:
    """Save as an editor does: the whole file at once, under its name."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def connected(page: Page, running: object, count: int) -> None:
    """Wait until livereload.js in `page` has told the server which page it shows."""
    until(lambda: len(running.preview.clients) >= count, "livereload.js to connect")  # type: ignore[attr-defined]


def test_an_edit_shows_by_itself_a_broken_save_shows_the_overlay_and_the_fix_the_page(
    browser: Browser, tmp_path: Path
) -> None:
    content = shutil.copytree(REPO / "content", tmp_path / "content")
    original = (content / COLUMN).read_text(encoding="utf-8")
    (content / DRAFT).write_text(
        "---\ntitle: En kladde\nauthors: [kjeld-hansen]\ndraft: true\n---\nTekst.\n",
        encoding="utf-8",
    )
    context = new_context(browser, 1280)
    try:
        with previewing(content) as running:
            page = load(context.new_page(), running.base + PAGE)
            connected(page, running, 1)

            # An edit: the open page shows it without being touched.
            started = time.perf_counter()
            save(
                content / COLUMN, original.replace("\n---\n", "\n---\nEt nyt første afsnit.\n\n", 1)
            )
            expect(page.get_by_text("Et nyt første afsnit.")).to_be_visible(timeout=TIMEOUT_MS)
            print(f"\nsave → page shown: {(time.perf_counter() - started) * 1000:.0f} ms")

            # A broken save: the overlay, on top, focused, named, clean for axe.
            save(content / COLUMN, original.replace("topics:\n", "topics:\n  - ukendt-emne\n", 1))
            dialog = page.get_by_role("dialog", name="Siden kunne ikke bygges")
            expect(dialog).to_be_visible(timeout=TIMEOUT_MS)
            expect(dialog).to_be_focused()
            shown = [line.strip() for line in dialog.locator("li").all_inner_texts()]
            assert shown == build_lines(content)
            expect(page.get_by_text("Et nyt første afsnit.")).to_be_attached()  # last good page
            violations = violations_on(page)
            assert not violations, f"the overlay breaks WCAG 2.1 AA:\n{explain(violations)}"
            dialog.get_by_role("button", name="Skjul").click()
            expect(dialog).to_be_hidden()

            # The fix: the overlay goes, the page shows the saved text.
            connected(page, running, 1)
            save(content / COLUMN, original.replace("\n---\n", "\n---\nRettet afsnit.\n\n", 1))
            expect(page.get_by_text("Rettet afsnit.")).to_be_visible(timeout=TIMEOUT_MS)
            expect(page.locator(f"#{OVERLAY_ID}")).to_have_count(0)

            # A draft is shown in the preview, marked, and clean for axe.
            draft = load(context.new_page(), running.base + "klummer/kladde/")
            expect(draft.locator(".notice--unpublished")).to_contain_text("Kladde")
            violations = violations_on(draft)
            assert not violations, f"the draft mark breaks WCAG 2.1 AA:\n{explain(violations)}"
            listed = LexborHTMLParser(running.get("/klummer/")[2].decode())
            badges = [b.text() for b in listed.css(".badge--unpublished")]
            assert badges == ["Kladde"]
    finally:
        context.close()
