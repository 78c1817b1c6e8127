"""One page of every template on each built site, by template name."""

from __future__ import annotations

# Template → site path. Every template in templates/ that renders a page is here once.
EXAMPLE: dict[str, str] = {
    "index.html": "/",
    "regions.html": "/kkr/",
    "region.html": "/kkr/hovedstaden/",
    "meetings_overview.html": "/moeder/",
    "meetings.html": "/kkr/hovedstaden/moeder/",
    "meeting.html": "/kkr/hovedstaden/moeder/2011-08-24/",
    "agreements_overview.html": "/rammeaftaler/",
    "agreements.html": "/kkr/hovedstaden/rammeaftaler/",
    "agreement.html": "/kkr/hovedstaden/rammeaftaler/styringsaftale-2012/",
    "columns.html": "/klummer/",
    "column.html": "/klummer/nye-udfordringer-i-kkr/",
    "publications.html": "/publikationer/",
    "publication.html": "/publikationer/kommunernes-samarbejde-regionalt-kkrs-rolle-og-opgaver/",
    "topics.html": "/emner/",
    "topic.html": "/emner/socialomraadet/",
    "people.html": "/personer/",
    "person.html": "/personer/kjeld-hansen/",
    "archive.html": "/arkiv/",
    "archive_year.html": "/arkiv/2011/",
    "404.html": "/404.html",
}

# The same templates on tests/sites/flere-aar: a meeting with a table, planned and
# cancelled meetings, a chair from an earlier period, Danish letters in every name.
FLERE_AAR: dict[str, str] = {
    **EXAMPLE,
    "meeting.html": "/kkr/hovedstaden/moeder/2011-08-29/",
    "agreement.html": "/kkr/hovedstaden/rammeaftaler/udviklingsstrategi-2012/",
    "column.html": "/klummer/faelles-ansvar-for-socialomraadet/",
    "publication.html": "/publikationer/beretning-2010/",
    "person.html": "/personer/soeren-aebeloe/",
}

PAGES: dict[str, dict[str, str]] = {"example": EXAMPLE, "flere-aar": FLERE_AAR}

# (site, template, path) for every page above, for pytest.mark.parametrize.
EVERY_TEMPLATE: list[tuple[str, str, str]] = [
    (site, template, path) for site, pages in PAGES.items() for template, path in pages.items()
]

PHONE = 375
DESKTOP = 1280
NARROWEST = 320
