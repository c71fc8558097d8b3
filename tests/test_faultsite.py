"""The misbehaving test server itself (tests/faultsite.py): it must misbehave exactly as told."""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request

import pytest

from pipelines.extract import extract_article
from tests.faultsite import (
    PDF_BYTES,
    FaultSite,
    Resp,
    article_html,
    article_path,
    article_response,
    bulky_article_html,
    error,
    large_site,
    redirect,
)


@pytest.fixture
def site():
    with FaultSite() as running:
        yield running


def get(site: FaultSite, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(site.host, site.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_sequences_answer_in_order_and_repeat_the_last(site):
    site.route("/x", [error(503, retry_after=2), Resp(body=b"ok")])
    status, headers, _ = get(site, "/x")
    assert (status, headers["retry-after"]) == (503, "2")
    assert get(site, "/x")[:3:2] == (200, b"ok")
    assert get(site, "/x")[:3:2] == (200, b"ok")
    assert site.count("/x") == 3
    assert [h.n for h in site.hits("/x")] == [1, 2, 3]
    assert [h.status for h in site.hits("/x")] == [503, 200, 200]


def test_retry_after_header_and_unknown_paths(site):
    site.route("/busy", error(429, retry_after=7))
    status, headers, _ = get(site, "/busy")
    assert status == 429 and headers["retry-after"] == "7"
    assert get(site, "/nowhere")[0] == 404
    assert site.count("/nowhere") == 1


def test_callables_see_the_hit(site):
    site.route("/n", lambda hit: Resp(body=str(hit.n).encode()))
    assert [get(site, "/n")[2] for _ in range(3)] == [b"1", b"2", b"3"]


def test_delay_and_timing(site):
    site.route("/slow", Resp(body=b"late", delay=0.3))
    started = time.monotonic()
    assert get(site, "/slow")[2] == b"late"
    assert time.monotonic() - started >= 0.3
    (hit,) = site.hits("/slow")
    for _ in range(100):  # the server notes the end just after the client has read it
        if hit.finished is None:
            time.sleep(0.01)
    assert hit.finished is not None and hit.finished - hit.started >= 0.3
    get(site, "/slow")
    assert site.gaps("/slow")[0] >= 0.3


def test_redirects_and_headers(site):
    site.route("/a", redirect("/b", 308))
    status, headers, _ = get(site, "/a")
    assert status == 308 and headers["location"] == "/b"
    site.route("/c", Resp(body=b"x", headers=[("Set-Cookie", "session=SECRET123")]))
    assert get(site, "/c")[1]["set-cookie"] == "session=SECRET123"


def test_truncated_transfer_and_no_content_length(site):
    site.route("/cut", Resp(body=b"0123456789" * 100, truncate_at=100))
    conn = http.client.HTTPConnection(site.host, site.port, timeout=5)
    conn.request("GET", "/cut")
    response = conn.getresponse()
    assert response.getheader("Content-Length") == "1000"
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    conn.close()
    site.route("/stream", Resp(body=b"z" * 5000, content_length=False))
    status, headers, body = get(site, "/stream")
    assert "content-length" not in headers and body == b"z" * 5000


def test_query_strings_fall_back_to_the_path(site):
    site.route("/page/", Resp(body=b"page"))
    assert get(site, "/page/?utm_source=x")[2] == b"page"
    assert site.count("/page/?utm_source=x") == 1


def test_binary_bodies_and_types(site):
    site.route("/r.pdf", Resp(body=PDF_BYTES, content_type="application/pdf"))
    status, headers, body = get(site, "/r.pdf")
    assert headers["content-type"] == "application/pdf" and body.startswith(b"%PDF-1.4")


def test_a_client_that_goes_away_does_not_break_the_server(site):
    site.route("/hang", Resp(body=b"x" * 100_000, delay=0.5))
    with pytest.raises((TimeoutError, OSError, urllib.error.URLError)):
        urllib.request.urlopen(site.url("/hang"), timeout=0.1)
    site.route("/fine", Resp(body=b"fine"))
    assert get(site, "/fine")[2] == b"fine"


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
def test_article_pages_are_articles_to_the_extractor(lang):
    url = "http://127.0.0.1:1" + article_path(f"sample-{lang}")
    result = extract_article(article_html(url, f"A {lang} story", lang=lang, lead="Lead."), url)
    assert result.is_article, result.reason
    assert result.word_count >= 150
    assert result.language == lang
    assert result.text.startswith("Lead.")


def test_article_pages_differ():
    a = article_html("http://h/2025/01/02/a/", "A")
    b = article_html("http://h/2025/01/02/b/", "B")
    assert a.split("<p>")[2] != b.split("<p>")[2]


def test_article_response_encodes():
    resp = article_response("http://h/2025/01/02/e/", "Grüße", lang="de", encoding="cp1252",
                            lead="Preis: 5 €", content_type="text/html; charset=windows-1252")
    assert "Preis: 5 €".encode("cp1252") in resp.body


def test_bulky_page_weighs_what_it_says():
    html = bulky_article_html("http://h/2025/01/02/bulky/", "Bulky", size=1024 * 1024)
    assert 1024 * 1024 <= len(html.encode()) < 1.3 * 1024 * 1024


def test_large_site_routes_everything(site):
    paths = large_site(site, articles=45, per_list=20, delay=0)
    assert len(paths) == len(set(paths)) == 45
    status, _, home = get(site, "/")
    assert status == 200 and b"/list/3/" in home
    assert get(site, "/list/3/")[2].count(b"<li>") == 5
    assert get(site, paths[0])[0] == 200
