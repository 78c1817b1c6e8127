"""Write a synthetic KKR site of N entries, for kkrsite and, with the same posts, for Hugo.

    python benchmarks/generate.py /dev/shm/bench --entries 4000 [--seed 9]

writes /dev/shm/bench/kkrsite/content/ (the content format of docs/content.md) and
/dev/shm/bench/hugo/ (hugo.toml, content/<section>/<slug>.md, a minimal layouts/).
The same seed and N give the same bytes, so runs on different days compare.

The entries: five regions with twenty years (2007-2026) of meetings, four or five a
year each, with agendas and documents as URLs; two framework agreements a region a
year; and the rest columns and publications, three to one. Every body is about 600
Danish-looking words from a fixed word list, with headings, a list, links and now and
then a table. Authors, chairs and members are people the site has.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

FIRST_YEAR = 2007
LAST_YEAR = 2026
# The day SOURCE_DATE_EPOCH names in compare.py: columns and publications are dated
# before it (so all are published); meetings of late 2026 are planned meetings.
TODAY = dt.date(2026, 7, 1)
BASE_URL = "https://kkr.example.dk/"
SITE_TITLE = "KKR – KommuneKontaktRådene"
PERIODS = ((2006, 2009), (2010, 2013), (2014, 2017), (2018, 2021), (2022, 2025), (2026, 2029))

REGIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "hovedstaden": (
        "KKR Hovedstaden",
        "Region Hovedstaden",
        ("Albertslund", "Ballerup", "Gentofte", "Gladsaxe", "Herlev", "Hillerød", "København"),
    ),
    "sjaelland": (
        "KKR Sjælland",
        "Region Sjælland",
        ("Faxe", "Guldborgsund", "Holbæk", "Køge", "Næstved", "Roskilde", "Slagelse"),
    ),
    "syddanmark": (
        "KKR Syddanmark",
        "Region Syddanmark",
        ("Esbjerg", "Fredericia", "Kolding", "Odense", "Svendborg", "Sønderborg", "Vejle"),
    ),
    "midtjylland": (
        "KKR Midtjylland",
        "Region Midtjylland",
        ("Aarhus", "Herning", "Holstebro", "Horsens", "Randers", "Silkeborg", "Viborg"),
    ),
    "nordjylland": (
        "KKR Nordjylland",
        "Region Nordjylland",
        ("Aalborg", "Brønderslev", "Frederikshavn", "Hjørring", "Mariagerfjord", "Thisted"),
    ),
}

TOPICS: tuple[tuple[str, str, str], ...] = (
    ("sundhed", "Sundhed", "Samarbejdet om det nære sundhedsvæsen."),
    (
        "socialomraadet",
        "Det specialiserede social- og undervisningsområde",
        "Koordineringen af de specialiserede sociale tilbud og rammeaftalerne.",
    ),
    ("erhverv", "Erhverv: Vækstforum og Væksthus", "Vækst og erhvervsservice i regionen."),
    ("kollektiv-trafik", "Kollektiv trafik", "Trafik, der ikke stopper ved kommunegrænsen."),
    ("uddannelse", "Uddannelse", "Fælles initiativer på uddannelsesområdet."),
    ("regional-udvikling", "Regional udvikling", "Planlægning, vindmøller og miljø."),
    ("beskaeftigelse", "Beskæftigelse", "Jobcentrenes samarbejde på tværs af kommunerne."),
)

FIRST_NAMES = (
    "Anders", "Anne", "Bente", "Birgit", "Carsten", "Erik", "Finn", "Hanne", "Henrik",
    "Jens", "Jette", "Karen", "Kirsten", "Lars", "Lene", "Mette", "Morten", "Niels",
    "Ole", "Pia", "Poul", "Søren", "Steen", "Susanne", "Thomas", "Ulla", "Aase", "Jørgen",
)  # fmt: skip
LAST_NAMES = (
    "Andersen", "Bach", "Christensen", "Dahl", "Frederiksen", "Hansen", "Holm", "Jensen",
    "Kristensen", "Larsen", "Madsen", "Mikkelsen", "Møller", "Nielsen", "Olsen", "Pedersen",
    "Rasmussen", "Sørensen", "Thomsen", "Østergaard", "Aagaard", "Lund", "Skov", "Vestergaard",
)  # fmt: skip
PARTIES = ("S", "V", "K", "F", "O", "B", "Ø", "I")
PERSON_TITLES = ("Borgmester", "Borgmester", "Viceborgmester", "Byrådsmedlem", "Rådmand")
BODIES = (
    "Sundhedskoordinationsudvalget",
    "Vækstforum",
    "Væksthusets bestyrelse",
    "Det regionale beskæftigelsesråd",
    "Professionshøjskolens bestyrelse",
)
PUBLICATION_KINDS = ("beretning", "pjece", "notat", "brev")

WORDS = (  # noqa: SIM905 (one paragraph of words reads better than a list)
    "kommune kommunerne kommunalbestyrelsen regionen regionens rådet KKR samarbejde "
    "samarbejdet aftale aftalen aftaler rammeaftalen styringsaftalen udviklingsstrategien "
    "borgerne borgere tilbud tilbuddene opgave opgaver opgaverne indsats indsatsen område "
    "området sundhed sundhedsvæsenet sygehus læge lægerne forløb forløbet sammenhæng "
    "udvikling udviklingen vækst erhverv virksomheder væksthus væksthuset uddannelse unge "
    "elever skole job jobcentrene beskæftigelse ledige trafik busser tog veje planlægning "
    "miljø vindmøller klima vand natur borgmester formand næstformand udvalg fagudvalg "
    "møde mødet dagsorden referat beslutning drøftelse høring budget økonomi pris priser "
    "kapacitet pladser styring mål målene resultater data viden erfaringer dialog ansvar "
    "fællesskab fælles lokale regionale nationale politiske store små nye gode bedre "
    "vigtigt nødvendigt tæt stærkt hurtigt løbende tidligt sammen hver alle flere færre "
    "mange nogle enkelte samlet hele første næste sidste år året måned tid tiden perioden "
    "har er var blev bliver skal vil kan må bør kræver giver får tager ser sætter følger "
    "løfter styrker drøfter anbefaler godkender vedtager peger arbejder bidrager skaber "
    "sikrer understøtter inddrager koordinerer vurderer forventer hilser ønsker lægger "
    "og i på for med til af om fra som at det den de en et der ikke også men så når hvis "
    "efter under mellem over ved mod blandt gennem hvor hvordan hvad både eller kun mere "
    "mest meget godt nu her der derfor desuden samtidig især blandt andet fx altså dog "
    "kommunale specialiserede sociale nære akutte borgernære tværkommunale økonomiske "
    "praktiserende højt langsigtede konkrete tydelige forpligtende effektive sammenhængende"
).split()
HEADINGS = (
    "Baggrund", "Status", "Næste skridt", "Økonomi", "Beslutning", "Proces og tidsplan",
    "Mål for året", "Samarbejdet med regionen", "Erfaringer fra kommunerne", "Høring",
    "Opfølgning", "Det siger formanden", "Fakta", "Perspektiver",
)  # fmt: skip
LINKS = (
    "https://www.kl.dk/kkr/",
    "https://www.kl.dk/politik/",
    "https://www.kl.dk/okonomi-og-administration/",
    "https://www.sum.dk/",
    "https://www.regioner.dk/",
    "https://www.danskekommuner.dk/",
)


@dataclass(frozen=True)
class Person:
    """A person of the synthetic site."""

    slug: str
    name: str
    region: str


@dataclass(frozen=True)
class Post:
    """One entry, as a kkrsite content file and as the same post in a Hugo site."""

    kind: str  # "column", "meeting", "publication", "agreement"
    kkrsite_path: str  # relative to content/
    hugo_path: str  # relative to the Hugo site's content/
    kkrsite_url: str  # the page's path in kkrsite's output
    hugo_url: str  # the page's path in Hugo's output
    kkrsite_front: str
    hugo_front: str
    body: str


@dataclass
class Generated:
    """What generate() wrote: where, how much, and the column that benchmarks edit."""

    root: Path
    content: Path  # kkrsite's content/
    hugo: Path  # the Hugo site folder (holds hugo.toml)
    counts: dict[str, int] = field(default_factory=dict)
    words: int = 0
    edit: Post | None = None

    @property
    def edit_kkrsite_file(self) -> Path:
        assert self.edit is not None
        return self.content / self.edit.kkrsite_path

    @property
    def edit_hugo_file(self) -> Path:
        assert self.edit is not None
        return self.hugo / "content" / self.edit.hugo_path


def slugify(text: str) -> str:
    """Make a URL slug the way docs/content.md asks: Danish letters spelt out."""
    text = text.lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e"), ("ü", "u")):
        text = text.replace(a, b)
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in text)
    return "-".join(part for part in out.split("-") if part)[:80].strip("-")


def q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def yaml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(q(v) for v in values) + "]"


class Writer:
    """Deterministic text: every random choice comes from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def words(self, n: int) -> list[str]:
        return self.rng.choices(WORDS, k=n)

    def sentence(self, low: int = 6, high: int = 16) -> str:
        words = self.words(self.rng.randint(low, high))
        if self.rng.random() < 0.15:
            i = self.rng.randrange(1, len(words))
            words[i] = f"**{words[i]}**"
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def title(self) -> str:
        text = " ".join(self.words(self.rng.randint(3, 7)))
        return text[0].upper() + text[1:]

    def paragraph(self, link: bool) -> tuple[str, int]:
        sentences: list[str] = []
        count = 0
        target = self.rng.randint(40, 90)
        while count < target:
            s = self.sentence()
            sentences.append(s)
            count += len(s.split())
        if link:
            i = self.rng.randrange(len(sentences))
            words = sentences[i].split()
            j = self.rng.randrange(max(1, len(words) - 2))
            words[j : j + 2] = [f"[{' '.join(words[j : j + 2])}]({self.rng.choice(LINKS)})"]
            sentences[i] = " ".join(words)
        return " ".join(sentences), count

    def body(self) -> tuple[str, int]:
        """About 600 words of Markdown: paragraphs, headings, a list, sometimes a table."""
        target = self.rng.randint(520, 620)
        blocks: list[str] = []
        count = 0
        step = 0
        table_at = self.rng.randint(3, 8) if self.rng.random() < 0.3 else -1
        list_at = self.rng.randint(2, 5)
        while count < target:
            if step in (2, 6, 10):
                heading = self.rng.choice(HEADINGS)
                blocks.append(f"## {heading}")
                count += len(heading.split())
            elif step == list_at:
                items = [" ".join(self.words(self.rng.randint(4, 10))) for _ in range(4)]
                blocks.append("\n".join(f"- {item}" for item in items))
                count += sum(len(item.split()) for item in items)
            elif step == table_at:
                rows = ["| Punkt | Ansvar | Status |", "|---|---|---|"]
                for k in range(self.rng.randint(3, 5)):
                    cell = " ".join(self.words(3))
                    status = self.rng.choice(("Godkendt", "Afventer", "I gang"))
                    rows.append(f"| {k + 1} | {cell} | {status} |")
                blocks.append("\n".join(rows))
                count += 4 * (len(rows) - 2)
            else:
                text, n = self.paragraph(link=self.rng.random() < 0.35)
                blocks.append(text)
                count += n
            step += 1
        return "\n\n".join(blocks) + "\n", count


def _people(w: Writer) -> tuple[list[Person], dict[str, list[Person]]]:
    people: list[Person] = []
    by_region: dict[str, list[Person]] = {}
    seen: set[str] = set()
    for region in REGIONS:
        pool: list[Person] = []
        while len(pool) < 12:
            name = f"{w.rng.choice(FIRST_NAMES)} {w.rng.choice(LAST_NAMES)}"
            slug = slugify(name)
            if slug in seen:
                continue
            seen.add(slug)
            pool.append(Person(slug, name, region))
        by_region[region] = pool
        people.extend(pool)
    return people, by_region


def _terms(
    w: Writer, by_region: dict[str, list[Person]]
) -> dict[str, list[tuple[str, str, str, list[str]]]]:
    """Per region and election period: (period, chair, vice-chair, members)."""
    terms: dict[str, list[tuple[str, str, str, list[str]]]] = {}
    for region, pool in by_region.items():
        terms[region] = []
        for first, last in PERIODS:
            chosen = w.rng.sample(pool, 7)
            terms[region].append(
                (f"{first}-{last}", chosen[0].slug, chosen[1].slug, [p.slug for p in chosen[2:]])
            )
    return terms


def _chair(terms: list[tuple[str, str, str, list[str]]], day: dt.date) -> str:
    for period, chair, _vice, _members in terms:
        first, last = (int(y) for y in period.split("-"))
        if first <= day.year <= last:
            return chair
    raise ValueError(day)


def _site_files(
    w: Writer,
    root: Path,
    people: list[Person],
    terms: dict[str, list[tuple[str, str, str, list[str]]]],
) -> None:
    content = root / "kkrsite" / "content"
    (content / "people").mkdir(parents=True)
    (content / "site.yaml").write_text(
        f"title: {q(SITE_TITLE)}\n"
        f"base_url: {BASE_URL}\n"
        "language: da\n"
        "description: Et syntetisk websted til at måle kkrsite (benchmarks/generate.py).\n"
        "publisher: KL\n"
        'contact:\n  email: kl@kl.dk\n  phone: "3370 3370"\n'
        "  address: KL, Weidekampsgade 10, 2300 København S\n",
        encoding="utf-8",
    )
    (content / "topics.yaml").write_text(
        "".join(
            f"- slug: {slug}\n  name: {q(name)}\n  description: {q(text)}\n"
            for slug, name, text in TOPICS
        ),
        encoding="utf-8",
    )
    for person in people:
        municipality = w.rng.choice(REGIONS[person.region][2])
        (content / "people" / f"{person.slug}.yaml").write_text(
            f"name: {q(person.name)}\n"
            f"title: {w.rng.choice(PERSON_TITLES)}\n"
            f"party: {q(w.rng.choice(PARTIES))}\n"
            f"municipality: {q(municipality + ' Kommune')}\n",
            encoding="utf-8",
        )
    for region, (name, region_name, municipalities) in REGIONS.items():
        folder = content / "kkr" / region
        folder.mkdir(parents=True)
        lines = [
            f"name: {q(name)}",
            f"region: {q(region_name)}",
            f"description: {q(w.sentence(12, 20))}",
            f"municipalities: {yaml_list(municipalities)}",
            "secretariat:",
            f"  email: kkr-{region}@kl.dk",
            '  phone: "3370 3370"',
            "terms:",
        ]
        for period, chair, vice, members in terms[region]:
            lines += [
                f'  - period: "{period}"',
                f"    chair: {chair}",
                f"    vice_chair: {vice}",
                f"    members: {yaml_list(members)}",
            ]
        lines.append("appointments:")
        for period, chair, vice, members in terms[region]:
            for body, appointed, role in zip(
                BODIES, (chair, vice, *members), ("Formand", "Medlem"), strict=False
            ):
                lines += [
                    f"  - body: {q(body)}",
                    f"    person: {appointed}",
                    f"    role: {role}",
                    f'    period: "{period}"',
                ]
        (folder / "kkr.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _hugo_front(
    title: str,
    day: dt.date,
    summary: str,
    topics: Sequence[str],
    regions: Sequence[str],
    authors: Sequence[str],
    items: Sequence[tuple[str, str]],
) -> str:
    lines = [f"title: {q(title)}", f"date: {day.isoformat()}", f"summary: {q(summary)}"]
    lines.append(f"topics: {yaml_list(topics)}")
    if regions:
        lines.append(f"regions: {yaml_list(regions)}")
    if authors:
        lines.append(f"authors: {yaml_list(authors)}")
    if items:
        lines.append("items:")
        for text, url in items:
            lines.append(f"  - title: {q(text)}")
            if url:
                lines.append(f"    url: {url}")
    return "\n".join(lines) + "\n"


def _meeting_days(w: Writer) -> list[tuple[str, dt.date]]:
    days: list[tuple[str, dt.date]] = []
    for region in REGIONS:
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            months = sorted(w.rng.sample((2, 3, 4, 6, 8, 9, 10, 11, 12), w.rng.choice((4, 5))))
            days += [(region, dt.date(year, m, w.rng.randint(1, 28))) for m in months]
    return days


def _spread(items: list[tuple[str, dt.date]], n: int) -> list[tuple[str, dt.date]]:
    """n of the items, evenly spaced (all of them when n >= len(items))."""
    if n >= len(items):
        return items
    return [items[i * len(items) // n] for i in range(n)]


def generate(root: Path, entries: int, seed: int = 9) -> Generated:
    """Write both sites under root (which must not exist or be empty)."""
    if root.exists() and any(root.iterdir()):
        raise SystemExit(f"{root} is not empty: give a new or empty folder")
    w = Writer(seed)
    people, by_region = _people(w)
    names = {p.slug: p.name for p in people}
    terms = _terms(w, by_region)
    _site_files(w, root, people, terms)
    gen = Generated(root=root, content=root / "kkrsite" / "content", hugo=root / "hugo")
    topic_slugs = [slug for slug, _name, _text in TOPICS]

    meetings = _meeting_days(w)
    agreements = [
        (region, dt.date(year, 8, 20 + i))
        for year in range(FIRST_YEAR, LAST_YEAR + 1)
        for i, region in enumerate(REGIONS)
    ]
    # Meetings and agreements follow the calendar; on a very small site they take at
    # most two thirds of it, evenly thinned, so every kind is there.
    fixed = min(len(meetings) + 2 * len(agreements), entries * 2 // 3)
    n_meetings = fixed * len(meetings) // (len(meetings) + 2 * len(agreements))
    meetings = _spread(meetings, n_meetings)
    agreements = _spread(agreements, (fixed - n_meetings + 1) // 2)
    rest = entries - len(meetings) - 2 * len(agreements)
    n_columns = rest * 3 // 4
    n_publications = rest - n_columns

    posts: list[Post] = []
    words = 0
    for region, day in meetings:
        held = day < TODAY
        topics = w.rng.sample(topic_slugs, w.rng.randint(1, 2))
        agenda: list[tuple[str, str]] = []
        kk = [f'time: "{w.rng.choice(("9:00", "10:00", "13:00"))}"']
        kk.append(f"location: {q(w.rng.choice(REGIONS[region][2]) + ' Rådhus')}")
        kk.append(f"topics: {yaml_list(topics)}")
        kk.append("agenda:")
        for _ in range(w.rng.randint(4, 8)):
            point = w.title()
            topic = w.rng.choice(topics)
            kk += [f"  - title: {q(point)}", f"    topic: {topic}"]
            if held:
                kk.append(f"    decision: {q(w.sentence(8, 14))}")
            agenda.append((point, ""))
        stem = day.isoformat()  # one meeting a month at most, so dates are unique
        docs = [
            ("Dagsorden", f"https://www.kl.dk/kkr/{region}/{stem}/dagsorden.pdf"),
            ("Bilag", f"https://www.kl.dk/kkr/{region}/{stem}/bilag.pdf"),
        ]
        if held:
            docs.append(("Referat", f"https://www.kl.dk/kkr/{region}/{stem}/referat.pdf"))
        kk.append("documents:")
        for text, url in docs:
            kk += [f"  - title: {text}", f"    url: {url}"]
        summary = w.sentence(12, 20)
        kk.insert(0, f"summary: {q(summary)}")
        body, n = w.body()
        words += n
        title = f"Møde i {REGIONS[region][0]} {day.isoformat()}"
        posts.append(
            Post(
                "meeting",
                f"kkr/{region}/meetings/{stem}.md",
                f"meetings/{region}-{stem}.md",
                f"/kkr/{region}/moeder/{stem}/",
                f"/meetings/{region}-{stem}/",
                "\n".join(kk) + "\n",
                _hugo_front(title, day, summary, topics, [region], [], agenda + docs),
                body,
            )
        )
    for region, day in agreements:
        for kind, label in (
            ("udviklingsstrategi", "Udviklingsstrategi"),
            ("styringsaftale", "Styringsaftale"),
        ):
            year = day.year + 1
            slug = f"{kind}-{year}"
            title = f"{label} {year} for kommunerne i {REGIONS[region][1]}"
            summary = w.sentence(12, 20)
            status = "godkendt" if day < TODAY else "udkast"
            url = f"https://www.kl.dk/kkr/{region}/{slug}.pdf"
            kk_front = (
                f"title: {q(title)}\nkind: {kind}\nyear: {year}\nstatus: {status}\n"
                f"date: {day.isoformat()}\nsummary: {q(summary)}\ntopics: [socialomraadet]\n"
                f"documents:\n  - title: {label}\n    url: {url}\n"
            )
            body, n = w.body()
            words += n
            posts.append(
                Post(
                    "agreement",
                    f"kkr/{region}/agreements/{slug}.md",
                    f"agreements/{region}-{slug}.md",
                    f"/kkr/{region}/rammeaftaler/{slug}/",
                    f"/agreements/{region}-{slug}/",
                    kk_front,
                    _hugo_front(
                        title, day, summary, ["socialomraadet"], [region], [], [(label, url)]
                    ),
                    body,
                )
            )
    seen_slugs: set[str] = set()
    span = (TODAY - dt.date(FIRST_YEAR, 1, 1)).days - 1
    for kind, count in (("column", n_columns), ("publication", n_publications)):
        for i in range(count):
            day = dt.date(FIRST_YEAR, 1, 1) + dt.timedelta(
                days=min(span, i * span // max(1, count) + w.rng.randint(0, 3))
            )
            title = w.title()
            slug = slugify(title)[:60].strip("-")
            while slug in seen_slugs:
                slug = f"{slug}-{w.rng.randint(2, 99)}"
            seen_slugs.add(slug)
            summary = w.sentence(12, 24)
            topics = w.rng.sample(topic_slugs, w.rng.randint(1, 3))
            body, n = w.body()
            words += n
            stem = f"{day.isoformat()}-{slug}"
            if kind == "column":
                chairs = [_chair(terms[r], day) for r in REGIONS]
                roll = w.rng.random()
                regions: list[str] = []
                if roll < 0.6:
                    authors = [w.rng.choice(chairs)]
                elif roll < 0.85:
                    authors = sorted(set(w.rng.sample(chairs, w.rng.randint(2, 5))))
                else:
                    authors = [w.rng.choice(people).slug]
                    regions = [w.rng.choice(list(REGIONS))]
                kk_front = (
                    f"title: {q(title)}\ndate: {day.isoformat()}\npublication: Danske Kommuner\n"
                    f'issue: "{day.isocalendar()[1]:02d}/{day.year}"\n'
                    f"authors: {yaml_list(authors)}\n"
                    + (f"regions: {yaml_list(regions)}\n" if regions else "")
                    + f"topics: {yaml_list(topics)}\nsummary: {q(summary)}\n"
                )
                post = Post(
                    "column",
                    f"columns/{stem}.md",
                    f"columns/{slug}.md",
                    f"/klummer/{slug}/",
                    f"/columns/{slug}/",
                    kk_front,
                    _hugo_front(
                        title, day, summary, topics, regions, [names[a] for a in authors], []
                    ),
                    body,
                )
            else:
                regions = w.rng.sample(list(REGIONS), w.rng.choice((0, 0, 1, 2)))
                url = f"https://www.kl.dk/publikationer/{slug}.pdf"
                kk_front = (
                    f"title: {q(title)}\nkind: {w.rng.choice(PUBLICATION_KINDS)}\n"
                    f"date: {day.isoformat()}\n"
                    + (f"regions: {yaml_list(regions)}\n" if regions else "")
                    + f"topics: {yaml_list(topics)}\nsummary: {q(summary)}\n"
                    f"documents:\n  - title: Publikationen som PDF\n    url: {url}\n"
                )
                post = Post(
                    "publication",
                    f"publications/{stem}.md",
                    f"publications/{slug}.md",
                    f"/publikationer/{slug}/",
                    f"/publications/{slug}/",
                    kk_front,
                    _hugo_front(title, day, summary, topics, regions, [], [("PDF", url)]),
                    body,
                )
            posts.append(post)

    for post in posts:
        for path, front in (
            (gen.content / post.kkrsite_path, post.kkrsite_front),
            (gen.hugo / "content" / post.hugo_path, post.hugo_front),
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"---\n{front}---\n{post.body}", encoding="utf-8")
        gen.counts[post.kind] = gen.counts.get(post.kind, 0) + 1
    columns = [p for p in posts if p.kind == "column"]
    gen.edit = columns[len(columns) // 2] if columns else None
    gen.words = words
    _hugo_site(gen.hugo)
    return gen


HUGO_CONFIG = f"""\
baseURL = "{BASE_URL}"
title = "{SITE_TITLE}"
languageCode = "da"
defaultContentLanguage = "da"
buildFuture = true
enableRobotsTXT = false

[params]
publisher = "KL"

[taxonomies]
topic = "topics"
region = "regions"
author = "authors"

[pagination]
pagerSize = 20

# kkrsite's feeds hold the newest 50 entries (routes.FEED_SIZE); Hugo's hold all by default.
[services.rss]
limit = 50

[markup.goldmark.parser]
autoHeadingID = true
"""

HUGO_BASEOF = """\
<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} – {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{ with .OutputFormats.Get "rss" -}}
<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">
{{- end }}
</head>
<body>
<header>
<a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav aria-label="Hovedmenu"><ul>
{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
{{ range $name, $terms := site.Taxonomies -}}
<li><a href="{{ "/" | relURL }}{{ $name }}/">{{ $name }}</a></li>
{{- end }}
</ul></nav>
</header>
<main id="main-content">
{{ block "main" . }}{{ end }}
</main>
<footer><p>{{ site.Params.publisher }}</p></footer>
</body>
</html>
"""

HUGO_SINGLE = """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">
{{- .Date | time.Format ":date_long" }}</time></p>
{{ with .Params.authors }}<p>Af {{ delimit . ", " }}</p>{{ end }}
{{ with .GetTerms "topics" }}<ul class="topics">
{{- range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end -}}
</ul>{{ end }}
{{ .Content }}
{{ with .Params.items }}
<ul class="items">
{{ range . }}<li>
{{- with .url }}<a href="{{ . }}">{{ end }}{{ .title }}{{ with .url }}</a>{{ end -}}
</li>{{ end }}
</ul>
{{ end }}
</article>
{{ end }}
"""

HUGO_LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}
<ul class="entries">
{{ range $pager.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date | time.Format ":date_long" }}</time>
<p>{{ .Summary }}</p></li>
{{ end }}
</ul>
{{ if gt $pager.TotalPages 1 }}
<nav aria-label="Sider"><ul>
{{ with $pager.Prev }}<li><a href="{{ .URL }}">Forrige</a></li>{{ end }}
<li>Side {{ $pager.PageNumber }} af {{ $pager.TotalPages }}</li>
{{ with $pager.Next }}<li><a href="{{ .URL }}">Næste</a></li>{{ end }}
</ul></nav>
{{ end }}
{{ end }}
"""


def _hugo_site(hugo: Path) -> None:
    """The Hugo config and a minimal theme: a base template, a list and a single page."""
    layouts = hugo / "layouts"
    layouts.mkdir(parents=True, exist_ok=True)
    (hugo / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (layouts / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="a new or empty folder to write both sites in")
    parser.add_argument("--entries", type=int, default=1000, help="how many entries (N)")
    parser.add_argument("--seed", type=int, default=9, help="the seed (default 9)")
    parser.add_argument("--force", action="store_true", help="empty OUT first if it exists")
    args = parser.parse_args(argv)
    if args.entries < 10:
        parser.error("--entries must be at least 10")
    if args.force and args.out.exists():
        shutil.rmtree(args.out)
    gen = generate(args.out, args.entries, args.seed)
    total = sum(gen.counts.values())
    kinds = ", ".join(f"{n} {kind}s" for kind, n in sorted(gen.counts.items()))
    print(f"{total} entries ({kinds}), {gen.words // max(1, total)} words a body on average")
    print(f"kkrsite: {gen.content}")
    print(f"Hugo:    {gen.hugo}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
