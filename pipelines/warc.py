"""Raw pages kept in WARC files (ISO 28500), indexed in ``archive.db``, read back by offset.

:class:`WarcWriter` takes the exchanges the crawler captured (``crawler/warc.py``) and writes
them, in its own thread so that compression, digests and disk writes never stall Scrapy's
event loop, as gzip-per-record WARC files with warcio: a ``warcinfo`` record opens each file,
each exchange is a ``response`` record (headers as received, body before any content
decoding) and its ``request`` record; a payload already archived (same SHA-1 payload digest,
in this crawl or an earlier one) becomes a ``revisit`` record that refers to the original.
Files rotate once they reach ``max_size`` bytes.

Durability: each batch of records is written, flushed and fsynced before its index rows are
handed on (``on_written``; during a crawl the store pipeline commits them with its next batch,
so archive.db keeps one writer), so the index never points past what is on disk; and a
record is one ``write()`` of a whole gzip member, so a crash leaves a file readable up to its
last complete record (:func:`complete_records` shows it).

:func:`archived_page` reads one indexed record back with one seek (two for a revisit:
its original's payload), for Datasette's archived-page view and ``scrapy reextract``.

A distributed crawl's archive writer (``pipelines/writer.py``) uses :class:`WarcWriter`
without its thread: it calls :meth:`WarcWriter.write` on a batch's exchanges and commits the
rows with the batch; :func:`find_records` finds the records a killed writer had put on disk
without indexing them.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import queue
import sqlite3
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from twisted.internet import task
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.paths import project_path
from core.signals import response_captured, warc_records_written
from core.warc import Exchange, Headers, archived_headers, reason_phrase
from pipelines.store import Archive

logger = logging.getLogger(__name__)

#: Exchanges waiting for the writer thread at most; past that the crawl waits for the disk
#: (bounded memory: a page is ~100 KB).
QUEUE_SIZE = 500
#: zlib level of each record's gzip member: 1 compresses a 90 KB news page to 28 % of its size
#: in 0.6 ms of CPU, against 24 % in 2.4 ms at warcio's level 9 (the whole WARC cost of a page
#: must stay small next to its extraction, ~20 ms).
GZIP_LEVEL = 1
#: Records written (and fsynced) together at most, then indexed in one transaction.
BATCH = 200
FILE_SUFFIX = ".warc.gz"
#: How often the index rows of written records are handed to the store pipeline.
HAND_OVER_SECONDS = 1.0


def payload_digest(body: bytes) -> str:
    """The WARC payload digest of a body: ``sha1:`` and base32, as warcio and pywb write it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(iso: str) -> str:
    """An archive time (ISO 8601, UTC offset) as a WARC-Date (``...Z``)."""
    return iso.replace("+00:00", "Z")


def warc_directory(setting: str, archive: Path) -> Path:
    """Where the WARC files go: ``ARCHIVE_WARC_DIR``, or ``warc/`` next to the archive."""
    if not setting:
        return archive.parent / "warc"
    path = Path(setting).expanduser()
    return path if path.is_absolute() else archive.parent / path


def index_path(file: Path, archive_dir: Path) -> str:
    """A WARC file's name as the index keeps it: relative to the archive's folder when inside
    it (an archive and its WARCs move together), absolute otherwise."""
    try:
        return str(file.resolve().relative_to(archive_dir.resolve()))
    except ValueError:
        return str(file.resolve())


def _http_headers(exchange: Exchange) -> StatusAndHeaders:
    status = f"{exchange.status} {reason_phrase(exchange.status)}".rstrip()
    return StatusAndHeaders(status, archived_headers(exchange.response_headers),
                            protocol=exchange.protocol)


def _request_headers(exchange: Exchange) -> StatusAndHeaders:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return StatusAndHeaders(f"{exchange.method} {target} {exchange.protocol}",
                            archived_headers(exchange.request_headers), is_http_request=True)


@dataclass
class Original:
    """The response record a revisit refers to."""

    record_id: str
    url: str
    fetched_at: str


def gzip_member(data: bytes) -> bytes:
    """One gzip member (a record's own, so that it can be read alone at its offset)."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _record_bytes(writer: WARCWriter, buffer: BytesIO, record: Any) -> bytes:
    buffer.seek(0)
    buffer.truncate()
    writer.write_record(record)
    return gzip_member(buffer.getvalue())


def serialise(exchange: Exchange, digest: str, original: Original | None) -> tuple[bytes, int]:
    """The exchange's records as gzip members: (response or revisit, then request), and the
    length of the first (the one the index points at)."""
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=False)  # gzip_member compresses, at GZIP_LEVEL
    record_id = f"<urn:uuid:{exchange.record_id}>"
    common = {"WARC-Date": warc_date(exchange.fetched_at)}
    if exchange.ip_address:
        common["WARC-IP-Address"] = exchange.ip_address
    if original is None:
        record = writer.create_warc_record(
            exchange.url, "response", payload=BytesIO(exchange.body),
            length=len(exchange.body), http_headers=_http_headers(exchange),
            warc_headers_dict={"WARC-Record-ID": record_id, "WARC-Payload-Digest": digest,
                               **common},
        )
    else:
        record = writer.create_revisit_record(
            exchange.url, digest, original.url, warc_date(original.fetched_at),
            http_headers=_http_headers(exchange),
            warc_headers_dict={"WARC-Record-ID": record_id,
                               "WARC-Refers-To": f"<urn:uuid:{original.record_id}>", **common},
        )
    first = _record_bytes(writer, buffer, record)
    request = writer.create_warc_record(
        exchange.url, "request", payload=BytesIO(exchange.request_body),
        length=len(exchange.request_body), http_headers=_request_headers(exchange),
        warc_headers_dict={"WARC-Concurrent-To": record_id, **common},
    )
    return first + _record_bytes(writer, buffer, request), len(first)


def _content_type(headers: Headers) -> str | None:
    for name, value in headers:
        if name.lower() == "content-type":
            return value[:200]
    return None


class DigestLookup:
    """Earlier records of an archive by payload digest, for revisits: a read-only use of
    ``warc_records`` from the writer thread (its own connection, opened there; WAL lets it
    read while the store pipeline writes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._archive: Archive | None = None

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = Archive(self.path)
        return self._archive

    def original(self, digest: str) -> Original | None:
        row = self.archive.warc_original(digest)
        return Original(row["record_id"], row["url"], row["fetched_at"]) if row else None

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None


@dataclass
class WarcStats:
    records: int = 0
    revisits: int = 0
    bytes: int = 0
    files: int = 0
    errors: int = 0


class WarcWriter:
    """Writes exchanges to rotating WARC files in a thread, and indexes what is on disk.

    ``on_written`` is called in the writer thread with the index rows of records just made
    durable; ``lookup`` (used only in the writer thread) finds records of earlier crawls by
    payload digest; without it revisits are found within this writer's records only.
    """

    def __init__(
        self,
        directory: Path,
        *,
        max_size: int,
        info: dict[str, str],
        archive_dir: Path | None = None,
        on_written: Callable[[list[dict[str, Any]]], None] | None = None,
        lookup: DigestLookup | None = None,
        prefix: str = "news-archiver",
    ) -> None:
        self.directory = directory
        self.max_size = max_size
        self.info = info
        self.archive_dir = archive_dir or directory.parent
        self.on_written = on_written
        self.lookup = lookup
        self.prefix = prefix
        self.stats = WarcStats()
        self.files: list[Path] = []
        self._digests: dict[str, Original] = {}  # this crawl's payloads
        self._file: Any = None
        self._size = 0
        self._queue: queue.Queue[Exchange | None] = queue.Queue(QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- from the crawler's thread --------------------------------------------------------

    def submit(self, exchange: Exchange) -> None:
        """Queue an exchange for writing (blocks only when the disk is far behind)."""
        if self._closed:
            logger.warning("WARC writer closed: %s not archived", exchange.url)
            self.stats.errors += 1
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="warc-writer", daemon=True)
            self._thread.start()
        elif not self._thread.is_alive():  # never wait on a queue nobody empties
            logger.error("WARC writer thread has stopped: %s not archived", exchange.url)
            self.stats.errors += 1
            return
        self._queue.put(exchange)

    def close(self) -> None:
        """Write what is queued, close the file and wait for the thread."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        else:  # used without its thread (write() called directly): close here
            self._close_file()
            if self.lookup is not None:
                self.lookup.close()

    # -- in the writer thread -------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                first = self._queue.get()
                batch = [first]
                while first is not None and len(batch) < BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                exchanges = [e for e in batch if e is not None]
                if exchanges:
                    self.write(exchanges)
                if None in batch:
                    return
        finally:
            self._close_file()
            if self.lookup is not None:
                self.lookup.close()

    def write(self, exchanges: list[Exchange]) -> bool:
        """Write, fsync, then index a batch (callable directly, without the thread).

        Returns False when the batch could not be made durable (flush or fsync failed): none
        of it is indexed, and the next write starts a new file (the distributed writer
        tries the batch again). An exchange that cannot be serialised is logged, counted
        and left out."""
        rows = []
        for exchange in exchanges:
            try:
                rows.append(self._write_one(exchange))
            except Exception:  # a full disk, a bad header: log, count, keep crawling
                logger.exception("Writing %s to a WARC file failed", exchange.url)
                self.stats.errors += 1
        if not rows:
            return True
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError:
            logger.exception("Flushing the WARC file %s failed", self.files[-1])
            self.stats.errors += len(rows)
            for row in rows:  # no revisit may refer to a record that is not indexed
                original = self._digests.get(row["payload_digest"])
                if original is not None and original.record_id == row["record_id"]:
                    del self._digests[row["payload_digest"]]
            self._abandon_file()
            return False
        if self.on_written is not None:
            self.on_written(rows)
        return True

    def adopt(self, rows: list[dict[str, Any]]) -> None:
        """Index rows of records already on disk (found again by :func:`find_records`):
        later payloads with their digests become revisits of them."""
        for row in rows:
            if row["record_type"] == "response":
                self._digests.setdefault(row["payload_digest"], Original(
                    row["record_id"], row["url"], row["fetched_at"]))

    def _write_one(self, exchange: Exchange) -> dict[str, Any]:
        digest = payload_digest(exchange.body)
        original = self._digests.get(digest)
        if original is None and self.lookup is not None:
            original = self.lookup.original(digest)
        data, length = serialise(exchange, digest, original)
        if self._file is None or self._size >= self.max_size:
            self._open_file()
        offset = self._size
        self._file.write(data)  # a whole gzip member in one write
        self._size += len(data)
        self.stats.records += 1
        self.stats.bytes += len(data)
        if original is None:
            self._digests[digest] = Original(exchange.record_id, exchange.url,
                                             exchange.fetched_at)
        else:
            self.stats.revisits += 1
        return {
            "record_id": exchange.record_id,
            "url": exchange.url,
            "file": index_path(self.files[-1], self.archive_dir),
            "offset": offset,
            "length": length,
            "record_type": "response" if original is None else "revisit",
            "refers_to": original.record_id if original else None,
            "payload_digest": digest,
            "status": exchange.status,
            "content_type": _content_type(exchange.response_headers),
            "fetched_at": exchange.fetched_at,
        }

    def _open_file(self) -> None:
        self._close_file()
        self.directory.mkdir(parents=True, exist_ok=True)
        now = time.time()
        # Heritrix's naming: prefix, 17-digit UTC time, serial, process
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}"
        serial = len(self.files)
        while True:
            name = f"{self.prefix}-{stamp}-{serial:05d}-{os.getpid()}{FILE_SUFFIX}"
            path = self.directory / name
            try:
                self._file = open(path, "xb")  # noqa: SIM115 (closed by _close_file)
                break
            except FileExistsError:  # another writer of this process, this millisecond
                serial += 1
        self.files.append(path)
        self.stats.files += 1
        buffer = BytesIO()
        writer = WARCWriter(buffer, gzip=False)
        data = _record_bytes(writer, buffer, writer.create_warcinfo_record(name, self.info))
        self._file.write(data)
        self._size = len(data)

    def _abandon_file(self) -> None:
        """Stop writing to a file whose flush failed (what it holds past its last indexed
        record is left as it is)."""
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                logger.warning("Closing the WARC file %s failed", self.files[-1])
            self._file = None

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None


# -- reading back ----------------------------------------------------------------------------


@dataclass
class ArchivedPage:
    """One archived response read back from its WARC record."""

    record_id: str
    url: str
    status: int
    headers: Headers
    body: bytes = field(repr=False)  # as received (still Content-Encoded)
    fetched_at: str = ""
    record_type: str = "response"

    @property
    def content_type(self) -> str:
        return _content_type(self.headers) or "application/octet-stream"

    @property
    def content(self) -> bytes:
        """The body with its Content-Encoding (gzip, deflate, br) undone."""
        encoding = next((v.strip().lower() for n, v in self.headers
                         if n.lower() == "content-encoding"), "")
        if encoding in ("", "identity"):
            return self.body
        reader = DecompressingBufferedReader(BytesIO(self.body), decomp_type=encoding)
        return reader.read()


def read_record(path: Path, offset: int, length: int) -> Any:
    """The WARC record stored at ``offset`` (one seek, one read), its payload loaded."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        data = handle.read(length)
    if len(data) < length:
        raise ArchiveLoadFailed(f"{path} ends before {offset}+{length}")
    for record in ArchiveIterator(BytesIO(data)):
        return record
    raise ArchiveLoadFailed(f"no WARC record at {path}:{offset}")


def _row(conn: sqlite3.Connection, record_id: str) -> dict[str, Any] | None:
    cursor = conn.execute("SELECT * FROM warc_records WHERE record_id = ?", [record_id])
    values = cursor.fetchone()
    if values is None:
        return None
    return dict(zip([c[0] for c in cursor.description], values, strict=True))


def archived_page(conn: sqlite3.Connection, record_id: str, archive_dir: Path
                  ) -> ArchivedPage | None:
    """The page indexed under ``record_id``, or None when the index does not hold it.

    A revisit is read with its original's payload (identical by digest) and its own
    headers. Raises ``OSError``/``ArchiveLoadFailed`` when the file is missing or damaged.
    """
    row = _row(conn, record_id)
    if row is None:
        return None
    record = read_record(archive_dir / row["file"], row["offset"], row["length"])
    headers = record.http_headers
    body = record.raw_stream.read() if row["record_type"] == "response" else b""
    if row["record_type"] == "revisit":
        original = _row(conn, row["refers_to"] or "")
        if original is None:
            return None
        source = read_record(archive_dir / original["file"], original["offset"],
                             original["length"])
        body = source.raw_stream.read()
        headers = source.http_headers  # the encoding the payload was sent with
    return ArchivedPage(
        record_id=record_id, url=row["url"], status=int(headers.get_statuscode() or 0),
        headers=list(headers.headers), body=body, fetched_at=row["fetched_at"],
        record_type=row["record_type"],
    )


def complete_records(path: Path, start: int = 0) -> Iterator[tuple[int, int, Any]]:
    """(offset, length, record) of every complete record of a WARC file from offset
    ``start`` (a record's), in order, stopping at a torn last record (what a crash mid-write
    leaves): a record is complete when its gzip member ends with its end-of-stream marker
    and warcio parses it."""
    with open(path, "rb") as handle:
        handle.seek(start)
        iterator = ArchiveIterator(handle)
        try:
            for record in iterator:
                if record.rec_type is None:
                    return
                iterator.read_to_end(record)
                offset, length = iterator.get_record_offset(), iterator.get_record_length()
                handle_pos = handle.tell()
                handle.seek(offset)
                member = handle.read(length)
                handle.seek(handle_pos)
                inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                inflater.decompress(member)
                if not inflater.eof:
                    return
                yield offset, length, record
        except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error):
            return


def _uuid(value: str | None) -> str | None:
    """A WARC-Record-ID's uuid (``<urn:uuid:X>`` -> ``X``)."""
    if not value:
        return None
    return value.strip().removeprefix("<").removesuffix(">").removeprefix("urn:uuid:")


def index_row(record: Any, file: str, offset: int, length: int) -> dict[str, Any]:
    """The ``warc_records`` row of a response or revisit record read from a WARC file (the
    row :meth:`WarcWriter.write` made when it wrote it)."""
    headers = record.rec_headers
    http = record.http_headers
    return {
        "record_id": _uuid(headers.get_header("WARC-Record-ID")),
        "url": headers.get_header("WARC-Target-URI"),
        "file": file,
        "offset": offset,
        "length": length,
        "record_type": record.rec_type,
        "refers_to": _uuid(headers.get_header("WARC-Refers-To")),
        "payload_digest": headers.get_header("WARC-Payload-Digest"),
        "status": int(http.get_statuscode() or 0) if http else None,
        "content_type": _content_type(list(http.headers)) if http else None,
        "fetched_at": (headers.get_header("WARC-Date") or "").replace("Z", "+00:00"),
    }


def find_records(directory: Path, archive_dir: Path, wanted: set[str],
                 indexed_end: Callable[[str], int]) -> list[dict[str, Any]]:
    """Index rows of the ``wanted`` response or revisit records found in the WARC files of
    ``directory`` past what the index holds of each (``indexed_end(file)``: the offset of the
    file's last indexed record, 0 if none), newest file first, until all are found.

    A writer killed after its records were on disk and before their index rows were
    committed left them there: the next writer, given the same exchanges again, indexes
    those records instead of writing them a second time."""
    found: list[dict[str, Any]] = []
    if not wanted or not directory.is_dir():
        return found
    files = sorted(directory.glob(f"*{FILE_SUFFIX}"), key=lambda p: p.stat().st_mtime,
                   reverse=True)
    for path in files:
        name = index_path(path, archive_dir)
        for offset, length, record in complete_records(path, start=indexed_end(name)):
            if record.rec_type not in ("response", "revisit"):
                continue
            row = index_row(record, name, offset, length)
            if row["record_id"] in wanted:
                found.append(row)
                wanted = wanted - {row["record_id"]}
                if not wanted:
                    return found
    return found


# -- the Scrapy adapter ----------------------------------------------------------------------


class WarcPipeline:
    """Writes the exchanges :class:`crawler.warc.WarcCaptureMiddleware` announces, and hands
    the index rows of what is on disk to the store pipeline (:data:`warc_records_written`),
    which commits them with its next batch. Off with ``ARCHIVE_WARC_ENABLED = False``.

    An item pipeline only to share the crawl's life: items pass through untouched.
    """

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_WARC_ENABLED"):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        self.crawler = crawler
        self.stats = crawler.stats
        archive = project_path(settings.get("ARCHIVE_DB"))
        self.written: deque[dict[str, Any]] = deque()  # filled by the writer thread
        self.writer = WarcWriter(
            warc_directory(settings.get("ARCHIVE_WARC_DIR"), archive),
            max_size=settings.getint("ARCHIVE_WARC_MAX_SIZE"),
            info=warcinfo(settings),
            archive_dir=archive.parent,
            on_written=self.written.extend,
            lookup=DigestLookup(archive),
        )
        self.handing = task.LoopingCall(self.hand_over)
        crawler.signals.connect(self.response_captured, signal=response_captured)

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.handing.start(HAND_OVER_SECONDS, now=False)

    def response_captured(self, exchange: Exchange) -> None:
        self.writer.submit(exchange)

    def hand_over(self) -> None:
        """Send the rows of records now on disk to the store (in the crawler's thread)."""
        rows = []
        while self.written:
            rows.append(self.written.popleft())
        if rows:
            self.crawler.signals.send_catch_log(warc_records_written, rows=rows)

    def process_item(self, item: Any) -> Any:
        return item

    def close_spider(self) -> None:
        """Runs before the store's close_spider (pipelines close in reverse order), so the
        last rows reach the store's final batch."""
        if self.handing.running:
            self.handing.stop()
        self.writer.close()
        self.hand_over()
        for name, value in vars(self.writer.stats).items():
            self.stats.set_value(f"archive/warc/{name}", value)


def warcinfo(settings: Any) -> dict[str, str]:
    """The ``warcinfo`` record's fields: who wrote the file, how it crawled."""
    try:
        software = f"news-archiver/{version('news-archiver')} warcio/{version('warcio')}"
    except PackageNotFoundError:
        software = "news-archiver"
    return {
        "software": software,
        "format": "WARC File Format 1.0",
        "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
        "http-header-user-agent": settings.get("USER_AGENT"),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "description": "Raw HTML responses kept by news-archiver (Cookie values removed)",
    }
