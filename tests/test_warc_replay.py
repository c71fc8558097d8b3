"""The archived-page view (datasette/plugins/warc_replay.py): the page comes back from its
WARC record, inert: a CSP sandbox without scripts and without requests to any origin. With
Debian's chromium installed, a real browser shows that the page's script does not run and
that its image on another origin is never requested."""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from core.warc import Exchange
from pipelines.store import Archive
from pipelines.warc import WarcWriter
from tests.faultsite import FaultSite, Resp
from tests.test_datasette import ROOT, get, make_article

CHROMIUM = "/usr/bin/chromium"


def page_html(other_origin: str) -> bytes:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Archived story</title>"
        "<style>p { color: #333 }</style></head><body><h1>Archived story</h1>"
        "<p id='text'>Une histoire archivée.</p>"
        f"<img src='{other_origin}/tracker.png' alt=''>"
        "<script>document.body.setAttribute('data-script-ran', 'yes');"
        "document.title = 'script ran';</script>"
        "</body></html>"
    ).encode()


def build_archive(folder: Path, other_origin: str = "http://127.0.0.1:9") -> tuple[Path, str]:
    """An archive whose one article points at a gzip-encoded WARC response record."""
    body = page_html(other_origin)
    record_id = str(uuid.uuid4())
    rows: list = []
    writer = WarcWriter(folder / "warc", max_size=10**9, info={}, archive_dir=folder,
                        on_written=rows.extend)
    writer.submit(Exchange(
        record_id=record_id, url="https://news.example/story", method="GET",
        request_headers=[("Host", "news.example")], protocol="HTTP/1.1", status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8"),
                          ("Content-Encoding", "gzip")],
        body=gzip.compress(body), fetched_at="2025-02-15T10:00:00+00:00"))
    writer.close()
    archive = Archive(folder / "archive.db")
    archive.save([make_article("https://news.example/story", warc_record_id=record_id)],
                 warc_records=rows)
    archive.close()
    return folder / "archive.db", record_id


@pytest.fixture
def replay(tmp_path):
    from datasette.app import Datasette

    path, record_id = build_archive(tmp_path)
    ds = Datasette([str(path)], template_dir=str(ROOT / "datasette" / "templates"),
                   plugins_dir=str(ROOT / "datasette" / "plugins"))
    yield ds, record_id
    for database in ds.databases.values():
        database.close()


def test_the_archived_page_is_served_inert(replay):
    ds, record_id = replay
    response = get(ds, f"/archive/-/archived/{record_id}")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    directives = [d.strip() for d in csp.split(";")]
    assert "sandbox" in directives  # no allow-scripts, no allow-same-origin
    assert "default-src 'none'" in directives
    assert "script-src" not in csp and "http" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"].startswith("text/html")
    assert response.content == page_html("http://127.0.0.1:9")  # content-decoded
    assert response.headers["x-archived-url"] == "https://news.example/story"


def test_unknown_records_are_not_found(replay):
    ds, _ = replay
    assert get(ds, f"/archive/-/archived/{uuid.uuid4()}").status_code == 404
    assert get(ds, f"/nope/-/archived/{uuid.uuid4()}").status_code == 404


def test_the_article_page_links_to_its_archived_page(replay):
    ds, record_id = replay
    html = get(ds, "/archive/articles/https~3A~2F~2Fnews.example~2Fstory").text
    # the article's link, and its version 1's in the versions list
    assert html.count(f'href="/archive/-/archived/{record_id}"') == 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.e2e
@pytest.mark.skipif(not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
                    reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
def test_in_a_real_browser_the_script_does_not_run_and_nothing_is_fetched(tmp_path):
    with FaultSite() as other:
        other.route("/tracker.png", Resp(body=b"\x89PNG", content_type="image/png"))
        path, record_id = build_archive(tmp_path, other.base_url)
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "datasette"), "serve", str(path),
             "--template-dir", "datasette/templates", "--plugins-dir", "datasette/plugins",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/archive/-/archived/{record_id}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2).read()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "datasette did not start"
                    time.sleep(0.2)
            profile = tmp_path / "profile"
            done = subprocess.run(
                [shutil.which("chromium") or CHROMIUM, "--headless", "--no-sandbox",
                 "--disable-gpu", f"--user-data-dir={profile}", "--virtual-time-budget=3000",
                 "--dump-dom", url],
                capture_output=True, text=True, timeout=120)
        finally:
            server.terminate()
            server.wait(timeout=10)
        dom = done.stdout
        assert "Une histoire archivée." in dom, done.stderr[-2000:]  # the page did render
        assert 'data-script-ran="yes"' not in dom  # the script's effects, not its source
        assert "<title>Archived story</title>" in dom
        assert other.count("/tracker.png") == 0  # no request to another origin
