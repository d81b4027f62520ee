"""Article URLs: resolving links found in listings, and the canonical form that is their identity.

The same article reaches newsmon under many spellings (`HTTP://WWW.Site.com:80/a?utm_source=rss&b=2&a=1#top`).
The canonical form drops what never selects a different page (fragment, default port, tracking
parameters, parameter order, host case) so that each article is fetched and stored once.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

WEB_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that only say where a reader came from (Google Analytics, Alibaba's "spm", ad click
# ids); every other parameter may select the page and is kept.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMETERS = frozenset({"spm", "fbclid", "gclid"})


def resolve_link(base_url: str, href: str | None) -> str | None:
    """An absolute http(s) URL for `href` as written on the page at `base_url`; None for other schemes."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    url = urljoin(base_url, href)
    parts = urlsplit(url)
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return urlunsplit(parts._replace(fragment=""))


def canonical_url(url: str) -> str:
    """The identity of an article URL: lower-case scheme and host, no default port, fragment or tracking."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if ":" in host:  # an IPv6 literal keeps its brackets
        netloc = f"[{host}]" + netloc[len(host) :]
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_parameter(name)
    )
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def is_tracking_parameter(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(TRACKING_PREFIXES) or lowered in TRACKING_PARAMETERS


def host_of(url: str) -> str:
    """The lower-case host name of a URL ('' when it has none)."""
    return (urlsplit(url).hostname or "").rstrip(".")


def origin_of(url: str) -> str:
    """scheme://host[:port], the unit of robots.txt and of per-host pacing."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port
    host = host_of(url)
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS.get(scheme)) else f"{scheme}://{host}:{port}"
