"""WCAG 2.1 AA in a real browser: axe-core finds nothing on any template, on a phone or a desktop.

axe-core runs in Chromium on one page of every template of both built sites, at 375 px and
1280 px, restricted to the WCAG 2.0/2.1 A and AA rules (the law for Danish public sites).
The last test shows that the gate can fail: a template with a missing alt text and low
contrast text is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from .conftest import CONTENT, REPO, OpenPage, Site, Visit, served_build
from .pages import DESKTOP, EVERY_TEMPLATE, PHONE

pytestmark = pytest.mark.browser

WCAG_21_AA: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

Violation = dict[str, Any]


def violations_on(page: Page) -> list[Violation]:
    """axe-core's WCAG 2.1 A/AA violations on the loaded page."""
    result = Axe().run(page, options=WCAG_21_AA)
    violations: list[Violation] = result.response["violations"]
    return violations


def explain(violations: list[Violation]) -> str:
    """One paragraph per violation: rule, impact, how many elements, the first one, the fix."""
    lines = []
    for v in violations:
        first = v["nodes"][0]
        target = " ".join(str(t) for t in first["target"])
        summary = first.get("failureSummary", "").strip().replace("\n", "\n      ")
        lines.append(
            f"- {v['id']} ({v['impact']}): {v['help']} - {len(v['nodes'])} element(s)\n"
            f"    first: {target}\n"
            f"    html:  {first['html']}\n"
            f"    {summary}\n"
            f"    see {v['helpUrl']}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=lambda w: f"{w}px")
@pytest.mark.parametrize(
    ("site", "template", "path"), EVERY_TEMPLATE, ids=[f"{s}:{t}" for s, t, _ in EVERY_TEMPLATE]
)
def test_no_wcag_21_aa_violations(
    sites: dict[str, Site], visit: Visit, site: str, template: str, path: str, width: int
) -> None:
    page = visit(sites[site].url(path), width)
    violations = violations_on(page)
    assert not violations, (
        f"{template} ({site} {path}) at {width} px breaks WCAG 2.1 AA:\n{explain(violations)}"
    )


def broken_person_template(folder: Path) -> Path:
    """An override of person.html with an image without alt and grey-on-white text."""
    original = (REPO / "templates/person.html").read_text(encoding="utf-8")
    mistakes = (
        '<img src="/assets/style.css">\n<p style="color:#bbb;background:#fff">low contrast</p>\n'
    )
    assert "{% block content %}" in original
    broken = original.replace("{% block content %}", "{% block content %}\n" + mistakes, 1)
    folder.mkdir()
    (folder / "person.html").write_text(broken, encoding="utf-8")
    return folder


def test_a_broken_template_fails_the_gate(tmp_path: Path, open_page: OpenPage) -> None:
    templates = broken_person_template(tmp_path / "templates")
    out = tmp_path / "site"
    with served_build("broken", CONTENT["example"], out, "--templates", str(templates)) as site:
        page = open_page(site.url("/personer/kjeld-hansen/"), DESKTOP)
        violations = violations_on(page)
    report = explain(violations)
    print(f"axe on the deliberately broken person.html:\n{report}")  # shown with -rP
    found = {v["id"] for v in violations}
    assert {"image-alt", "color-contrast"} <= found, report
