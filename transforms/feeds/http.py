"""HTTP for feeds and article pages: bounded in time, size, redirects and retries.

httpx does the protocol; this module adds the politeness and the limits: a
clear User-Agent, a cap on the body size (read as a stream, so an endless body
costs at most the cap), a redirect limit, and retries with backoff on 429 and
5xx that honour Retry-After (up to a bound, so one server cannot stall a tick).
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

import newsbeam

USER_AGENT = (
    f"newsbeam/{newsbeam.__version__} (+https://github.com/newsbeam/newsbeam; news-to-tables bot)"
)
# Limits, each a trade between patience with slow servers and a tick's length.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 15.0
MAX_BODY_BYTES = 10 * 1024 * 1024  # a feed or page larger than this is refused
MAX_REDIRECTS = 5
MAX_ATTEMPTS = 3  # first try + 2 retries on 429/5xx/connection errors
MAX_RETRY_WAIT_S = 30.0  # a longer Retry-After is not waited for: the item fails
BACKOFF_BASE_S = 0.5
RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class HttpLimits:
    """The limits above, picklable so that DoFns build their clients with them.

    `allow_private` lets fetching reach loopback and private networks: for
    tests and feeds on your own network only (see `check_destination`)."""

    timeout_s: float = READ_TIMEOUT_S
    max_bytes: int = MAX_BODY_BYTES
    max_attempts: int = MAX_ATTEMPTS
    max_retry_wait_s: float = MAX_RETRY_WAIT_S
    allow_private: bool = False

    def client(self) -> PoliteClient:
        return PoliteClient(
            self.max_bytes,
            self.timeout_s,
            self.max_attempts,
            self.max_retry_wait_s,
            allow_private=self.allow_private,
        )


class FetchError(Exception):
    """A fetch that failed for good; `kind` goes to the errors/feeds tables."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed_s: float
    attempts: int = 1
    waited_s: float = 0.0
    history: list[str] = field(default_factory=list)


# IPv6 prefixes that carry an IPv4 address inside (NAT64, RFC 6052 and 8215):
# the IPv4 part decides, so 64:ff9b::a9fe:a9fe is the metadata address.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for: mapped, 6to4, Teredo, NAT64."""
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo is not None:
        found += list(ip.teredo)  # (server, client)
    if any(ip in net for net in _NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _blocked(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Anything that is not globally routable, or that wraps an address that is not.

    `is_global` is False for private, loopback, link-local, shared (100.64/10,
    carrier-grade NAT, where cloud metadata such as 100.100.100.200 lives),
    reserved, documentation and other special-purpose ranges."""
    if ip.is_multicast or not ip.is_global:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        return any(_blocked(inner) for inner in embedded_ipv4(ip))
    return False


def check_destination(url: str, allow_private: bool = False) -> None:
    """Refuse anything but http(s), and (unless allowed) hosts that resolve to
    loopback, private, link-local (cloud metadata: 169.254.169.254) or other
    non-public addresses: a feed must not turn newsbeam against its own network.
    Checked before every request, redirects included. (A DNS answer that changes
    between this check and the connection is not caught.)"""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        scheme = parts.scheme or "no scheme"
        raise FetchError("bad_scheme", f"only http and https are fetched, not {scheme}")
    if not parts.hostname:
        raise FetchError("bad_url", "the URL has no host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", f"cannot resolve {parts.hostname}") from exc
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if _blocked(ip):
            raise FetchError(
                "blocked_address",
                f"{parts.hostname} resolves to {ip}, a non-public address; "
                "allow it explicitly with --allow-private-addresses",
            )


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteClient:
    def __init__(
        self,
        max_bytes: int = MAX_BODY_BYTES,
        timeout_s: float = READ_TIMEOUT_S,
        max_attempts: int = MAX_ATTEMPTS,
        max_retry_wait_s: float = MAX_RETRY_WAIT_S,
        sleep=time.sleep,  # type: ignore[no-untyped-def]
        allow_private: bool = False,
    ) -> None:
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.max_attempts = max_attempts
        self.max_retry_wait_s = max_retry_wait_s
        self._sleep = sleep
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
            follow_redirects=False,  # followed by hand: every hop is checked
        )

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        waited = 0.0
        for attempt in range(1, self.max_attempts + 1):
            try:
                fetched = self._get_once(url, headers or {})
            except FetchError as exc:
                if exc.kind != "connection" or attempt == self.max_attempts:
                    raise
                delay = BACKOFF_BASE_S * 2 ** (attempt - 1)
            else:
                fetched.attempts, fetched.waited_s = attempt, waited
                if fetched.status not in RETRY_STATUSES:
                    return fetched
                if attempt == self.max_attempts:
                    raise FetchError(
                        "http_status",
                        f"HTTP {fetched.status} after {attempt} attempts",
                        fetched.status,
                    )
                hinted = retry_after_seconds(fetched.headers.get("retry-after"))
                if hinted is not None and hinted > self.max_retry_wait_s:
                    raise FetchError(
                        "rate_limited",
                        f"HTTP {fetched.status}: Retry-After {hinted:.0f} s is over the "
                        f"{self.max_retry_wait_s:.0f} s limit; try next tick",
                        fetched.status,
                    )
                delay = hinted if hinted is not None else BACKOFF_BASE_S * 2 ** (attempt - 1)
            self._sleep(delay)
            waited += delay
        raise AssertionError("unreachable")

    def _get_once(self, url: str, headers: dict[str, str]) -> Fetched:
        started = time.monotonic()
        history: list[str] = []
        for _hop in range(MAX_REDIRECTS + 1):
            check_destination(url, self.allow_private)
            fetched = self._request(url, headers, started)
            location = fetched.headers.get("location")
            if fetched.status not in (301, 302, 303, 307, 308) or not location:
                fetched.history = history
                return fetched
            history.append(url)
            url = urljoin(url, location)
        raise FetchError("redirect_loop", f"more than {MAX_REDIRECTS} redirects")

    def _request(self, url: str, headers: dict[str, str], started: float) -> Fetched:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > self.max_bytes:
                        raise FetchError(
                            "too_large",
                            f"body over the {self.max_bytes}-byte limit",
                            response.status_code,
                        )
                return Fetched(
                    url=str(response.url),
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=bytes(body),
                    elapsed_s=time.monotonic() - started,
                )
        except httpx.TimeoutException as exc:
            raise FetchError(
                "timeout", f"no answer within the time limit ({type(exc).__name__})"
            ) from exc
        except httpx.TransportError as exc:
            raise FetchError("connection", f"connection failed: {type(exc).__name__}") from exc
