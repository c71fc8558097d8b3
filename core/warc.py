"""What the WARC files keep of one HTTP exchange, as both sides of the project see it.

The crawler captures an :class:`Exchange` next to the downloader (``crawler/warc.py``), before
any middleware decodes the body; the archive side writes it to WARC files and indexes it
(``pipelines/warc.py``), in the crawl's process or, in a distributed crawl, in the archive
writer's, which receives it as a :class:`PackedExchange`. This module is the shape they agree
on, and the rules of what is never written: the values of ``Cookie`` and ``Set-Cookie`` headers
(a reader session has no place in an archive), and the ``Transfer-Encoding`` framing, which the
network layer has already undone (the header is kept under
``X-Archive-Orig-Transfer-Encoding``, as web archives do, so that readers do not de-chunk a
body that is no longer chunked).
"""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass, field
from http import HTTPStatus

#: Headers whose values are never written to a WARC file.
REDACTED_HEADERS = frozenset({"cookie", "set-cookie", "set-cookie2"})
#: What a redacted header's value is replaced with.
REDACTED = "[removed]"
#: Headers that described the transfer, not the body: renamed with this prefix.
TRANSFER_HEADERS = frozenset({"transfer-encoding"})
ORIGINAL_PREFIX = "X-Archive-Orig-"

Headers = list[tuple[str, str]]


@dataclass
class Exchange:
    """One request and the response the server sent to it, body as received."""

    record_id: str  # the response record's WARC-Record-ID, without <urn:uuid:...>
    url: str
    method: str
    request_headers: Headers
    protocol: str  # "HTTP/1.1"
    status: int
    response_headers: Headers
    body: bytes = field(repr=False)  # as received: still gzip- or br-encoded if it was sent so
    fetched_at: str = ""  # ISO 8601 UTC, to the second (the archive's time format)
    ip_address: str | None = None
    request_body: bytes = b""


#: zlib level of a body on its way from a distributed worker to the archive writer: 1 costs
#: ~0.6 ms of a worker's CPU per 90 KB news page and leaves about a quarter of it in Redis.
PACK_LEVEL = 1


@dataclass
class PackedExchange:
    """An exchange travelling from a distributed crawl's worker to its archive writer
    (``core.handoff``), its body zlib-compressed; the writer unpacks it and writes the WARC
    records a one-machine crawl writes (the body inside is the one received, encoding kept)."""

    exchange: Exchange  # its body is the zlib stream of the received body

    @classmethod
    def pack(cls, exchange: Exchange) -> PackedExchange:
        return cls(dataclasses.replace(exchange, body=zlib.compress(exchange.body, PACK_LEVEL)))

    def unpack(self) -> Exchange:
        return dataclasses.replace(self.exchange, body=zlib.decompress(self.exchange.body))


def archived_headers(headers: Headers) -> Headers:
    """Headers as the WARC keeps them: cookie values removed, transfer framing renamed."""
    kept: Headers = []
    for name, value in headers:
        lower = name.lower()
        if lower in REDACTED_HEADERS:
            kept.append((name, REDACTED))
        elif lower in TRANSFER_HEADERS:
            kept.append((ORIGINAL_PREFIX + name, value))
        else:
            kept.append((name, value))
    return kept


def is_html(content_type: str) -> bool:
    """Whether a Content-Type names an HTML page (the responses the WARC files keep)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("text/html", "application/xhtml+xml")


def reason_phrase(status: int) -> str:
    """The standard reason phrase of a status (Scrapy does not keep the server's)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
