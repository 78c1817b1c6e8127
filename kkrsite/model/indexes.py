"""Step 2, model: the reverse relations the views read (a region's entries, a person's roles).

Computed once per build from the published entries and the regions, into `Indexes`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from kkrsite.kinds import EntryKind
from kkrsite.model.entities import Agreement, Column, Entry, Indexes, Meeting, Role, sort_entries
from kkrsite.model.shared import Appointment, Region


def build_indexes(by_kind: Mapping[str, tuple[Entry, ...]], regions: tuple[Region, ...]) -> Indexes:
    """Every reverse relation the views read, computed once."""
    entries = sort_entries(e for kind in by_kind.values() for e in kind)
    by_region: defaultdict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        for region in entry.in_regions:
            by_region[region.slug].append(entry)
    by_topic: defaultdict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        slugs = {t.slug for t in entry.topics}
        if isinstance(entry, Meeting):
            slugs.update(a.topic.slug for a in entry.agenda if a.topic)
        for slug in sorted(slugs):
            by_topic[slug].append(entry)

    roles: defaultdict[str, list[Role]] = defaultdict(list)
    appointments: defaultdict[str, list[tuple[Region, Appointment]]] = defaultdict(list)
    for region in regions:
        for term in region.terms:
            held = [("Formand for", term.chair), ("Næstformand for", term.vice_chair)]
            # A chair is also a member; the member role is only shown for the others.
            held += [
                ("Medlem af", m) for m in term.members if m not in (term.chair, term.vice_chair)
            ]
            for title, person in held:
                if person is not None:
                    roles[person.slug].append(Role(f"{title} {region.name}", region, term.period))
        for appointment in region.appointments:
            appointments[appointment.person.slug].append((region, appointment))
    columns: defaultdict[str, list[Column]] = defaultdict(list)
    for column in by_kind.get(Column.KIND.name, ()):
        assert isinstance(column, Column)
        for author in column.authors:
            columns[author.slug].append(column)

    def frozen(index: dict[str, list[Any]]) -> dict[str, tuple[Any, ...]]:
        return {key: tuple(values) for key, values in sorted(index.items())}

    def of_kind_by_region(kind: EntryKind) -> dict[str, tuple[Any, ...]]:
        return frozen(
            {
                r.slug: [e for e in by_kind.get(kind.name, ()) if any(x is r for x in e.in_regions)]
                for r in regions
            }
        )

    return Indexes(
        entries=entries,
        meetings_by_region=of_kind_by_region(Meeting.KIND),
        agreements_by_region=of_kind_by_region(Agreement.KIND),
        entries_by_region=frozen(dict(by_region)),
        entries_by_topic=frozen(dict(by_topic)),
        roles_by_person=frozen(
            {k: sorted(v, key=lambda r: (r.period, r.region.slug)) for k, v in roles.items()}
        ),
        appointments_by_person=frozen(
            {
                k: sorted(v, key=lambda ra: (ra[1].period, ra[0].slug, ra[1].body))
                for k, v in appointments.items()
            }
        ),
        columns_by_person=frozen(dict(columns)),
    )
