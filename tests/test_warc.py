"""WARC files without a crawl: the capture middleware on hand-built Scrapy responses, the
writer and its thread on real files, and the reader by offset (pipelines/warc.py)."""

from __future__ import annotations

import gzip
import uuid
import zlib
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse
from warcio.archiveiterator import ArchiveIterator

from core.items import Page
from core.signals import response_captured
from core.warc import REDACTED, Exchange, archived_headers
from crawler.warc import (
    WARC_RECORD_ID,
    WarcCaptureMiddleware,
    WarcRecordIdMiddleware,
    decoded_html,
)
from pipelines.store import Archive
from pipelines.warc import (
    DigestLookup,
    WarcWriter,
    archived_page,
    complete_records,
    payload_digest,
    read_record,
)
from tests.conftest import news_spider

PAGE = "<!doctype html><html><head><meta charset='utf-8'><title>Été</title></head>" \
       "<body><p>Un été très chaud.</p></body></html>".encode()


def exchange(url: str = "http://news.test/a", body: bytes = PAGE, **kw) -> Exchange:
    fields = dict(
        record_id=str(uuid.uuid4()), url=url, method="GET",
        request_headers=[("Host", "news.test"), ("User-Agent", "t"), ("Cookie", "sid=secret1")],
        protocol="HTTP/1.1", status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8"),
                          ("Set-Cookie", "sid=secret2; Path=/"),
                          ("Transfer-Encoding", "chunked")],
        body=body, fetched_at="2025-03-01T10:00:00+00:00", ip_address="127.0.0.1",
    )
    fields.update(kw)
    return Exchange(**fields)


def writer(tmp_path: Path, rows: list | None = None, **kw) -> WarcWriter:
    options = dict(max_size=10**9, info={"software": "test"}, archive_dir=tmp_path,
                   on_written=(rows.extend if rows is not None else None))
    options.update(kw)
    return WarcWriter(tmp_path / "warc", **options)


# -- what is never written ---------------------------------------------------------------------


def test_cookie_values_are_removed_and_transfer_framing_renamed():
    kept = archived_headers([("Set-Cookie", "a=1"), ("cookie", "b=2"), ("ETag", '"x"'),
                             ("Transfer-Encoding", "chunked")])
    assert kept == [("Set-Cookie", REDACTED), ("cookie", REDACTED), ("ETag", '"x"'),
                    ("X-Archive-Orig-Transfer-Encoding", "chunked")]


# -- the writer ---------------------------------------------------------------------------------


def test_records_read_back_byte_identical_with_their_index_rows(tmp_path):
    rows: list = []
    sent = gzip.compress(PAGE)
    ex = exchange(body=sent, response_headers=[("Content-Type", "text/html"),
                                               ("Content-Encoding", "gzip")])
    w = writer(tmp_path, rows)
    w.submit(ex)
    w.close()
    [row] = rows
    assert row["record_id"] == ex.record_id and row["record_type"] == "response"
    assert row["payload_digest"] == payload_digest(sent)
    record = read_record(tmp_path / row["file"], row["offset"], row["length"])
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Record-ID") == f"<urn:uuid:{ex.record_id}>"
    assert record.rec_headers.get_header("WARC-Payload-Digest") == row["payload_digest"]
    assert record.http_headers.get_header("Content-Encoding") == "gzip"
    assert record.raw_stream.read() == sent  # as received, still gzip-encoded


def test_every_file_starts_with_warcinfo_and_pairs_request_with_response(tmp_path):
    w = writer(tmp_path)
    for i in range(3):
        w.submit(exchange(f"http://news.test/{i}", body=PAGE + str(i).encode()))
    w.close()
    [path] = w.files
    with open(path, "rb") as handle:
        records = [(r.rec_type, r.rec_headers) for r in ArchiveIterator(handle)]
    assert records[0][0] == "warcinfo"
    assert [t for t, _ in records[1:]] == ["response", "request"] * 3
    for (_, response), (_, request) in zip(records[1::2], records[2::2], strict=True):
        assert request.get_header("WARC-Concurrent-To") == response.get_header("WARC-Record-ID")


def test_cookie_values_never_reach_the_file(tmp_path):
    w = writer(tmp_path)
    w.submit(exchange())
    w.close()
    data = b"".join(gzip.decompress(p.read_bytes()) for p in w.files)
    assert b"secret1" not in data and b"secret2" not in data
    assert b"Set-Cookie: " + REDACTED.encode() in data


def test_an_identical_payload_is_a_revisit_of_the_first(tmp_path):
    rows: list = []
    w = writer(tmp_path, rows)
    first, again = exchange(), exchange(fetched_at="2025-03-02T10:00:00+00:00")
    w.submit(first)
    w.submit(again)
    w.close()
    assert [r["record_type"] for r in rows] == ["response", "revisit"]
    assert rows[1]["refers_to"] == first.record_id
    record = read_record(tmp_path / rows[1]["file"], rows[1]["offset"], rows[1]["length"])
    assert record.rec_headers.get_header("WARC-Refers-To") == f"<urn:uuid:{first.record_id}>"
    assert record.rec_headers.get_header("WARC-Refers-To-Date") == "2025-03-01T10:00:00Z"
    assert w.stats.revisits == 1


def test_a_payload_archived_by_an_earlier_crawl_is_a_revisit(tmp_path):
    archive = Archive(tmp_path / "archive.db")
    rows: list = []
    w = writer(tmp_path, rows)
    w.submit(first := exchange())
    w.close()
    archive.save(warc_records=rows)
    later: list = []
    w2 = writer(tmp_path, later, lookup=DigestLookup(tmp_path / "archive.db"))
    w2.submit(exchange())
    w2.close()
    assert later[0]["record_type"] == "revisit" and later[0]["refers_to"] == first.record_id
    archive.save(warc_records=later)
    # a revisit reads back with its original's payload
    page = archived_page(archive.db.conn, later[0]["record_id"], tmp_path)
    assert page is not None and page.body == PAGE and page.record_type == "revisit"
    archive.close()


def test_files_rotate_at_the_size_limit(tmp_path):
    rows: list = []
    w = writer(tmp_path, rows, max_size=3000)
    for i in range(6):
        w.submit(exchange(f"http://news.test/{i}", body=PAGE * 5 + str(i).encode()))
    w.close()
    assert len(w.files) > 1
    for path in w.files:
        first = next(iter(complete_records(path)))
        assert first[2].rec_type == "warcinfo"
    assert {r["file"] for r in rows} == {f"warc/{p.name}" for p in w.files}


def test_a_torn_last_record_leaves_every_earlier_record_readable(tmp_path):
    rows: list = []
    w = writer(tmp_path, rows)
    for i in range(4):
        w.submit(exchange(f"http://news.test/{i}", body=PAGE + str(i).encode()))
    w.close()
    path = w.files[0]
    data = path.read_bytes()
    last = rows[-1]
    for cut in (last["offset"] + 10, last["offset"] + last["length"] // 2,
                last["offset"] + last["length"] - 3):
        path.write_bytes(data[:cut])
        complete = {offset for offset, _, _ in complete_records(path)}
        assert {r["offset"] for r in rows[:-1]} <= complete
        assert last["offset"] not in complete


def test_content_is_decoded_for_readers(tmp_path):
    rows: list = []
    w = writer(tmp_path, rows)
    w.submit(exchange(body=zlib.compress(PAGE), response_headers=[
        ("Content-Type", "text/html"), ("Content-Encoding", "deflate")]))
    w.close()
    archive = Archive(tmp_path / "archive.db")
    archive.save(warc_records=rows)
    page = archived_page(archive.db.conn, rows[0]["record_id"], tmp_path)
    assert page is not None and page.content == PAGE and page.body == zlib.compress(PAGE)
    assert archived_page(archive.db.conn, str(uuid.uuid4()), tmp_path) is None
    archive.close()


# -- the Scrapy side ----------------------------------------------------------------------------


def test_capture_keeps_the_body_as_received_and_tags_the_request(tmp_path):
    spider = news_spider(tmp_path / "archive.db", "http://news.test/")
    captured: list = []
    spider.crawler.signals.connect(lambda exchange: captured.append(exchange),
                                   signal=response_captured, weak=False)
    middleware = WarcCaptureMiddleware.from_crawler(spider.crawler)
    request = Request("http://news.test/a?x=1")
    sent = gzip.compress(PAGE)
    response = HtmlResponse(request.url, body=sent, request=request, protocol="HTTP/1.1",
                            headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    assert middleware.process_response(request, response) is response
    [ex] = captured
    assert ex.body == sent and ex.status == 200 and ex.url == request.url
    assert ("Host", "news.test") in ex.request_headers
    assert request.meta[WARC_RECORD_ID] == ex.record_id
    # not HTML: not captured
    feed = TextResponse("http://news.test/feed", body=b"<rss/>", request=Request("http://x/"),
                        headers={"Content-Type": "application/rss+xml"})
    middleware.process_response(feed.request, feed)
    assert len(captured) == 1


def test_pages_carry_their_record_id(tmp_path):
    spider = news_spider(tmp_path / "archive.db", "http://news.test/")
    request = Request("http://news.test/a", meta={WARC_RECORD_ID: "abc"})
    response = Response(request.url, request=request)
    page = Page(url=request.url, requested_url=request.url, status=200, html="",
                fetched_at="")
    middleware = WarcRecordIdMiddleware.from_crawler(spider.crawler)
    assert list(middleware.process_spider_output(response, [page]))[0].warc_record_id == "abc"


@pytest.mark.parametrize("declared", ["text/html; charset=utf-8", "text/html"])
def test_archived_html_is_decoded_as_the_spider_decodes_it(declared):
    html = decoded_html("http://news.test/a", 200, [("Content-Type", declared)], PAGE)
    assert "Un été très chaud." in html


def test_warc_off_switches_both_components_off(tmp_path):
    from scrapy.exceptions import NotConfigured

    from pipelines.warc import WarcPipeline

    spider = news_spider(tmp_path / "archive.db", "http://news.test/",
                         ARCHIVE_WARC_ENABLED=False)
    with pytest.raises(NotConfigured):
        WarcCaptureMiddleware.from_crawler(spider.crawler)
    with pytest.raises(NotConfigured):
        WarcPipeline.from_crawler(spider.crawler)
