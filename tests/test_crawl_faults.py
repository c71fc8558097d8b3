"""End to end: robust crawling (issue 3) against a misbehaving server on 127.0.0.1.

One module-scoped crawl covers most fault kinds at once (server errors and throttling, slow and
hanging pages, redirect chains and loops, encodings, bad documents, non-HTML content, oversized
pages, 404/410, robots.txt, off-site and private addresses, secrets); the tests below it each
read back one kind from ``archive.db``, the crawl's output and the server's request log. The
behaviours that need their own crawl (gone articles across crawls, Crawl-delay, a 6 MB page,
kill -9 and resume, Ctrl-C, readers during a crawl) have their own small sites.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from tests.conftest import FAST, ROOT, CrawlResult, run_crawl
from tests.faultsite import (
    PDF_BYTES,
    FaultSite,
    Resp,
    article_html,
    article_path,
    article_response,
    bulky_article_html,
    error,
    html_response,
    http_date,
    large_site,
    links_response,
    not_found,
    png_bytes,
    prose,
    redirect,
    robots_txt,
)

pytestmark = pytest.mark.e2e  # real crawls in subprocesses

#: Request times are taken by the server when it reads a request, so a gap between two of them
#: may come out shorter than the crawler's wait by the server's own scheduling delays.
SLACK = 0.2
#: Short waits, so that retries, timeouts and Retry-After caps are seen within seconds.
SHORT = {
    "DOWNLOAD_TIMEOUT": "3",
    "RETRY_TIMES": "2",
    "ARCHIVE_RETRY_BACKOFF_BASE": "0.5",
    "ARCHIVE_RETRY_AFTER_MAX": "3",
}
MOJIBAKE = ("\ufffd", "Ã", "â€", "Â", "Å", "Ð")
MB = 1024 * 1024


# -- helpers --------------------------------------------------------------------------------


def crawl_command(archive: Path, *args: str, settings: dict[str, str] | None = None) -> list[str]:
    """The command :func:`tests.conftest.run_crawl` runs, for crawls driven with Popen."""
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-s", f"ARCHIVE_DB={archive}"]
    for name, value in {**FAST, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    return command + list(args)


def read_only(archive: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """A reader's connection, as Datasette opens the archive (read-only)."""
    conn = sqlite3.connect(f"file:{archive}?mode=ro", uri=True, timeout=timeout)
    conn.row_factory = sqlite3.Row
    return conn


def stored_urls(archive: Path) -> set[str]:
    """Article URLs in the archive now (empty while it has no articles table yet)."""
    if not archive.exists():
        return set()
    try:
        with read_only(archive) as conn:
            return {r[0] for r in conn.execute("select url from articles")}
    except sqlite3.OperationalError:
        return set()
    finally:
        conn.close()


def rows(db: sqlite_utils.Database, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


def fetches(db: sqlite_utils.Database, url: str) -> list[dict[str, Any]]:
    return rows(db, "select * from fetches where url = ? order by id", [url])


def fetches_to_host(db: sqlite_utils.Database, hostname: str) -> list[dict[str, Any]]:
    return [r for r in rows(db, "select * from fetches order by id")
            if (urlsplit(r["url"]).hostname or "").lower() == hostname]


def crawl_row(db: sqlite_utils.Database, crawl_id: int | None = None) -> dict[str, Any]:
    if crawl_id is None:
        return rows(db, "select * from crawls order by id desc limit 1")[0]
    return db["crawls"].get(crawl_id)


def crawl_outcomes(db: sqlite_utils.Database, crawl_id: int | None = None) -> dict[str, int]:
    return json.loads(crawl_row(db, crawl_id)["outcomes"] or "{}")


def crawl_stats(db: sqlite_utils.Database, crawl_id: int | None = None) -> dict[str, Any]:
    return json.loads(crawl_row(db, crawl_id)["stats"] or "{}")


def article(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    found = rows(db, "select * from articles where url = ?", [url])
    return found[0] if found else None


def assert_no_mojibake(value: str | None, where: str) -> None:
    for bad in MOJIBAKE:
        assert bad not in (value or ""), f"{where}: mojibake {bad!r} in {value!r}"[:600]


SUMMARY = re.compile(r"^Crawl #(\d+) (\w+):", re.MULTILINE)


# -- the shared fault crawl -----------------------------------------------------------------


class P:
    """Paths of the fault site (each test reads one group back)."""

    # server errors and throttling
    FLAKY_503 = article_path("flaky-five-oh-three", 10)
    FLAKY_500_502 = article_path("flaky-five-hundred-then-bad-gateway", 10)
    FLAKY_504 = article_path("flaky-gateway-timeout", 10)
    ALWAYS_500 = article_path("always-internal-error", 10)
    RETRY_AFTER_429 = article_path("too-many-requests-wait-two", 10)
    RETRY_AFTER_HUGE = article_path("unavailable-retry-after-an-hour", 10)
    RETRY_AFTER_DATE = article_path("unavailable-retry-after-a-date", 10)
    TIMEOUT_ONCE = article_path("times-out-once", 11)
    HANG = article_path("always-hangs", 11)
    SLOW_OK = article_path("slow-but-answers", 11)
    DATA_LOSS_ONCE = article_path("truncated-transfer-once", 11)
    # redirects
    CHAIN = ["/r/1", "/r/2", "/r/3", "/r/4"]
    CHAIN_STATUSES = [301, 302, 307, 308]
    CHAIN_TARGET = article_path("redirect-chain-target", 12)
    LOOP_A, LOOP_B, LOOP_SELF = "/loop/a/", "/loop/b/", "/loop/self/"
    TO_OFFSITE = "/r/offsite/"
    TO_PRIVATE_10 = "/r/private-ten/"
    TO_METADATA = "/r/metadata/"
    TO_LOCALHOST = "/r/localhost/"
    TO_IPV6_LOOPBACK = "/r/ipv6-loopback/"
    # encodings
    ENC_HEADER_LATIN1 = article_path("charset-header-latin1", 13)
    ENC_HEADER_CP1252 = article_path("charset-header-windows-1252", 13)
    ENC_META = article_path("charset-meta-only", 13)
    ENC_HTTP_EQUIV = article_path("charset-http-equiv-only", 13)
    ENC_WRONG_HEADER_UTF8 = article_path("header-says-utf8-body-is-cp1252", 13)
    ENC_WRONG_HEADER_LATIN1 = article_path("header-says-latin1-body-is-utf8", 13)
    ENC_WRONG_META = article_path("meta-says-latin1-body-is-utf8", 13)
    ENC_NONE_UTF8 = article_path("no-charset-utf8-body", 13)
    ENC_NONE_CP1252 = article_path("no-charset-cp1252-body", 13)
    # bad documents and non-HTML content
    TRUNCATED = article_path("truncated-markup", 14)
    MALFORMED = article_path("malformed-markup", 14)
    NUL_BYTES = article_path("nul-and-control-bytes", 14)
    GARBAGE = article_path("binary-garbage-as-html", 14)
    EMPTY = article_path("empty-body", 14)
    PDF = "/files/annual-report"  # no extension: link extractors skip .pdf and .png links
    PDF_EXT = "/files/annual-report.pdf"
    PDF_DATED = article_path("annual-report-pdf", 14)
    PDF_AS_HTML = article_path("pdf-served-as-html", 14)
    PNG = "/media/photo-1234"
    PNG_EXT = "/media/photo.png"
    JSON = "/api/latest.json"
    TOO_LARGE = article_path("twelve-megabyte-page", 14)
    TOO_LARGE_STREAMED = article_path("twelve-megabyte-page-no-length", 14)
    # gone, robots, secrets, markup
    MISSING_404 = article_path("never-existed", 15)
    REMOVED_410 = article_path("removed-for-legal-reasons", 15)
    DISALLOWED = "/private-area/2025/01/15/hidden-article/"
    COOKIE = article_path("page-that-sets-a-session-cookie", 16)
    SCRIPT = article_path("article-with-script-and-markup", 16)
    PLAIN = [article_path(f"ordinary-story-{i}", 17) for i in range(12)]


SECRET_COOKIE = "SECRET123"
SECRET_CSRF = "CSRFTOKEN-7f3a9c21"
SECRET_API_KEY = "APIKEY-99x0"

#: text -> (path, title, lead sentence that must arrive intact)
ENCODED: dict[str, tuple[str, str, str]] = {
    "header latin-1": (
        P.ENC_HEADER_LATIN1, "Größere Gebühren für die Straßenbahn in Köln",
        "Jürgen Müller aß in Köln Äpfel und Öl, während Françoise in Besançon déjà vu erlebte.",
    ),
    "header windows-1252": (
        P.ENC_HEADER_CP1252, "Gebühr für Müll steigt auf 12 € – „zu teuer“",
        "Die Gebühr stieg auf 12 € – „so teuer wie nie“, sagte Élodie Brückner.",
    ),
    "meta charset only": (
        P.ENC_META, "À Besançon, l’été coûte 15 €",
        "L’été à Besançon coûte 15 € : « Ça suffit », déclare Hélène Lefèvre.",
    ),
    "http-equiv only": (
        P.ENC_HTTP_EQUIV, "Le chœur de Nîmes reçoit 30 €",
        "Le chœur de Nîmes a reçu 30 € par élève ; Zoë Müller et Œdipe sont déjà partis.",
    ),
    "header utf-8, body windows-1252": (
        P.ENC_WRONG_HEADER_UTF8, "Grüße aus Übersee für 7 €",
        "Wir zahlten 7 € für „Grüße aus Übersee“ – sagt Jörg Weiß.",
    ),
    "header latin-1, body utf-8": (
        P.ENC_WRONG_HEADER_LATIN1, "Fußgängerzone in Lübeck: 5 € für „Glühwein“",
        "In der Fußgängerzone von Lübeck kostet „Glühwein“ jetzt 5 € – Renée ist empört.",
    ),
    "meta latin-1, body utf-8": (
        P.ENC_WRONG_META, "Ärger in Düsseldorf: Tickets für 9 €",
        "Ärger in Düsseldorf: Tickets für 9 € sind „ausverkauft“, sagt Renée Dupré.",
    ),
    "undeclared utf-8": (
        P.ENC_NONE_UTF8, "Straßenfest in Fürth: Crêpes für 3 €",
        "Straßenfest in Fürth: Crêpes für 3 €, „herrlich“ findet Anaïs Ødegård.",
    ),
    "undeclared windows-1252": (
        P.ENC_NONE_CP1252, "Café in Nürnberg verlangt 4 €",
        "Café-Besitzer in Nürnberg verlangen 4 € – „unverschämt“, meint Björn Sæther.",
    ),
}


def _encoded_page(site: FaultSite, path: str, title: str, lead: str, *, encoding: str,
                  content_type: str | None, meta: str | None = None,
                  http_equiv: str | None = None) -> Resp:
    # German prose: its umlauts and ß exist in every charset used here
    html = article_html(site.url(path), title, lang="de", lead=lead, charset_meta=meta,
                        http_equiv=http_equiv)
    return Resp(body=html.encode(encoding), content_type=content_type)


def build_fault_site(site: FaultSite) -> list[str]:
    """Script every fault path; returns the hrefs of the home page."""
    url = site.url

    def art(path: str, title: str, **kw: Any) -> Resp:
        return article_response(url(path), title, **kw)

    site.route("/robots.txt", robots_txt(disallow=["/private-area/"]))

    # server errors and throttling
    site.route(P.FLAKY_503, [error(503), error(503), art(P.FLAKY_503, "Stored after two 503s")])
    site.route(P.FLAKY_500_502, [error(500), error(502),
                                 art(P.FLAKY_500_502, "Stored after a 500 and a 502")])
    site.route(P.FLAKY_504, [error(504), art(P.FLAKY_504, "Stored after a 504")])
    site.route(P.ALWAYS_500, error(500))
    site.route(P.RETRY_AFTER_429, [error(429, retry_after=2),
                                   art(P.RETRY_AFTER_429, "Stored after waiting as told")])
    site.route(P.RETRY_AFTER_HUGE, [error(503, retry_after=3600),
                                    art(P.RETRY_AFTER_HUGE, "Stored after a capped wait")])
    site.route(P.RETRY_AFTER_DATE, lambda hit: (
        error(503, retry_after=http_date(3)) if hit.n == 1
        else art(P.RETRY_AFTER_DATE, "Stored after a Retry-After date")))
    site.route(P.TIMEOUT_ONCE, [art(P.TIMEOUT_ONCE, "Too slow once", delay=5),
                                art(P.TIMEOUT_ONCE, "Stored after a timeout")])
    site.route(P.HANG, art(P.HANG, "Never arrives", delay=5))
    site.route(P.SLOW_OK, art(P.SLOW_OK, "Slow but it arrives", delay=2))
    full = art(P.DATA_LOSS_ONCE, "Stored after a cut transfer")
    site.route(P.DATA_LOSS_ONCE, [Resp(body=full.body, truncate_at=len(full.body) // 2), full])

    # redirects
    hops = P.CHAIN[1:] + [P.CHAIN_TARGET]
    for path, status, to in zip(P.CHAIN, P.CHAIN_STATUSES, hops, strict=True):
        site.route(path, redirect(to, status))
    site.route(P.CHAIN_TARGET, art(P.CHAIN_TARGET, "Reached through four redirects"))
    site.route(P.LOOP_A, redirect(P.LOOP_B, 302))
    site.route(P.LOOP_B, redirect(url(P.LOOP_A), 302))
    site.route(P.LOOP_SELF, redirect(P.LOOP_SELF, 301))
    site.route(P.TO_OFFSITE, redirect("http://other.example/landing/", 302))
    site.route(P.TO_PRIVATE_10, redirect("http://10.0.0.1/admin/", 302))
    site.route(P.TO_METADATA, redirect("http://169.254.169.254/latest/meta-data/", 302))
    site.route(P.TO_LOCALHOST, redirect(f"http://localhost:{site.port}/ssrf/via-redirect/", 307))
    site.route(P.TO_IPV6_LOOPBACK, redirect(f"http://[::1]:{site.port}/ssrf/via-redirect-v6/"))

    # encodings
    e = ENCODED
    p, t, lead = e["header latin-1"]
    site.route(p, _encoded_page(site, p, t, lead, encoding="iso-8859-1",
                                content_type="text/html; charset=ISO-8859-1"))
    p, t, lead = e["header windows-1252"]
    site.route(p, _encoded_page(site, p, t, lead, encoding="cp1252",
                                content_type="text/html; charset=windows-1252"))
    p, t, lead = e["meta charset only"]
    site.route(p, _encoded_page(site, p, t, lead, encoding="cp1252", content_type="text/html",
                                meta="windows-1252"))
    p, t, lead = e["http-equiv only"]
    site.route(p, _encoded_page(site, p, t, lead, encoding="iso-8859-15",
                                content_type="text/html", http_equiv="iso-8859-15"))
    p, t, lead = e["header utf-8, body windows-1252"]
    site.route(p, _encoded_page(site, p, t, lead, encoding="cp1252",
                                content_type="text/html; charset=utf-8"))
    p, t, lead = e["header latin-1, body utf-8"]
    site.route(p, _encoded_page(site, p, t, lead, encoding="utf-8",
                                content_type="text/html; charset=iso-8859-1", meta="utf-8"))
    p, t, lead = e["meta latin-1, body utf-8"]
    site.route(p, _encoded_page(site, p, t, lead, encoding="utf-8", content_type="text/html",
                                meta="iso-8859-1"))
    p, t, lead = e["undeclared utf-8"]
    site.route(p, _encoded_page(site, p, t, lead, encoding="utf-8", content_type="text/html"))
    p, t, lead = e["undeclared windows-1252"]
    site.route(p, _encoded_page(site, p, t, lead, encoding="cp1252", content_type="text/html"))

    # bad documents
    html = article_html(url(P.TRUNCATED), "Cut off in the middle", lead=TRUNCATED_LEAD,
                        words=400)
    cut = html.index("<p>", len(html) // 2) + 60
    site.route(P.TRUNCATED, html_response(html[:cut]))
    site.route(P.MALFORMED, html_response(MALFORMED_HTML.replace("{url}", url(P.MALFORMED))))
    nul = article_html(url(P.NUL_BYTES), "Stray NUL and control bytes", lead=NUL_LEAD)
    nul = nul.replace("</p>\n<p>", "\x00</p>\n<p>\x0b", 2).replace("<footer>", "\x00\x1b<footer>")
    site.route(P.NUL_BYTES, html_response(nul))
    site.route(P.GARBAGE, html_response(bytes(range(256)) * 40))
    site.route(P.EMPTY, html_response(b""))
    site.route(P.PDF, Resp(body=PDF_BYTES, content_type="application/pdf"))
    site.route(P.PDF_DATED, Resp(body=PDF_BYTES, content_type="application/pdf"))
    site.route(P.PDF_AS_HTML, Resp(body=PDF_BYTES, content_type="text/html"))
    site.route(P.PNG, Resp(body=png_bytes(), content_type="image/png"))
    site.route(P.PDF_EXT, Resp(body=PDF_BYTES, content_type="application/pdf"))
    site.route(P.PNG_EXT, Resp(body=png_bytes(), content_type="image/png"))
    site.route(P.JSON, Resp(body=b'{"latest": ["/2025/01/17/ordinary-story-0/"]}',
                            content_type="application/json"))
    big = article_html(url(P.TOO_LARGE), "Twelve megabytes", lead="This page is too large.",
                       body_extra=f"<script>var pad = '{'x' * (12 * MB)}';</script>")
    site.route(P.TOO_LARGE, html_response(big))
    site.route(P.TOO_LARGE_STREAMED, html_response(big.replace(
        url(P.TOO_LARGE), url(P.TOO_LARGE_STREAMED)), content_length=False))

    # gone, robots, secrets, markup
    site.route(P.MISSING_404, not_found(404))
    site.route(P.REMOVED_410, not_found(410))
    site.route(P.DISALLOWED, art(P.DISALLOWED, "Robots say no"))
    site.route(P.COOKIE, art(
        P.COOKIE, "A page that wants to remember you",
        headers=[("Set-Cookie", f"session={SECRET_COOKIE}; Path=/; HttpOnly"),
                 ("Set-Cookie", f"csrftoken={SECRET_CSRF}; Path=/"),
                 ("X-Api-Key", SECRET_API_KEY)],
        body_extra=(
            '<form method="post" action="/comment/">'
            f'<input type="hidden" name="csrf_token" value="{SECRET_CSRF}">'
            f'<input type="hidden" name="api_key" value="{SECRET_API_KEY}">'
            '<textarea name="comment"></textarea><button>Send</button></form>\n'
        ),
    ))
    site.route(P.SCRIPT, html_response(article_html(
        url(P.SCRIPT), "Markup inside the story", body_html=SCRIPT_BODY)))
    for i, path in enumerate(P.PLAIN):
        site.route(path, art(path, f"Ordinary story number {i}", lang=("en", "de", "fr")[i % 3]))

    port = site.port
    hrefs = [
        P.FLAKY_503, P.FLAKY_500_502, P.FLAKY_504, P.ALWAYS_500, P.RETRY_AFTER_429,
        P.RETRY_AFTER_HUGE, P.RETRY_AFTER_DATE, P.TIMEOUT_ONCE, P.HANG, P.DATA_LOSS_ONCE,
        P.CHAIN[0], P.LOOP_A, P.LOOP_SELF, P.TO_OFFSITE, P.TO_PRIVATE_10, P.TO_METADATA,
        P.TO_LOCALHOST, P.TO_IPV6_LOOPBACK,
        *(path for path, _, _ in ENCODED.values()),
        P.TRUNCATED, P.MALFORMED, P.NUL_BYTES, P.GARBAGE, P.EMPTY, P.PDF, P.PDF_DATED,
        P.PDF_AS_HTML, P.PNG, P.PDF_EXT, P.PNG_EXT, P.JSON, P.TOO_LARGE, P.TOO_LARGE_STREAMED,
        P.MISSING_404, P.REMOVED_410, P.DISALLOWED, P.COOKIE, P.SCRIPT, *P.PLAIN,
        *OFFSITE_LINKS, *private_links(port),
    ]
    site.route("/", links_response("Fault Gazette", hrefs))
    return hrefs


OFFSITE_LINKS = ["http://other.example/world/2025/01/01/story/", "https://www.othernews.example/"]


def private_links(port: int) -> list[str]:
    return [
        "http://10.0.0.1/internal/2025/01/01/secret/",
        "http://172.16.5.4/intranet/",
        "http://192.168.1.1/router/admin/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        f"http://[::1]:{port}/ssrf/link-v6/",
        "http://[fd00::1]/ula/",
        f"http://localhost:{port}/ssrf/link-localhost/",
    ]


#: host -> a path on our own server that only a refused private link/redirect leads to
PRIVATE_HOSTS = ["10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "::1", "fd00::1",
                 "localhost"]

TRUNCATED_LEAD = "Before the cut, the reporter wrote this opening paragraph in full."
NUL_LEAD = "A content system wrote stray NUL bytes into this story, yet it reads fine."
MALFORMED_LEAD = "Despite the broken markup, this opening paragraph must reach the archive."
MALFORMED_HTML = (
    "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
    "<title>Broken markup everywhere | Fault Gazette</title>"
    "<link rel=canonical href={url}>"
    "<meta property=og:type content=article>"
    "<meta property=og:title content='Broken markup everywhere'>"
    '<script type="application/ld+json">{"@context": "https://schema.org", '
    '"@type": "NewsArticle", "headline": "Broken markup everywhere", '
    '"datePublished": "2025-01-14T09:00:00+00:00"</script>'  # the JSON-LD is cut too
    "<body><div class=page><div class=entry-content><article>"
    "<h1>Broken markup everywhere"
    f"<p>{MALFORMED_LEAD}"
    "<p>Tags cross <b>bold <i>and italic</b> nesting</i> in this second paragraph, "
    + " ".join(prose("malformed-1", words=60))
    + "<span><p>A paragraph inside a span, " + " ".join(prose("malformed-2", words=60))
    + "</span></div></div></div></div>"
    "<table><tr><td>A cell <p>with a paragraph that never closes "
    + " ".join(prose("malformed-3", words=60))
    + "<p class=x id=y data-z='1>Unquoted and unbalanced attributes, &nbsp entities &copy "
    "without semicolons and a bad reference &#xZZZ; follow. "
    + " ".join(prose("malformed-4", words=60))
    + "</td></tr></tbody></tbody></html></html><p>Text after the end of the document."
    "<!-- a comment that is never closed <p>hidden"
)
SCRIPT_BODY = (
    "<p>Editors found a script tag pasted into this story, and the archive must keep it "
    "out of the text.</p>\n"
    "<script>alert(1)</script>\n"
    '<p onclick="alert(2)">Readers who click here see nothing happen, which is good.</p>\n'
    "<p>To emphasise a word, authors type &lt;em&gt;hello&lt;/em&gt; in the editor.</p>\n"
    + "\n".join(f"<p>{p}</p>" for p in prose("script-page", words=180))
    + '\n<img src="x" onerror="alert(3)">\n<iframe src="javascript:alert(4)"></iframe>\n'
)


@dataclass
class FaultCrawl:
    site: FaultSite
    archive: Path
    db: sqlite_utils.Database
    result: CrawlResult
    elapsed: float
    hrefs: list[str]

    def url(self, path: str) -> str:
        return self.site.url(path)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory) -> Any:
    """The fault site crawled once, with short timeouts and retries."""
    site = FaultSite().start()
    try:
        hrefs = build_fault_site(site)
        archive = tmp_path_factory.mktemp("faults") / "archive.db"
        started = time.monotonic()
        # The slow page is a second start URL, so the rest of the crawl runs while it waits.
        result = run_crawl(archive, "-a", f"start={site.url('/')},{site.url(P.SLOW_OK)}",
                           settings=SHORT, timeout=240)
        elapsed = time.monotonic() - started
        yield FaultCrawl(site, archive, sqlite_utils.Database(archive), result, elapsed, hrefs)
    finally:
        site.stop()


def test_fault_crawl_finishes_with_a_summary(faulty):
    assert faulty.result.returncode == 0, faulty.result.output[-4000:]
    found = SUMMARY.search(faulty.result.stdout)
    assert found, faulty.result.stdout[-2000:]
    assert found.group(2) == "finished"
    assert "Traceback" not in faulty.result.output, faulty.result.output[-4000:]
    crawl = crawl_row(faulty.db)
    assert crawl["status"] == "finished" and crawl["finished"]
    assert faulty.db.execute("pragma integrity_check").fetchone()[0] == "ok"


# -- server errors and throttling -----------------------------------------------------------


@pytest.mark.parametrize("path,attempts", [
    (P.FLAKY_503, 3), (P.FLAKY_500_502, 3), (P.FLAKY_504, 2),
])
def test_server_errors_are_retried_until_the_page_answers(faulty, path, attempts):
    assert faulty.site.count(path) == attempts
    assert article(faulty.db, faulty.url(path)), f"{path} was not stored"
    outcomes = [f["outcome"] for f in fetches(faulty.db, faulty.url(path))]
    statuses = [h.status for h in faulty.site.hits(path)]
    assert outcomes == [f"http_{s}" if s != 200 else "ok" for s in statuses], outcomes


def test_retries_back_off_exponentially(faulty):
    """ARCHIVE_RETRY_BACKOFF_BASE=0.5: at least 0.5 s, then at least 1 s between attempts.

    Only lower bounds: a retry also waits for a free download slot, and on a busy machine
    the first one (at the crawl's start) can come later than the second. A constant wait of
    the base would fail the second bound."""
    first, second = faulty.site.gaps(P.FLAKY_503)
    assert first >= 0.5 - SLACK, f"retried after {first:.2f} s"
    assert second >= 1.0 - SLACK, f"second retry after {second:.2f} s"
    for gap in faulty.site.gaps(P.FLAKY_500_502):
        assert gap >= 0.5 - SLACK


def test_a_page_that_always_fails_is_given_up_and_recorded(faulty):
    assert faulty.site.count(P.ALWAYS_500) == 3  # 1 + RETRY_TIMES
    assert article(faulty.db, faulty.url(P.ALWAYS_500)) is None
    rows_ = fetches(faulty.db, faulty.url(P.ALWAYS_500))
    assert [r["outcome"] for r in rows_] == ["http_500"] * 3
    assert all(r["status"] == 500 for r in rows_)
    assert crawl_outcomes(faulty.db).get("http_500", 0) >= 3 + 1  # and FLAKY_500_502's one


def test_429_retry_after_seconds_is_respected(faulty):
    (gap,) = faulty.site.gaps(P.RETRY_AFTER_429)
    assert gap >= 2 - SLACK, f"came back after {gap:.2f} s, Retry-After said 2"
    assert article(faulty.db, faulty.url(P.RETRY_AFTER_429))
    assert [f["outcome"] for f in fetches(faulty.db, faulty.url(P.RETRY_AFTER_429))] == [
        "http_429", "ok"]


def test_retry_after_is_capped_by_the_setting(faulty):
    """Retry-After: 3600 with ARCHIVE_RETRY_AFTER_MAX=3: wait about 3 s, not an hour (an
    uncapped wait would leave the page unfetched when the crawl's time runs out)."""
    (gap,) = faulty.site.gaps(P.RETRY_AFTER_HUGE)
    assert gap >= 3 - SLACK, f"came back after {gap:.2f} s"
    assert article(faulty.db, faulty.url(P.RETRY_AFTER_HUGE))


def test_retry_after_http_date_is_respected(faulty):
    (gap,) = faulty.site.gaps(P.RETRY_AFTER_DATE)
    assert gap >= 1.5, f"came back after {gap:.2f} s, Retry-After said in 3 s"
    assert article(faulty.db, faulty.url(P.RETRY_AFTER_DATE))


def test_timeouts_are_retried_and_recorded(faulty):
    assert faulty.site.count(P.TIMEOUT_ONCE) == 2
    assert article(faulty.db, faulty.url(P.TIMEOUT_ONCE))
    outcomes = [f["outcome"] for f in fetches(faulty.db, faulty.url(P.TIMEOUT_ONCE))]
    assert outcomes == ["timeout", "ok"], outcomes
    timed_out = fetches(faulty.db, faulty.url(P.TIMEOUT_ONCE))[0]
    assert timed_out["status"] is None and timed_out["error"]


def test_a_page_that_always_hangs_is_given_up(faulty):
    assert faulty.site.count(P.HANG) == 3
    assert article(faulty.db, faulty.url(P.HANG)) is None
    assert [f["outcome"] for f in fetches(faulty.db, faulty.url(P.HANG))] == ["timeout"] * 3
    assert crawl_outcomes(faulty.db).get("timeout", 0) >= 4  # HANG x3 + TIMEOUT_ONCE
    first, second = faulty.site.gaps(P.HANG)  # DOWNLOAD_TIMEOUT, then a backoff
    assert first >= 3 + 0.5 - SLACK and second >= 3 + 1.0 - SLACK, (first, second)


def test_a_cut_transfer_is_retried(faulty):
    assert faulty.site.count(P.DATA_LOSS_ONCE) == 2
    assert article(faulty.db, faulty.url(P.DATA_LOSS_ONCE))
    outcomes = [f["outcome"] for f in fetches(faulty.db, faulty.url(P.DATA_LOSS_ONCE))]
    assert outcomes[-1] == "ok" and outcomes[0] != "ok", outcomes


def test_a_slow_page_arrives_and_does_not_stall_the_crawl(faulty):
    (hit,) = faulty.site.hits(P.SLOW_OK)
    assert hit.finished and hit.finished - hit.started >= 2
    assert article(faulty.db, faulty.url(P.SLOW_OK))
    assert [f["outcome"] for f in fetches(faulty.db, faulty.url(P.SLOW_OK))] == ["ok"]
    meanwhile = [h for h in faulty.site.hits() if h.path != P.SLOW_OK and h.finished
                 and hit.started < h.finished < hit.finished]
    assert len(meanwhile) >= 5, f"only {len(meanwhile)} responses while the slow page loaded"


# -- redirects ------------------------------------------------------------------------------


def test_a_redirect_chain_is_followed_and_stored_once_under_the_canonical_url(faulty):
    target = faulty.url(P.CHAIN_TARGET)
    row = article(faulty.db, target)
    assert row and row["title"] == "Reached through four redirects"
    assert faulty.site.count(P.CHAIN_TARGET) == 1
    chain_urls = [faulty.url(p) for p in P.CHAIN]
    assert not [u for u in stored_urls(faulty.archive) if u in chain_urls or "/r/" in u]
    for url, status in zip(chain_urls, P.CHAIN_STATUSES, strict=True):
        hops = fetches(faulty.db, url)
        assert [(h["status"], h["outcome"]) for h in hops] == [(status, "redirect")], url
    assert [f["outcome"] for f in fetches(faulty.db, target)] == ["ok"]


def test_redirect_loops_end_with_a_recorded_error(faulty):
    loop_ab = {faulty.url(P.LOOP_A), faulty.url(P.LOOP_B)}
    recorded = rows(faulty.db, "select url, outcome, error from fetches "
                               "where outcome = 'redirect_loop'")
    assert {r["url"] for r in recorded} & loop_ab, recorded
    assert faulty.url(P.LOOP_SELF) in {r["url"] for r in recorded}, recorded
    assert all(r["error"] for r in recorded)
    for path in (P.LOOP_A, P.LOOP_B, P.LOOP_SELF):
        assert faulty.site.count(path) <= 21  # REDIRECT_MAX_TIMES, never endless
    assert not [u for u in stored_urls(faulty.archive) if "/loop/" in u]
    assert crawl_outcomes(faulty.db).get("redirect_loop", 0) >= 2


# -- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(ENCODED))
def test_encodings_arrive_intact(faulty, case):
    path, title, lead = ENCODED[case]
    row = article(faulty.db, faulty.url(path))
    assert row, f"{case}: {path} was not stored"
    assert_no_mojibake(row["text"], case)
    assert_no_mojibake(row["title"], case)
    assert lead in row["text"], f"{case}: {row['text'][:300]!r}"
    assert row["title"] == title


def test_no_mojibake_anywhere_in_the_archive(faulty):
    for row in rows(faulty.db, "select url, title, text, author, description from articles"):
        for name in ("title", "text", "author", "description"):
            assert_no_mojibake(row[name], f"{row['url']} {name}")


# -- bad documents --------------------------------------------------------------------------


def test_truncated_html_is_extracted_as_far_as_it_goes(faulty):
    row = article(faulty.db, faulty.url(P.TRUNCATED))
    assert row, "a truncated article page was not stored"
    assert TRUNCATED_LEAD in row["text"]
    assert row["word_count"] >= 100


def test_malformed_html_is_extracted(faulty):
    row = article(faulty.db, faulty.url(P.MALFORMED))
    assert row, "a malformed article page was not stored"
    assert MALFORMED_LEAD in row["text"]
    assert "Tags cross bold and italic nesting" in " ".join(row["text"].split())


def test_nul_and_control_bytes_do_not_break_extraction(faulty):
    row = article(faulty.db, faulty.url(P.NUL_BYTES))
    assert row, "a page with stray NUL bytes was not stored"
    assert NUL_LEAD in row["text"]
    assert "\x00" not in row["text"] and "\x1b" not in row["text"]


@pytest.mark.parametrize("path,content_type", [
    (P.EMPTY, "text/html"),
    (P.GARBAGE, "text/html"),
    (P.PDF, "application/pdf"),
    (P.PDF_DATED, "application/pdf"),
    (P.PDF_AS_HTML, "text/html"),
    (P.PNG, "image/png"),
    (P.JSON, "application/json"),
])
def test_non_articles_are_fetched_recorded_and_not_stored(faulty, path, content_type):
    assert faulty.site.count(path) == 1
    assert article(faulty.db, faulty.url(path)) is None
    (fetch,) = fetches(faulty.db, faulty.url(path))
    assert fetch["status"] == 200 and fetch["outcome"] == "ok"
    assert (fetch["content_type"] or "").startswith(content_type)


@pytest.mark.parametrize("path", [P.PDF_EXT, P.PNG_EXT])
def test_files_by_extension_are_skipped_or_recorded(faulty, path):
    """Links to .pdf/.png may be skipped unfetched; if fetched, they are recorded, not stored."""
    assert article(faulty.db, faulty.url(path)) is None
    assert len(fetches(faulty.db, faulty.url(path))) == faulty.site.count(path)


def test_non_html_responses_are_counted(faulty):
    outcomes = crawl_outcomes(faulty.db)
    assert outcomes.get("not_html", 0) >= 4, outcomes  # the PDFs, the PNG, the JSON


@pytest.mark.parametrize("path", [P.TOO_LARGE, P.TOO_LARGE_STREAMED])
def test_a_page_above_the_size_limit_is_skipped_with_a_clear_log_line(faulty, path):
    url = faulty.url(path)
    assert article(faulty.db, url) is None
    outcomes = [f["outcome"] for f in fetches(faulty.db, url)]
    assert outcomes == ["skipped_too_large"], outcomes  # recorded once, not retried
    lines = [line for line in faulty.result.output.splitlines() if url in line]
    assert any(re.search(r"too large|max(imum)?[ _-]?size|larger than", line, re.I)
               for line in lines), lines
    assert crawl_outcomes(faulty.db).get("skipped_too_large", 0) >= 1


# -- 404 and 410 ----------------------------------------------------------------------------


@pytest.mark.parametrize("path,status", [(P.MISSING_404, 404), (P.REMOVED_410, 410)])
def test_404_and_410_are_recorded(faulty, path, status):
    assert faulty.site.count(path) == 1  # not retried
    assert [(f["status"], f["outcome"]) for f in fetches(faulty.db, faulty.url(path))] == [
        (status, f"http_{status}")]
    assert article(faulty.db, faulty.url(path)) is None
    assert crawl_outcomes(faulty.db).get(f"http_{status}", 0) >= 1


# -- safety ---------------------------------------------------------------------------------


def test_robots_txt_disallow_is_obeyed(faulty):
    assert faulty.site.count(P.DISALLOWED) == 0
    assert [f["outcome"] for f in fetches(faulty.db, faulty.url(P.DISALLOWED))] == [
        "refused_robots"]
    assert crawl_outcomes(faulty.db).get("refused_robots", 0) >= 1


def test_off_site_links_and_redirects_are_not_followed_but_counted(faulty):
    for host in ("other.example", "www.othernews.example"):
        followed = [f for f in fetches_to_host(faulty.db, host)
                    if f["outcome"] != "refused_offsite"]
        assert not followed, followed
    hop = fetches(faulty.db, faulty.url(P.TO_OFFSITE))
    assert [(h["status"], h["outcome"]) for h in hop] == [(302, "redirect")]
    stats = crawl_stats(faulty.db)
    outcomes = crawl_outcomes(faulty.db)
    # two links and one redirect leave the site
    assert max(stats.get("offsite/filtered", 0), outcomes.get("refused_offsite", 0)) >= 3, (
        stats.get("offsite/filtered"), outcomes)


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
def test_links_and_redirects_to_private_addresses_are_refused(faulty, host):
    recorded = fetches_to_host(faulty.db, host)
    assert recorded, f"nothing recorded for {host}"
    assert {f["outcome"] for f in recorded} == {"refused_private"}, recorded
    assert all(f["status"] is None for f in recorded)


def test_private_addresses_are_never_contacted(faulty):
    """localhost and [::1] lead back to this very server: any hit there was an SSRF."""
    ssrf = [h for h in faulty.site.hits() if h.path.startswith("/ssrf/")]
    assert not ssrf, [(h.host, h.path) for h in ssrf]
    assert {h.host for h in faulty.site.hits()} == {f"127.0.0.1:{faulty.site.port}"}
    outcomes = crawl_outcomes(faulty.db)
    # 7 links + 4 redirects; each refused quickly, none left to time out
    assert outcomes.get("refused_private", 0) >= 11, outcomes
    for path in (P.TO_PRIVATE_10, P.TO_METADATA, P.TO_LOCALHOST, P.TO_IPV6_LOOPBACK):
        assert faulty.site.count(path) == 1


def test_no_secret_or_cookie_is_stored_logged_or_sent_back(faulty):
    assert article(faulty.db, faulty.url(P.COOKIE)), "the cookie page is an article"
    files = [p for p in faulty.archive.parent.iterdir() if p.name.startswith("archive.db")]
    for secret in (SECRET_COOKIE, SECRET_CSRF, SECRET_API_KEY):
        for path in files:
            assert secret.encode() not in path.read_bytes(), f"{secret} in {path.name}"
        assert secret not in faulty.result.output, f"{secret} in the crawl log"
    sent = [h for h in faulty.site.hits() if "cookie" in h.headers or "authorization"
            in h.headers]
    assert not sent, [h.headers for h in sent]


def test_markup_in_an_article_is_kept_as_text_and_scripts_are_dropped(faulty):
    row = article(faulty.db, faulty.url(P.SCRIPT))
    assert row, "the script page is an article"
    text = row["text"]
    for bad in ("alert(", "<script", "onclick", "onerror", "javascript:", "<iframe", "<img"):
        assert bad not in text, f"{bad!r} in the stored text"
    assert "authors type <em>hello</em> in the editor" in text


def test_datasette_shows_crawled_markup_as_text(faulty):
    from datasette.app import Datasette
    from datasette.utils import tilde_encode

    ds = Datasette(
        [str(faulty.archive)],
        metadata=__import__("yaml").safe_load((ROOT / "metadata.yml").read_text()),
        template_dir=str(ROOT / "datasette" / "templates"),
        plugins_dir=str(ROOT / "datasette" / "plugins"),
    )

    async def page() -> str:
        response = await ds.client.get(
            "/archive/articles/" + tilde_encode(faulty.url(P.SCRIPT)))
        assert response.status_code == 200
        return response.text

    html = asyncio.run(page())
    assert "<em>hello</em>" not in html
    assert "&lt;em&gt;hello&lt;/em&gt;" in html
    assert "alert(1)" not in html


def test_ordinary_articles_all_arrive(faulty):
    """Faults on some pages never cost the others."""
    stored = stored_urls(faulty.archive)
    missing = [p for p in P.PLAIN if faulty.url(p) not in stored]
    assert not missing
    for path in P.PLAIN:
        assert faulty.site.count(path) == 1


# -- gone articles (three crawls of one small site) -----------------------------------------


def test_articles_that_disappear_are_marked_gone_and_kept(tmp_path):
    paths = {name: article_path(f"story-that-will-be-{name}", 20) for name in
             ("404", "410", "kept", "back")}
    with FaultSite() as site:
        site.route("/robots.txt", robots_txt())
        site.route("/", links_response("Home", list(paths.values())))
        for name, path in paths.items():
            site.route(path, article_response(site.url(path), f"The {name} story"))
        archive = tmp_path / "archive.db"

        def crawl() -> CrawlResult:
            # ARCHIVE_RECHECK_HOURS=0: look at known articles again at once (as a crawl a day
            # later would), instead of skipping those archived recently
            done = run_crawl(archive, "-a", f"start={site.url('/')}",
                             settings={**SHORT, "ARCHIVE_RECHECK_HOURS": "0"})
            assert done.returncode == 0, done.output[-3000:]
            return done

        crawl()
        db = sqlite_utils.Database(archive)
        before = {r["url"]: r for r in db["articles"].rows}
        assert set(before) == {site.url(p) for p in paths.values()}
        assert all(r["gone_status"] is None and r["gone_at"] is None for r in before.values())

        site.route(paths["404"], not_found(404))
        site.route(paths["410"], not_found(410))
        site.route(paths["back"], not_found(404))
        crawl()
        for name, status in (("404", 404), ("410", 410), ("back", 404)):
            url = site.url(paths[name])
            row = article(db, url)
            assert row, f"the {name} article was deleted"
            assert row["gone_status"] == status
            assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", row["gone_at"] or ""), row["gone_at"]
            assert row["text"] == before[url]["text"] and row["title"] == before[url]["title"]
            assert row["first_seen"] == before[url]["first_seen"]
            assert fetches(db, url)[-1]["outcome"] == f"http_{status}"
        kept = article(db, site.url(paths["kept"]))
        assert kept["gone_status"] is None and kept["gone_at"] is None
        assert crawl_outcomes(db, 2).get("gone") == 3, crawl_outcomes(db, 2)

        site.route(paths["back"], article_response(site.url(paths["back"]), "The back story"))
        crawl()
        back = article(db, site.url(paths["back"]))
        assert back["gone_status"] is None and back["gone_at"] is None
        still = article(db, site.url(paths["410"]))
        assert still["gone_status"] == 410
        assert db["articles"].count == 4


def test_no_request_waiting_for_a_slow_robots_txt_escapes_it(tmp_path):
    """Several requests of a host wait for its robots.txt together (here start URLs; in a
    distributed crawl, a new worker's first take from the queue): each is checked against it
    once it arrives, not only the first."""
    secret = [f"/private/draft-{i}/" for i in range(5)]
    with FaultSite() as site:
        slow = robots_txt(disallow=["/private/"])
        slow.delay = 0.5
        site.route("/robots.txt", slow)
        site.route("/", links_response("Home", []))
        for path in secret:
            site.route(path, links_response("Draft", []))
        starts = ",".join(site.url(p) for p in ["/", *secret])
        done = run_crawl(tmp_path / "archive.db", "-a", f"start={starts}", settings=SHORT)
        assert done.returncode == 0, done.output[-3000:]
        assert site.count("/") == 1
        assert {p: site.count(p) for p in secret} == dict.fromkeys(secret, 0)
    db = sqlite_utils.Database(tmp_path / "archive.db")
    assert crawl_outcomes(db).get("refused_robots") == len(secret)


# -- robots.txt Crawl-delay -----------------------------------------------------------------


def test_robots_crawl_delay_is_obeyed(tmp_path):
    pages = [article_path(f"polite-story-{i}", 21) for i in range(4)]
    with FaultSite() as site:
        site.route("/robots.txt", robots_txt(disallow=["/nope/"], crawl_delay=1))
        site.route("/", links_response("Home", [*pages, "/nope/2025/01/21/secret-story/"]))
        for i, path in enumerate(pages):
            site.route(path, article_response(site.url(path), f"Polite story {i}"))
        done = run_crawl(tmp_path / "archive.db", "-a", f"start={site.url('/')}",
                         settings=SHORT)
        assert done.returncode == 0, done.output[-3000:]
        assert site.count("/nope/2025/01/21/secret-story/") == 0
        assert all(site.count(p) == 1 for p in pages)
        starts = sorted(h.started for h in site.hits() if h.path != "/robots.txt")
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        assert min(gaps) >= 1 - SLACK, f"Crawl-delay: 1 but requests {min(gaps):.2f} s apart"
        assert sqlite_utils.Database(tmp_path / "archive.db")["articles"].count == len(pages)


# -- size: a large page under the limit, and the limit as a setting -------------------------


def run_measured(command: list[str], timeout: float) -> tuple[CrawlResult, float, int]:
    """Run a crawl; return its result, its wall time and its own peak RSS in bytes."""
    started = time.monotonic()
    with open(os.devnull, "rb") as stdin, subprocess.Popen(
        command, cwd=ROOT, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        # Read the pipes in threads while os.wait4 reaps the child and reports its rusage.
        out: dict[str, str] = {}
        readers = [
            threading.Thread(target=lambda n=name, f=stream: out.__setitem__(n, f.read()))
            for name, stream in (("stdout", proc.stdout), ("stderr", proc.stderr))
        ]
        for reader in readers:
            reader.start()
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"crawl still running after {timeout} s")
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        for reader in readers:
            reader.join(timeout=10)
    result = CrawlResult(proc.returncode, out.get("stdout", ""), out.get("stderr", ""))
    return result, time.monotonic() - started, usage.ru_maxrss * 1024  # ru_maxrss is in KiB


def test_a_6mb_page_under_the_limit_is_extracted_in_bounded_memory(tmp_path):
    path = article_path("six-megabytes-of-markup", 22)
    lead = "This heavy page carries a normal story inside six megabytes of markup."
    with FaultSite() as site:
        body = bulky_article_html(site.url(path), "A heavy page", lead=lead).encode()
        assert 6 * MB <= len(body) < 10 * MB
        site.route(path, html_response(body))
        site.route("/robots.txt", robots_txt())
        archive = tmp_path / "archive.db"
        command = crawl_command(archive, "-a", f"start={site.url(path)}",
                                settings={**SHORT, "DOWNLOAD_TIMEOUT": "30",
                                          "ARCHIVE_FOLLOW_LINKS": "False"})
        done, _, peak = run_measured(command, timeout=300)  # its time: make bench
    assert done.returncode == 0, done.output[-3000:]
    row = article(sqlite_utils.Database(archive), site.url(path))
    assert row, "the 6 MB article was not stored"
    assert lead in row["text"]
    assert row["word_count"] < 2000  # the story, not the menu, comments or script
    assert peak < 1024 * MB, f"peak RSS {peak / MB:.0f} MB"


def test_the_size_limit_is_a_setting(tmp_path):
    path = article_path("three-megabytes", 22)
    with FaultSite() as site:
        html = article_html(site.url(path), "Three megabytes", lead="Over a 2 MB limit.",
                            body_extra=f"<!-- {'y' * 3 * MB} -->")
        site.route(path, html_response(html))
        site.route("/robots.txt", robots_txt())
        archive = tmp_path / "archive.db"
        done = run_crawl(archive, "-a", f"start={site.url(path)}",
                         settings={**SHORT, "DOWNLOAD_MAXSIZE": str(2 * MB),
                                   "ARCHIVE_FOLLOW_LINKS": "False"})
    assert done.returncode == 0, done.output[-3000:]
    db = sqlite_utils.Database(archive)
    assert db["articles"].count == 0
    assert [f["outcome"] for f in fetches(db, site.url(path))] == ["skipped_too_large"]
    assert crawl_outcomes(db).get("skipped_too_large") == 1


# -- crashes: kill -9 and resume, Ctrl-C ----------------------------------------------------


def wait_for_articles(proc: subprocess.Popen, archive: Path, at_least: int,
                      timeout: float = 90) -> int:
    """Poll the archive read-only until it holds ``at_least`` articles; fail if the crawl ends
    first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = len(stored_urls(archive))
        if count >= at_least:
            return count
        assert proc.poll() is None, (
            f"the crawl ended (status {proc.returncode}) with {count} articles before the test "
            "could interrupt it")
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} articles after {timeout} s")


def assert_archive_whole(archive: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(archive)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    db.execute("insert into articles_fts(articles_fts) values('integrity-check')")
    half = rows(db, "select url from articles where title is null or text is null or text = '' "
                    "or content_hash is null or first_seen is null or word_count < 40")
    assert not half, half
    fts = db.execute("select count(*) from articles_fts where articles_fts match 'archivecheck'")
    assert fts.fetchone()[0] == db["articles"].count
    return db


@pytest.mark.parametrize("jobdir", [True, False], ids=["with-JOBDIR", "plain-command"])
def test_kill_9_then_the_same_command_resumes(tmp_path, jobdir):
    """The README's cron command (plain) and the same with -s JOBDIR=... both resume."""
    with FaultSite() as site:
        paths = large_site(site, articles=300, delay=0.1)
        archive = tmp_path / "archive.db"
        settings = {**SHORT, "JOBDIR": str(tmp_path / "job")} if jobdir else SHORT
        command = crawl_command(archive, "-a", f"start={site.url('/')}", settings=settings)
        with open(tmp_path / "first.log", "w") as log:
            proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            try:
                wait_for_articles(proc, archive, at_least=40)
            finally:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        first = stored_urls(archive)
        counts_before = site.counts()
        assert 40 <= len(first) < len(paths)

        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        assert SUMMARY.search(done.stdout), done.stdout[-2000:]
        refetched = site.counts() - counts_before

    db = assert_archive_whole(archive)
    stored = [r["url"] for r in db.query("select url from articles")]
    assert len(stored) == len(set(stored))
    missed = {site.url(p) for p in paths} - set(stored)
    assert not missed, f"{len(missed)} of {len(paths)} articles missed after the resume"
    again = sum(refetched[p] for p in paths)
    remaining = len(paths) - len(first)
    assert again <= remaining + 20, (
        f"the resumed crawl fetched {again} article pages for {remaining} missing ones")
    already = sum(refetched[p] for p in paths if site.url(p) in first)
    assert already <= 20, f"{already} already archived articles fetched again"
    latest = crawl_row(db)
    assert latest["status"] == "finished" and latest["finished"]


def test_ctrl_c_stops_gracefully_and_keeps_what_was_extracted(tmp_path):
    with FaultSite() as site:
        paths = large_site(site, articles=300, delay=0.1)
        archive = tmp_path / "archive.db"
        command = crawl_command(archive, "-a", f"start={site.url('/')}", settings=SHORT)
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            wait_for_articles(proc, archive, at_least=30)
            assert proc.poll() is None
            interrupted = time.monotonic()
            proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=120)  # a hang guard
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        served_before = {site.url(h.path) for h in site.hits()
                         if h.path in set(paths) and h.finished
                         and h.finished <= interrupted - 2}

    found = SUMMARY.search(stdout)
    assert found, (stdout + stderr)[-3000:]
    db = assert_archive_whole(archive)
    stored = {r["url"] for r in db.query("select url from articles")}
    assert len(stored) < len(paths), "the crawl was not interrupted"
    lost = served_before - stored
    assert not lost, f"{len(lost)} articles served 2 s before Ctrl-C were not written"
    crawl = crawl_row(db)
    assert crawl["status"] != "running" and crawl["finished"]
    assert crawl["articles_new"] == len(stored)


# -- readers during a crawl -----------------------------------------------------------------


def test_readers_see_consistent_data_during_a_crawl(tmp_path):
    from datasette.app import Datasette

    with FaultSite() as site:
        paths = large_site(site, articles=300, delay=0.05)
        archive = tmp_path / "archive.db"
        command = crawl_command(archive, "-a", f"start={site.url('/')}", settings=SHORT)
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        reads: list[tuple[float, int, int, int]] = []  # seconds, articles, fts, datasette
        errors: list[str] = []
        holder: sqlite3.Connection | None = None
        try:
            wait_for_articles(proc, archive, at_least=1)
            ds = Datasette([str(archive)])
            # A reader that keeps one snapshot open for the whole crawl: it must keep seeing
            # the same data, and must not hold the writer up.
            holder = read_only(archive)
            holder.execute("begin")
            held = holder.execute("select count(*) from articles").fetchone()[0]

            async def read_while_crawling() -> None:
                while proc.poll() is None:
                    started = time.monotonic()
                    try:
                        conn = read_only(archive, timeout=10)
                        try:
                            conn.execute("begin")
                            count = conn.execute("select count(*) from articles").fetchone()[0]
                            fts = conn.execute(
                                "select count(*) from articles_fts "
                                "where articles_fts match 'archivecheck'").fetchone()[0]
                            conn.execute("commit")
                        finally:
                            conn.close()
                        answer = await ds.client.get(
                            "/archive.json?sql=select+count(*)+as+n+from+articles&_shape=array")
                        assert answer.status_code == 200, answer.text[:500]
                        shown = answer.json()[0]["n"]
                    except (sqlite3.Error, AssertionError) as err:
                        errors.append(repr(err))
                        continue
                    reads.append((time.monotonic() - started, count, fts, shown))
                    await asyncio.sleep(0.02)

            asyncio.run(read_while_crawling())
            stdout, stderr = proc.communicate(timeout=120)
            still = holder.execute("select count(*) from articles").fetchone()[0]
            holder.execute("commit")
        finally:
            if holder is not None:
                holder.close()
            if proc.poll() is None:
                proc.kill()
                proc.communicate()

    assert proc.returncode == 0, (stdout + stderr)[-3000:]
    assert still == held, "a reader's snapshot changed under it"
    assert not errors, errors[:5]
    assert len(reads) >= 10, f"only {len(reads)} reads during the crawl"
    for _, count, fts, _ in reads:
        assert fts == count, "the full-text index and the table disagreed within one read"
    counts = [r[1] for r in reads]
    assert counts == sorted(counts), "the article count went down"
    shown = [r[3] for r in reads]
    assert shown == sorted(shown)
    assert any(0 < count < len(paths) for count in counts), "no read saw a partial archive"
    assert len(stored_urls(archive)) == len(paths) > held
    assert "database is locked" not in stderr


def test_robustness_settings_have_sane_defaults():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    assert settings.getint("DOWNLOAD_MAXSIZE") == 10 * MB
    assert 10 <= settings.getfloat("DOWNLOAD_TIMEOUT") <= 60
    assert 2 <= settings.getint("RETRY_TIMES") <= 5
    assert settings.getfloat("ARCHIVE_RETRY_AFTER_MAX") == 60
    assert settings.getfloat("ARCHIVE_RETRY_BACKOFF_BASE") == 1.0
    assert settings.getbool("ROBOTSTXT_OBEY") and not settings.getbool("COOKIES_ENABLED")
