"""The command line: a thin shell that turns arguments into Options and runs the pipeline."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kkrsite import __version__
from kkrsite.build import load, render, unused_attachments
from kkrsite.builder import Builder, BuildResult
from kkrsite.config import Options
from kkrsite.dates import today
from kkrsite.errors import ContentError, KkrsiteError, UsageError, display_path, printable
from kkrsite.model.formats import url_problem
from kkrsite.sitecheck import check_site


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kkrsite",
        description="Build the website of the five KKR from YAML and Markdown.",
    )
    parser.add_argument("--version", action="version", version=f"kkrsite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def content_options(p: argparse.ArgumentParser, preview: bool = False) -> None:
        p.add_argument(
            "--content",
            type=Path,
            default=Path("content"),
            metavar="DIR",
            help="the content folder (default: content/)",
        )
        p.add_argument(
            "--templates",
            type=Path,
            default=None,
            metavar="DIR",
            help="templates that override the built-in ones (default: templates/ if it exists)",
        )
        # A preview shows what is not published yet, each marked as such; a build only asked.
        shown = (
            {"action": argparse.BooleanOptionalAction, "default": True}
            if preview
            else {"action": "store_true"}
        )
        verb = "show" if preview else "include"
        p.add_argument(
            "--drafts",
            **shown,
            help=f"{verb} entries marked draft: true"
            + (", marked Kladde (default: on)" if preview else ""),
        )
        p.add_argument(
            "--future",
            **shown,
            help=f"{verb} columns and publications dated after today"
            + (", marked Ikke udgivet endnu (default: on)" if preview else ""),
        )
        p.add_argument(
            "--debug", action="store_true", help="show the traceback of an internal error"
        )
        p.add_argument(
            "--base-url",
            metavar="URL",
            help="serve the site from this address instead of site.yaml's base_url",
        )

    def out_option(p: argparse.ArgumentParser, text: str, default: str = "build") -> None:
        p.add_argument("--out", type=Path, default=Path(default), metavar="DIR", help=text)

    build_cmd = commands.add_parser("build", help="build the site into build/")
    content_options(build_cmd)
    out_option(build_cmd, "where to write the site (default: build/)")
    build_cmd.add_argument(
        "--clean",
        action="store_true",
        help="build everything again, ignoring the build cache in .kkrsite-cache/",
    )
    check_cmd = commands.add_parser("check", help="validate content and templates, write nothing")
    content_options(check_cmd)
    check_cmd.add_argument(
        "--links",
        action="store_true",
        help="also check the built site in --out: links, sitemap, feeds and calendars",
    )
    out_option(check_cmd, "the built site --links checks (default: build/)")
    serve_cmd = commands.add_parser(
        "serve",
        help="build a preview, serve it and reload the browser on every save",
        description="Build the site into .kkrsite-preview/, serve it on this machine, and "
        "rebuild on every save in the content and template folders: the browsers showing "
        "a page that changed reload. Problems are shown in the terminal and on every page.",
    )
    content_options(serve_cmd, preview=True)
    out_option(
        serve_cmd,
        "where to build the preview (default: .kkrsite-preview/, never build/)",
        default=".kkrsite-preview",
    )
    serve_cmd.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to serve on (default: 127.0.0.1, this machine only)",
    )
    serve_cmd.add_argument(
        "--port", type=_port, default=8000, help="the port to serve on (default: 8000)"
    )
    serve_cmd.add_argument(
        "--open", action="store_true", help="open the preview in the web browser"
    )
    return parser


def _port(text: str) -> int:
    """A TCP port for --port (0 lets the system choose a free one)."""
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0-65535)")
    return int(text)


def _options(args: argparse.Namespace) -> Options:
    templates = args.templates
    if templates is None and (Path("templates").is_dir() or Path("templates").is_symlink()):
        templates = Path("templates")
    if args.base_url is not None:
        why = url_problem(args.base_url, base=True)
        if why is not None:
            raise UsageError(
                f"--base-url '{args.base_url}' is not a usable address: {why} "
                "(e.g. --base-url https://deploy-preview-12--kkr.netlify.app/)"
            )
    return Options(
        content=args.content,
        out=getattr(args, "out", Path("build")),
        today=today(),
        templates=templates,
        drafts=args.drafts,
        future=args.future,
        base_url=args.base_url,
    )


def _check_built_site(out: Path, base_url: str) -> int:
    """Check build/ as readers and validators see it; returns how many files were checked."""
    if not (out / "index.html").is_file():
        raise UsageError(
            f"no built site in '{out}': run `kkrsite build` first, or name it with --out DIR"
        )
    problems = check_site(out, base_url)
    if problems:
        raise ContentError(problems)
    return sum(1 for p in out.rglob("*") if p.suffix in (".html", ".xml", ".ics"))


class _Progress:
    """One line on a terminal that says how far a long build is, rewritten in place."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total >= 500:  # a small site is built before a line could be read
            print(f"\rBuilding: {done:,} of {total:,} files", end="", file=sys.stderr, flush=True)
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _redone(result: BuildResult) -> str:
    """What an incremental build redid, when it did not redo everything."""
    total = result.pages + result.others
    if result.made >= total:
        return ""
    return f" ({result.made} of {total} made again, {len(result.changed)} files changed)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run kkrsite; returns the exit code (0 done, 1 bad input, 130 interrupted)."""
    args = _parser().parse_args(argv)
    try:
        options = _options(args)
        if args.command == "build":
            progress = _Progress() if sys.stderr.isatty() else None
            builder = Builder(options, clean=args.clean, progress=progress, keep=False)
            try:
                result = builder.build()
            finally:
                if progress:
                    progress.clear()
            for warning in builder.warnings:
                print(f"kkrsite: warning: {printable(warning)}", file=sys.stderr)
            print(
                f"Built {result.pages} pages and {result.others} feeds, calendars and data files; "
                f"copied {result.files} files into "
                f"{display_path(options.out, Path.cwd())}/ in {result.seconds:.2f} s"
                + _redone(result)
            )
        elif args.command == "serve":
            from kkrsite.serve import ServeSettings, serve

            return serve(options, ServeSettings(args.host, args.port, args.open, args.debug))
        else:
            loaded = load(options)
            rendered = render(options, loaded)
            print(
                f"No problems: {len(loaded.plan.pages)} pages would be built from "
                f"{display_path(options.content, Path.cwd())}/"
            )
            for path in unused_attachments(loaded, rendered.attachments):
                print(
                    f"{display_path(path, Path.cwd())}: note: no published entry uses this file, "
                    "so it is not published; link it from an entry, or delete it"
                )
            if args.links:
                checked = _check_built_site(options.out, loaded.site.config.base_url)
                print(
                    f"No problems in the built site: {checked} pages, feeds and calendars checked"
                )
    except ContentError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        n = len(exc.problems)
        kept = (
            "nothing was written"
            if args.command == "check"
            else "the previous build was left as it was"
        )
        print(f"kkrsite: {n} problem{'s' if n != 1 else ''} found; {kept}", file=sys.stderr)
        return 1
    except KkrsiteError as exc:
        print(f"kkrsite: {printable(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kkrsite: interrupted; the previous build was left as it was", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in kkrsite, not a mistake in the content: say so
        if args.debug:
            raise
        print(
            f"kkrsite: internal error, this is a bug in kkrsite ({type(exc).__name__}: "
            f"{printable(str(exc))}); the previous build was left as it was. Run again with "
            "--debug to see the traceback, and report it.",
            file=sys.stderr,
        )
        return 1
    return 0
