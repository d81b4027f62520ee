"""Named failures. Each ends as a clear one-line message (a `fetch_errors` row or a CLI error), never a `None`."""


class NewsmonError(Exception):
    """Base class for every failure newsmon reports to its user."""


class ConfigError(NewsmonError):
    """The config file is missing, unreadable or invalid; the message names the key."""


class FetchError(NewsmonError):
    """A URL could not be fetched (network, HTTP status, size cap, deadline, robots, unsafe address)."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class DecodeError(NewsmonError):
    """Bytes could not be decoded as text in any candidate charset."""


class ParseError(NewsmonError):
    """A feed, list page, sitemap or text file could not be parsed into records."""


class ExtractError(ParseError):
    """An article page yielded no usable title or body."""
