"""A real HTTP server on 127.0.0.1 for feed tests: routes with ETag/Last-Modified
(and 304), scripted status sequences (500 then 200, 429 with Retry-After), slow
answers, redirect loops, oversized bodies; it logs every request it gets."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    statuses: list[int] = field(default_factory=list)  # consumed one per request, then 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    validators: bool = True  # send ETag and Last-Modified, answer 304 when they match
    redirect_to: str | None = None
    chunks: int = 1  # send the body this many times (for oversized bodies)


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.delay_s:
                    time.sleep(route.delay_s)
                if route.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", route.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = route.statuses.pop(0) if route.statuses else 200
                etag = '"' + hashlib.sha1(route.body).hexdigest()[:12] + '"'
                if status == 200 and route.validators and self.headers.get("If-None-Match") == etag:
                    status = 304
                self.send_response(status)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                if status != 200:
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.validators:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", "Tue, 26 Aug 2025 08:00:00 GMT")
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body) * route.chunks))
                self.end_headers()
                for _ in range(route.chunks):
                    self.wfile.write(route.body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


def rss(base: str, items: list[tuple[str, str, str]], language: str = "de") -> bytes:
    """RSS 2.0 with (path, title, summary) items."""
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{p}</link><description>{s}</description>"
        "<pubDate>Tue, 26 Aug 2025 08:00:00 +0000</pubDate></item>"
        for p, t, s in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test</title>'
        f"<link>{base}/</link><language>{language}</language>{entries}</channel></rss>"
    ).encode()


def atom(base: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f'<entry><title>{t}</title><link href="{base}{p}"/><id>{base}{p}</id>'
        f"<updated>2025-09-03T09:00:00Z</updated><summary>{s}</summary></entry>"
        for p, t, s in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
        f"<title>Test</title><id>{base}/atom</id><updated>2025-09-03T09:00:00Z</updated>{entries}</feed>"
    ).encode()


def rdf(base: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f'<item rdf:about="{base}{p}"><title>{t}</title><link>{base}{p}</link><description>{s}</description>'
        "<dc:date>2025-08-26T08:00:00Z</dc:date></item>"
        for p, t, s in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="{base}/rdf"><title>Test</title><link>{base}/</link><dc:language>de</dc:language></channel>'
        f"{entries}</rdf:RDF>"
    ).encode()


def page(title: str, paragraphs: list[str], canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title>{link}<meta name='author' content='Anna Beispiel'></head>"
        f"<body><nav>Start | Politik | Login</nav><article><h1>{title}</h1>{body}</article>"
        "<footer>Impressum</footer></body></html>"
    ).encode()
