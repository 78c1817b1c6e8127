"""Open data: regions.json (each KKR, its terms and appointments) and people.json (Popolo)."""

from __future__ import annotations

import datetime as dt

from kkrsite.links import Links
from kkrsite.model.entities import Site
from kkrsite.model.shared import Appointment, Period, Person, Region, Term
from kkrsite.opendata_values import Json, id_of
from kkrsite.slugs import slugify
from kkrsite.urls import calendar_url, feed_url, file_url, url_of

CHAIR = "formand"
VICE_CHAIR = "næstformand"
MEMBER = "medlem"


def regions_file(site: Site, links: Links) -> Json:
    """Every KKR by id: its municipalities, secretariat, terms and appointments."""
    return {"regions": [_region(r, links) for r in sorted(site.regions, key=lambda r: r.slug)]}


def _region(region: Region, links: Links) -> Json:
    secretariat = region.secretariat
    return {
        "id": region.slug,
        "name": region.name,
        "region": region.region,
        "url": links.absolute_url(region),
        "description": region.description,
        "municipalities": list(region.municipalities),
        "secretariat": (
            {
                "email": secretariat.email,
                "phone": secretariat.phone,
                "address": secretariat.address,
            }
            if secretariat
            else None
        ),
        "terms": [_term(t) for t in region.terms],
        "appointments": [_appointment(a) for a in region.appointments],
        "feed": links.absolute_url(feed_url(url_of(region))),
        "calendar": links.absolute_url(calendar_url(region)),
    }


def _term(term: Term) -> Json:
    return {
        **_period(term.period),
        "chair": id_of(term.chair),
        "vice_chair": id_of(term.vice_chair),
        "members": [p.slug for p in term.members],
    }


def _appointment(appointment: Appointment) -> Json:
    return {
        "body": appointment.body,
        "person": appointment.person.slug,
        "role": appointment.role,
        **_period(appointment.period),
    }


def _period(period: Period) -> Json:
    """An election period as its label and its first and last day."""
    return {"period": period.label, **_dates(period)}


def _dates(period: Period) -> Json:
    """An election period's first and last day."""
    return {
        "start_date": dt.date(period.start, 1, 1).isoformat(),
        "end_date": dt.date(period.end, 12, 31).isoformat(),
    }


def people_file(site: Site, links: Links) -> Json:
    """Persons, organisations (the KKR and the bodies they appoint to) and memberships."""
    regions = sorted(site.regions, key=lambda r: r.slug)
    organizations = [_kkr_organization(r, links) for r in regions]
    bodies: dict[str, Json] = {}
    memberships: list[Json] = []
    for region in regions:
        for term in region.terms:
            memberships += _term_memberships(region, term)
    for region in regions:
        for appointment in region.appointments:
            body_id = body_organization_id(region, appointment.body)
            bodies.setdefault(
                body_id,
                {
                    "id": body_id,
                    "name": appointment.body,
                    "classification": "regional_body",
                    "region": region.slug,
                    "url": None,
                },
            )
            memberships.append(
                {
                    "person_id": appointment.person.slug,
                    "organization_id": body_id,
                    "role": appointment.role or MEMBER,
                    **_dates(appointment.period),
                    "on_behalf_of_id": region.slug,
                }
            )
    organizations += [bodies[k] for k in sorted(bodies)]
    return {
        "persons": [_person(p, links) for p in sorted(site.people, key=lambda p: p.slug)],
        "organizations": organizations,
        "memberships": memberships,
    }


def body_organization_id(region: Region, body: str) -> str:
    """The id of a body a KKR appoints to: `hovedstaden/vaekstforum`.

    Scoped by region because each region has its own body of the same name
    (the Vækstforum of Region Hovedstaden is not the one of Region Sjælland).
    """
    return f"{region.slug}/{slugify(body) or 'organ'}"


def _person(person: Person, links: Links) -> Json:
    return {
        "id": person.slug,
        "name": person.name,
        "url": links.absolute_url(person),
        "image": links.absolute_url(file_url(person.photo)) if person.photo else None,
        "links": [{"url": person.url}] if person.url else [],
        "title": person.title,
        "party": person.party,
        "municipality": person.municipality,
    }


def _kkr_organization(region: Region, links: Links) -> Json:
    return {
        "id": region.slug,
        "name": region.name,
        "classification": "kkr",
        "region": region.slug,
        "url": links.absolute_url(region),
    }


def _term_memberships(region: Region, term: Term) -> list[Json]:
    """One membership per person in a term: the chair's and vice-chair's role wins over member."""
    held: dict[str, str] = {}
    for role, person in ((CHAIR, term.chair), (VICE_CHAIR, term.vice_chair)):
        if person is not None:
            held.setdefault(person.slug, role)
    for person in term.members:
        held.setdefault(person.slug, MEMBER)
    return [
        {
            "person_id": slug,
            "organization_id": region.slug,
            "role": role,
            **_dates(term.period),
            "on_behalf_of_id": None,
        }
        for slug, role in held.items()
    ]
