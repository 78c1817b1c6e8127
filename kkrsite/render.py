"""Step 4, render: one Jinja environment turns each planned page into bytes.

Autoescape is on and undefined variables are errors. Template faults become
problems at `templates/<file>:<line>`, like content faults. Each Markdown body
is rendered once per build, however many pages show it.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import jinja2
import jinja2.meta
from babel.numbers import format_decimal
from markupsafe import Markup

from kkrsite.dates import date_da, month_da, time_da
from kkrsite.digest import Digests, digest
from kkrsite.errors import MarkdownLimitError, Problem, TemplateProblem
from kkrsite.htmlscan import urls_in
from kkrsite.links import Links
from kkrsite.markdown import render_markdown
from kkrsite.model.entities import (
    AgreementKind,
    AgreementStatus,
    Entry,
    MeetingStatus,
)
from kkrsite.routes import navigation
from kkrsite.safefs import nfc
from kkrsite.sandbox import COMPILED, NoLinkLoader, Sandbox, deadline
from kkrsite.sanitise import absolutize
from kkrsite.siteplan import Page, SiteView
from kkrsite.urls import (
    FILES_PREFIX,
    agreements_url,
    asset_url,
    calendar_url,
    document_url,
    file_url,
    meetings_url,
    year_url,
)

LABELS: Mapping[Enum, str] = {
    MeetingStatus.PLANNED: "Planlagt",
    MeetingStatus.HELD: "Afholdt",
    MeetingStatus.CANCELLED: "Aflyst",
    AgreementKind.UDVIKLINGSSTRATEGI: "Udviklingsstrategi",
    AgreementKind.STYRINGSAFTALE: "Styringsaftale",
    AgreementKind.RAMMEAFTALE: "Rammeaftale",
    AgreementStatus.UDKAST: "Udkast",
    AgreementStatus.ANBEFALET: "Anbefalet af KKR",
    AgreementStatus.GODKENDT: "Godkendt af kommunalbestyrelserne",
}


def builtin_templates() -> Path:
    """The templates shipped with kkrsite: installed inside the package, or the checkout's."""
    package = Path(__file__).resolve().parent
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


def template_dirs(user_templates: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins: the user's folder, then the built-in one."""
    builtin = builtin_templates()
    dirs = [user_templates] if user_templates is not None else []
    return [*dirs, builtin] if builtin not in dirs else dirs


_REFERENCES: dict[str, tuple[str | None, ...]] = {}
"""The templates a template source names, by source: parsed once per process."""


def _references_in(env: jinja2.Environment, source: str) -> tuple[str | None, ...]:
    names = tuple(jinja2.meta.find_referenced_templates(env.parse(source)))
    _REFERENCES[source] = names
    return names


def template_sources(folders: list[Path]) -> bytes:
    """A digest of every file in the template folders: a Renderer is kept while it holds."""
    loader = NoLinkLoader([str(p) for p in folders])
    env = jinja2.Environment()

    def source(name: str) -> str:
        try:
            return loader.get_source(env, name)[0]
        except (jinja2.TemplateNotFound, TemplateProblem, OSError, UnicodeDecodeError):
            return "\0unreadable"  # rendering reports it

    return digest(tuple((name, source(name)) for name in loader.list_templates()))


def filesize_da(size: int) -> str:
    """1234567 → '1,2 MB' (decimal units, Danish decimal comma)."""
    if size < 1000:
        return f"{size} B"
    for unit, factor in (("kB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if size < factor * 1000 or unit == "GB":
            return (
                f"{format_decimal(round(size / factor, 1), format='#,##0.#', locale='da')} {unit}"
            )
    raise AssertionError("unreachable")


FEED_BODY_LIMIT = 30_000
"""Characters of body HTML a feed item carries: a long set of minutes is about 20,000."""
_LONG_BODY = '<p>Teksten er lang. <a href="{url}">Læs den på siden</a>.</p>'


@dataclass(frozen=True)
class PageView:
    """What templates see as `page`."""

    url: str
    title: str
    canonical: str
    breadcrumbs: tuple[tuple[str, str], ...]
    """(title, link) pairs; links are ready for href."""
    feed: str | None = None
    """The link to the page's RSS feed, if it has one."""
    feed_title: str | None = None


class Renderer:
    """The one Jinja environment, with kkrsite's functions and filters.

    Templates are compiled once and kept across the builds of a `kkrsite serve`
    session; the site each build renders is given with `use`. Markdown bodies are
    rendered once, keyed on their text, for as long as the Renderer lives.
    """

    def __init__(self, template_paths: list[Path], view: SiteView | None = None) -> None:
        self.template_paths = template_paths
        self._bodies: dict[str, Markup] = {}
        self._rendering: Entry | None = None
        """The entry whose body is being rendered, named if the body breaks a limit."""
        self.linked_files: set[str] = set()
        """Paths under files/ that bodies rendered since the last `use` link to."""
        self.env = Sandbox(
            loader=NoLinkLoader([str(p) for p in template_paths]),
            bytecode_cache=COMPILED,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # Templates are read once per Renderer, not checked for changes at every page
            # that imports them: a change of template makes a new Renderer.
            auto_reload=False,
        )
        filters: dict[str, Callable[..., Any]] = {
            "date_da": date_da,
            "month_da": month_da,
            "time_da": time_da,
            "label": lambda value: LABELS[value],
            "filesize_da": filesize_da,
        }
        self.env.filters.update(filters)
        self.digests = Digests()
        self._template_keys: dict[str, bytes] = {}
        self._referenced: dict[str, tuple[str, tuple[str | None, ...]]] = {}
        self.links = Links("https://localhost/")
        if view is not None:
            self.use(view)

    def template_key(self, name: str) -> bytes:
        """A digest of template `name` and of every template it extends, includes or imports.

        A page is rendered again when this changes. A reference the parser cannot
        follow (a name computed while rendering) makes the page depend on every template.
        """
        if name not in self._template_keys:
            sources: dict[str, str] = {}
            if not self._collect(name, sources):
                for other in self.env.list_templates():
                    self._collect(other, sources)
            self._template_keys[name] = self.digests.of(tuple(sorted(sources.items())))
        return self._template_keys[name]

    def _collect(self, name: str, sources: dict[str, str]) -> bool:
        """Add the source of `name` and of the templates it names to `sources`.

        Returns False when some name is computed while rendering (then any may be used).
        """
        if name in sources:
            return True
        source, names = self._references(name)
        sources[name] = source
        complete = True
        for other in names:
            if other is None or not self._collect(other, sources):
                complete = False
        return complete

    def _references(self, name: str) -> tuple[str, tuple[str | None, ...]]:
        """A template's source and the templates it names (None: computed), read once."""
        if name not in self._referenced:
            names: tuple[str | None, ...] = ()
            try:
                source = self.env.loader.get_source(self.env, name)[0] if self.env.loader else ""
                known = _REFERENCES.get(source)
                names = known if known is not None else _references_in(self.env, source)
            except (jinja2.TemplateNotFound, TemplateProblem, OSError):
                source = "\0missing"  # the render reports it; the key stays stable
            except jinja2.TemplateSyntaxError:
                pass  # the render reports it
            self._referenced[name] = (source, names)
        return self._referenced[name]

    def forget_bodies(self) -> None:
        """Let go of the Markdown bodies rendered so far (their memory)."""
        self._bodies.clear()

    def take_linked_files(self) -> tuple[str, ...]:
        """The attachments linked from the bodies rendered since the last call, sorted."""
        found, self.linked_files = self.linked_files, set()
        return tuple(sorted(found))

    def use(self, view: SiteView) -> None:
        """Render `view`'s site from now on: the templates' `site` and its links."""
        links = self.links = Links(view.config.base_url)
        self.linked_files = set()
        # An imported template keeps the globals it was first run with (its macros closed
        # over them): forget the loaded templates; their compiled code is kept (COMPILED).
        if self.env.cache is not None:
            self.env.cache.clear()
        # Templates hold the environment's globals by reference: updated in place, every
        # compiled template sees the new site.
        self.env.globals.update(
            site=view,
            url=links.url,
            document_url=lambda doc: links.link(document_url(doc)),
            file_url=lambda rel: links.link(file_url(rel)),
            asset=lambda name: links.link(asset_url(name)),
            absolute=links.absolute,
            webcal=lambda link: "webcal://" + links.absolute(link).split("://", 1)[-1],
            markdown=self.markdown,
            navigation=navigation(),
            meetings_url=lambda region: links.link(meetings_url(region)),
            agreements_url=lambda region: links.link(agreements_url(region)),
            calendar_url=lambda region=None: links.link(calendar_url(region)),
            year_url=lambda year: links.link(year_url(year)),
        )
        self.env.allow(*self.env.globals.values())

    def markdown(self, entry: Entry) -> Markup:
        """An entry's body as sanitised HTML, rendered once per build."""
        html = self._bodies.get(entry.body)
        if html is None:
            self._rendering = entry
            try:
                html = self._bodies[entry.body] = Markup(render_markdown(entry.body))
            finally:
                self._rendering = None
        if "filer/" in entry.body:  # only such a body can link an attachment
            self.linked_files.update(self._attachments_linked(html, entry))
        return html

    def _attachments_linked(self, html: str, entry: Entry) -> Iterator[str]:
        """The paths under files/ that a body's links and images point to."""
        page = self.links.absolute_url(entry)
        files = urlsplit(self.links.absolute_url(FILES_PREFIX))
        for url in urls_in(html):
            try:
                target = urlsplit(urljoin(page, url))
            except ValueError:
                continue
            if target.netloc == files.netloc and target.path.startswith(files.path):
                yield nfc(unquote(target.path.removeprefix(files.path)))

    def feed_html(self, entry: Entry) -> str:
        """An entry's body for feeds: every link absolute, since readers show it out of context.

        A body longer than FEED_BODY_LIMIT is not copied into every feed it is in (a
        region's, each topic's, …): the item says where to read it instead.
        """
        html, url = self.markdown(entry), self.links.absolute_url(entry)
        if len(html) > FEED_BODY_LIMIT:
            html = Markup(_LONG_BODY).format(url=url)
        return absolutize(str(html), url)

    def render(self, page: Page) -> bytes:
        """One page as UTF-8 bytes; template faults raise `TemplateProblem`."""
        link = self.links.link
        view = PageView(
            url=page.url,
            title=page.title,
            canonical=self.links.absolute_url(page.url),
            breadcrumbs=tuple((title, link(href)) for title, href in page.breadcrumbs),
            feed=link(page.feed) if page.feed else None,
            feed_title=page.feed_title,
        )
        try:
            with deadline():
                template = self.env.get_template(page.template)
                return template.render(page=view, **page.context).encode("utf-8")
        except TemplateProblem:
            raise
        except MarkdownLimitError as exc:
            raise TemplateProblem(self.body_problem(exc)) from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(
                self._problem(exc.filename, exc.lineno, exc.message or str(exc))
            ) from None
        except jinja2.TemplateNotFound as exc:
            where = ", ".join(str(p) for p in self.template_paths)
            raise TemplateProblem(
                Problem(Path(exc.name or page.template), None, f"template not found in {where}")
            ) from None
        except Exception as exc:  # an error raised while a template runs: point at its line
            filename, line = _template_frame(exc, self.template_paths)
            message = f"{type(exc).__name__}: {exc} (while rendering {page.url})"
            raise TemplateProblem(self._problem(filename, line, message)) from None

    def body_problem(self, exc: MarkdownLimitError) -> Problem:
        """A body over a limit, at its line in the entry's file."""
        entry = self._rendering
        if entry is None:
            return Problem(Path("templates"), None, exc.message)
        return Problem(entry.origin.path, entry.body_line + exc.line - 1, exc.message)

    def _problem(self, filename: str | None, line: int | None, message: str) -> Problem:
        return Problem(Path(filename or "templates"), line, f"template error: {message}")


def _template_frame(exc: BaseException, folders: Iterable[Path]) -> tuple[str | None, int | None]:
    """The innermost template file and line in an exception's traceback.

    A template is any file in a templates folder, whatever its name: a page template
    may import a macro file called `parts.j2`.
    """
    roots = tuple(os.path.join(folder, "") for folder in folders)
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(roots):
            found = (frame.filename, frame.lineno)
    return found
