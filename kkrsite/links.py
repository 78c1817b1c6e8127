"""Turning site-relative URLs into links and absolute URLs for one base_url.

Routes decide site-relative URLs (`/kkr/hovedstaden/`); pages link with the
base_url's path in front (a site may be served from a sub-folder), and feeds,
calendars, sitemaps and open data need absolute URLs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from kkrsite.urls import Routable, url_of


class Links:
    """Links and absolute URLs for a site served from `base_url`."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.base_url = base_url
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path.rstrip("/")

    def link(self, site_path: str) -> str:
        """A site-relative path as a link that works under base_url's path; others pass."""
        return self.base_path + site_path if site_path.startswith("/") else site_path

    def url(self, target: Routable | str) -> str:
        """The link to an entity's page or to a site path."""
        return self.link(target if isinstance(target, str) else url_of(target))

    def absolute(self, link: str) -> str:
        """A link made by `link`/`url` as an absolute URL (external URLs pass unchanged)."""
        return self.origin + link if link.startswith("/") else link

    def absolute_url(self, target: Routable | str) -> str:
        """The absolute URL of an entity's page or a site path."""
        return self.absolute(self.url(target))
