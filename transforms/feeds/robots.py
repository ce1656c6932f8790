"""robots.txt, fetched once per host per worker and obeyed for article pages."""

from __future__ import annotations

from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from newsbeam.transforms.feeds.http import USER_AGENT, FetchError, PoliteClient

AGENT = USER_AGENT.split("/", 1)[0]


class RobotsCache:
    def __init__(self, client: PoliteClient) -> None:
        self._client = client
        self._parsers: dict[str, RobotFileParser | None] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        if host not in self._parsers:
            self._parsers[host] = self._load(host)
        parser = self._parsers[host]
        return parser is None or parser.can_fetch(AGENT, url)

    def _load(self, host: str) -> RobotFileParser | None:
        """None means "no rules": a missing robots.txt (4xx) allows everything."""
        try:
            fetched = self._client.get(f"{host}/robots.txt")
        except FetchError:
            return None
        if fetched.status >= 400:
            return None
        parser = RobotFileParser()
        parser.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
        return parser
