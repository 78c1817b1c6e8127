"""The format of the shared files: site.yaml, topics.yaml, people/<slug>.yaml and kkr.yaml.

Each record is a TypedDict whose keys carry their `Spec`, as in `schema.py`
(the entries' records, and the table docs/content.md shows for each).
"""

from __future__ import annotations

from typing import Annotated, TypedDict

from kkrsite.model.fields import ListOf, Spec, record
from kkrsite.model.shared import Period
from kkrsite.model.values import EMAIL, PHONE, URL, Choice, FileRef, Ref, Slug, Text, Url
from kkrsite.model.values import Period as PeriodType

MAX_TOPICS = 100
"""Topics in topics.yaml: each has a page and a feed (the example site needs six)."""


class SecretariatData(TypedDict):
    """How to reach a secretariat (or the site's contact)."""

    email: Annotated[str | None, Spec(EMAIL, "the e-mail address")]
    phone: Annotated[str | None, Spec(PHONE, "the phone number")]
    address: Annotated[str | None, Spec(Text(), "the secretariat's postal address")]


SECRETARIAT = record(SecretariatData)


class SiteData(TypedDict):
    """site.yaml."""

    title: Annotated[
        str, Spec(Text(), "the site's name, shown in every page's header", required=True)
    ]
    base_url: Annotated[
        str,
        Spec(
            Url(base=True, example="https://kkr.dk/"),
            "the address the site is served from, e.g. https://kkr.dk/",
            required=True,
        ),
    ]
    language: Annotated[
        str | None, Spec(Choice(("da",), "language"), "the language of the site: da")
    ]
    description: Annotated[
        str,
        Spec(Text(), "one sentence about the site, for search engines and feeds", required=True),
    ]
    publisher: Annotated[str, Spec(Text(), "who publishes the site, e.g. KL", required=True)]
    accessibility_statement: Annotated[
        str | None, Spec(URL, "the address of the site's accessibility statement")
    ]
    contact: Annotated[
        SecretariatData | None,
        Spec(SECRETARIAT, "the contact shown in every page's footer: email, phone, address"),
    ]


SITE = record(SiteData)


class TopicData(TypedDict):
    """topics.yaml (each item)."""

    slug: Annotated[str, Spec(Slug(), "the topic's name in URLs, e.g. sundhed", required=True)]
    name: Annotated[str, Spec(Text(), "the topic's name, e.g. Sundhed", required=True)]
    description: Annotated[str | None, Spec(Text(), "one sentence on what the topic covers")]


TOPIC = record(TopicData)


class PersonData(TypedDict):
    """people/<slug>.yaml."""

    name: Annotated[str, Spec(Text(), "the person's full name", required=True)]
    title: Annotated[
        str,
        Spec(Text(example="Borgmester"), "e.g. Borgmester or Byrådsmedlem", required=True),
    ]
    party: Annotated[str, Spec(Text(example="S"), "the party letter, e.g. S or V", required=True)]
    municipality: Annotated[
        str, Spec(Text(example="Herlev Kommune"), "e.g. Herlev Kommune", required=True)
    ]
    photo: Annotated[
        str | None,
        Spec(FileRef(example="kjeld-hansen.jpg", images=True), "a picture under files/"),
    ]
    url: Annotated[str | None, Spec(URL, "a page about the person elsewhere")]


PERSON = record(PersonData)


class TermData(TypedDict):
    """terms (each item)."""

    period: Annotated[
        Period, Spec(PeriodType(), "the election period, e.g. 2010-2013", required=True)
    ]
    chair: Annotated[str | None, Spec(Ref("person"), "the chair (formand), a person slug")]
    vice_chair: Annotated[
        str | None, Spec(Ref("person"), "the vice-chair (næstformand), a person slug")
    ]
    members: Annotated[tuple[str, ...], Spec(ListOf(Ref("person")), "the members, person slugs")]


TERM = record(TermData)


class AppointmentData(TypedDict):
    """appointments (each item)."""

    body: Annotated[
        str,
        Spec(Text(example="Vækstforum"), "the regional body, e.g. Vækstforum", required=True),
    ]
    person: Annotated[str, Spec(Ref("person"), "who was appointed, a person slug", required=True)]
    period: Annotated[
        Period, Spec(PeriodType(), "the election period, e.g. 2010-2013", required=True)
    ]
    role: Annotated[str | None, Spec(Text(), "e.g. Formand or Medlem")]


APPOINTMENT = record(AppointmentData)


class RegionData(TypedDict):
    """kkr/<region>/kkr.yaml."""

    name: Annotated[
        str,
        Spec(Text(example="KKR Hovedstaden"), "the council, e.g. KKR Hovedstaden", required=True),
    ]
    region: Annotated[
        str,
        Spec(
            Text(example="Region Hovedstaden"),
            "the region, e.g. Region Hovedstaden",
            required=True,
        ),
    ]
    municipalities: Annotated[
        tuple[str, ...], Spec(ListOf(Text()), "the municipalities of the region")
    ]
    secretariat: Annotated[
        SecretariatData | None,
        Spec(SECRETARIAT, "how to reach the secretariat: email, phone, address"),
    ]
    terms: Annotated[
        tuple[TermData, ...],
        Spec(ListOf(TERM), "chair, vice-chair and members per election period"),
    ]
    appointments: Annotated[
        tuple[AppointmentData, ...],
        Spec(ListOf(APPOINTMENT), "people appointed to regional bodies (udpegninger)"),
    ]
    description: Annotated[str | None, Spec(Text(), "a short introduction to the council")]


REGION = record(RegionData)
