"""What the preview adds to the HTML it serves, and which open pages a build reloads.

The livereload script goes into every HTML response (never into the files on disk),
and after a failed build the problem overlay too.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kkrsite.htmlscan import scan_tags
from kkrsite.urls import ASSETS_PREFIX

OVERLAY_ID = "kkrsite-problems"

_LIVE_CSS = (".css",)

_LIVERELOAD_SCRIPT = (
    # livereload's own snippet: the script is fetched from the address the page came from.
    "<script>(function(){var s=document.createElement('script');"
    "var port=window.location.port||(window.location.protocol=='https:'?443:80);"
    "s.src='//'+window.location.hostname+':'+port+'/livereload.js?port='+port;"
    "document.head.appendChild(s);})();</script>"
)

_OVERLAY_STYLE = (
    "<style>"
    f"#{OVERLAY_ID}{{position:fixed;inset:0 0 auto 0;z-index:2147483647;box-sizing:border-box;"
    "width:100%;max-width:none;max-height:100vh;overflow:auto;margin:0;padding:1rem 1.25rem;"
    "background:#fff;color:#1b1f24;border:0;border-bottom:6px solid #a1211c;"
    "box-shadow:0 4px 24px rgba(0,0,0,.35);font:1rem/1.5 system-ui,sans-serif;text-align:left}"
    f"#{OVERLAY_ID} h2{{margin:0 0 .5rem;color:#a1211c;font-size:1.375rem;line-height:1.25}}"
    f"#{OVERLAY_ID} p{{margin:0 0 .5rem;max-width:none}}"
    f"#{OVERLAY_ID} ul{{margin:.5rem 0 1rem;padding:0;list-style:none}}"
    f"#{OVERLAY_ID} li{{margin:.25rem 0;padding:.5rem .75rem;background:#fbeceb;"
    "border-left:4px solid #a1211c}"
    f"#{OVERLAY_ID} code{{font:.9375rem/1.4 ui-monospace,Menlo,Consolas,monospace;"
    "white-space:pre-wrap;overflow-wrap:anywhere;color:#1b1f24;background:none}"
    f"#{OVERLAY_ID} button{{font:inherit;padding:.375rem 1rem;background:#a1211c;color:#fff;"
    "border:0;border-radius:4px;cursor:pointer}"
    f"#{OVERLAY_ID}:focus-visible,#{OVERLAY_ID} button:focus-visible{{outline:3px solid #1b1f24;"
    "outline-offset:2px}"
    "</style>"
)

NO_SITE = (
    '<!DOCTYPE html>\n<html lang="da">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>Ingen side – kkrsite serve</title>\n</head>\n<body>\n<main>\n"
    "<h1>Ingen side her</h1>\n<p>Forhåndsvisningen har ingen side på denne adresse.</p>\n"
    "</main>\n</body>\n</html>\n"
)
"""Shown for a missing address when the site has no 404.html (or was never built)."""


# --- what is added to HTML responses -------------------------------------------------


def overlay_html(lines: list[str], has_site: bool) -> str:
    """The problem overlay: a dialog with a heading, what happened in Danish, the problem lines.

    It takes the focus when the page loads, so a screen reader reads it first; the
    lines are English (for now), marked so.
    """
    n = len(lines)
    found = f"{n} problem" if n == 1 else f"{n} problemer"
    kept = (
        "Du ser den seneste udgave af siden, der kunne bygges."
        if has_site
        else "Der er endnu ingen udgave af siden, der kunne bygges."
    )
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return (
        f'<dialog open id="{OVERLAY_ID}" tabindex="-1" '
        f'aria-labelledby="{OVERLAY_ID}-title" aria-describedby="{OVERLAY_ID}-text">'
        f'<h2 id="{OVERLAY_ID}-title">Siden kunne ikke bygges</h2>'
        f'<p id="{OVERLAY_ID}-text">kkrsite fandt {found}. {kept} '
        f"Ret {'fejlen' if n == 1 else 'fejlene'} og gem igen, så bliver siden bygget "
        "og vist på ny.</p>"
        f'<ul lang="en">{items}</ul>'
        '<form method="dialog"><button type="submit">Skjul</button></form>'
        f"<script>document.getElementById('{OVERLAY_ID}').focus();</script>"
        "</dialog>"
    )


def inject(page: bytes, head: str, body: str) -> bytes:
    """`page` with `head` before `</head>` and `body` right after the `<body>` start tag.

    The places are found by the HTML5 tokenizer, not by searching text (a `</head>`
    inside a script is not the end of the head). A page without them gets the
    additions at its start.
    """
    try:
        text = page.decode("utf-8")
    except UnicodeDecodeError:
        return page
    head_end = body_start = None
    for tag in scan_tags(text):
        if tag.name == "head" and tag.closing and head_end is None:
            head_end = tag.offset
        elif tag.name == "body" and not tag.closing:
            body_start = tag.end
            break
    if body_start is None:
        return (head + body).encode() + page
    if head_end is None:
        return (text[:body_start] + head + body + text[body_start:]).encode()
    return (text[:head_end] + head + text[head_end:body_start] + body + text[body_start:]).encode()


def add_to_page(page: bytes, problems: tuple[str, ...], has_site: bool) -> bytes:
    """`page` with the livereload script and, while the last build failed, the overlay."""
    overlay = overlay_html(list(problems), has_site) if problems else ""
    head = _LIVERELOAD_SCRIPT + (_OVERLAY_STYLE if overlay else "")
    return inject(page, head, overlay)


# --- which browsers reload -----------------------------------------------------------


def reload_messages(
    clients: Mapping[Any, str | None],
    changed: Iterable[str],
    overlay_changed: bool,
    existing: Callable[[str], bool],
) -> dict[Any, dict[str, Any]]:
    """The livereload `reload` command to send to each browser that must reload, by browser.

    `clients` maps each browser to the output file its page shows (None: unknown).
    A browser reloads when its file changed; one on a missing address (the 404 page)
    when 404.html changed or its file appeared. Every browser reloads when the
    overlay appeared, changed or went, or an asset other than a stylesheet changed;
    a changed stylesheet is swapped live in the others.
    """
    changed = set(changed)
    assets = {rel for rel in changed if rel.startswith(ASSETS_PREFIX.strip("/") + "/")}
    stylesheets = {rel for rel in assets if rel.endswith(_LIVE_CSS)}
    everything = overlay_changed or bool(assets - stylesheets)
    messages: dict[Any, dict[str, Any]] = {}
    for client, rel in clients.items():
        mine = rel is not None and (rel in changed or ("404.html" in changed and not existing(rel)))
        if everything or mine:
            messages[client] = reload_page(rel)
        elif stylesheets:
            messages[client] = _reload("/" + min(stylesheets))
    return messages


def reload_page(rel: str | None) -> dict[str, Any]:
    """The livereload command that reloads the page showing output file `rel` (None: `/`)."""
    return _reload("/" if rel is None else "/" + rel.removesuffix("index.html"))


def _reload(path: str) -> dict[str, Any]:
    return {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
