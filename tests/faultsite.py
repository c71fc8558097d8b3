"""A misbehaving news site on 127.0.0.1 for end-to-end crawl tests.

A threaded standard-library HTTP server started in-process (like ``demo.serve``) whose every
path is scripted by the test: how it answers the 1st, 2nd, ... request (503 twice then 200,
429 with ``Retry-After``, a 5-second stall, a redirect chain or loop, a body in some charset,
a truncated transfer, a 12 MB page...). Every request is logged with its times, so a test can
check how often and when the crawler came back::

    with FaultSite() as site:
        site.route("/2025/01/02/flaky/", [error(503), error(503), article_response(...)])
        site.route("/", links_response("Home", ["/2025/01/02/flaky/"]))
        run_crawl(archive, "-a", f"start={site.url('/')}")
        assert site.count("/2025/01/02/flaky/") == 3

A behaviour is a :class:`Resp` (the same answer every time), a sequence of them (the n-th
request gets the n-th one, the last one repeats) or a callable ``(hit) -> Resp``. Unknown
paths answer 404. The module also builds the pages: :func:`article_html` makes a page that
the extractor accepts as an article (og:type=article, JSON-LD NewsArticle, a dated URL and
150+ words of varied prose in English, German or French), and :func:`large_site` a site of
hundreds of articles for crash and resume tests.
"""

from __future__ import annotations

import json
import random
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HTML_UTF8 = "text/html; charset=utf-8"


@dataclass
class Resp:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = HTML_UTF8  # None: no Content-Type header at all
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds to wait before answering (a slow or hanging server)
    content_length: bool = True  # False: no Content-Length; body sent, then connection closed
    truncate_at: int | None = None  # announce the full length, send this many bytes, close


@dataclass
class Hit:
    """One request the server received."""

    path: str  # path and query, as requested
    n: int  # 1-based number of this request among those for the same path
    host: str  # the Host header
    headers: dict[str, str]  # request headers, names lowercased
    started: float  # time.monotonic() when the request was read
    finished: float | None = None  # when the response was completely written (None: it wasn't)
    status: int | None = None


Behaviour = Resp | Sequence[Resp] | Callable[[Hit], Resp]


class FaultSite:
    """The scripted site. ``start()`` (or ``with``) binds a free port of 127.0.0.1."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.base_url = ""
        self._routes: dict[str, Behaviour] = {}
        self._hits: list[Hit] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FaultSite:
        server = _Server((self.host, 0), _Handler)
        server.site = self
        self._server = server
        self.port = server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="faultsite",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The absolute URL of a path of this site."""
        return self.base_url + path

    def route(self, path: str, behaviour: Behaviour) -> str:
        """Script (or re-script) a path; returns its absolute URL."""
        if isinstance(behaviour, Sequence) and not behaviour:
            raise ValueError("an empty sequence of responses")
        with self._lock:
            self._routes[path] = behaviour
        return self.url(path)

    def paths(self) -> list[str]:
        with self._lock:
            return list(self._routes)

    # -- what happened --------------------------------------------------------------------

    def hits(self, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self._hits if path is None or h.path == path]

    def count(self, path: str) -> int:
        return len(self.hits(path))

    def counts(self) -> Counter[str]:
        """Requests per path so far (take one before and one after a crawl to diff them)."""
        return Counter(h.path for h in self.hits())

    def times(self, path: str) -> list[float]:
        """When each request for a path arrived (time.monotonic())."""
        return [h.started for h in self.hits(path)]

    def gaps(self, path: str) -> list[float]:
        """Seconds between successive requests for a path."""
        times = self.times(path)
        return [b - a for a, b in zip(times, times[1:], strict=False)]

    # -- serving --------------------------------------------------------------------------

    def _answer(self, path: str, host: str, headers: dict[str, str]) -> tuple[Hit, Resp]:
        with self._lock:
            n = 1 + sum(1 for h in self._hits if h.path == path)
            hit = Hit(path=path, n=n, host=host, headers=headers, started=time.monotonic())
            self._hits.append(hit)
            behaviour = self._routes.get(path)
            if behaviour is None:
                behaviour = self._routes.get(urlsplit(path).path)
        if behaviour is None:
            resp = not_found()
        elif isinstance(behaviour, Resp):
            resp = behaviour
        elif isinstance(behaviour, Sequence):
            resp = behaviour[min(n, len(behaviour)) - 1]
        else:
            resp = behaviour(hit)
        hit.status = resp.status
        return hit, resp


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    site: FaultSite


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 30

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        hit, resp = self.server.site._answer(self.path, headers.get("host", ""), headers)
        try:
            if resp.delay:
                time.sleep(resp.delay)
            self.send_response(resp.status)
            if resp.content_type is not None:
                self.send_header("Content-Type", resp.content_type)
            for name, value in resp.headers:
                self.send_header(name, value)
            body = resp.body
            if resp.content_length:
                self.send_header("Content-Length", str(len(body)))
            if not resp.content_length or resp.truncate_at is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if send_body:
                if resp.truncate_at is not None:
                    body = body[: resp.truncate_at]
                for start in range(0, len(body), 1 << 16):
                    self.wfile.write(body[start : start + (1 << 16)])
            self.wfile.flush()
            hit.finished = time.monotonic()
        except (TimeoutError, BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the crawler gave up on us (timeout, size limit)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read the hit log instead."""


# -- responses ------------------------------------------------------------------------------


def html_response(html: str | bytes, *, status: int = 200, content_type: str | None = HTML_UTF8,
                  encoding: str = "utf-8", **kw: object) -> Resp:
    body = html.encode(encoding) if isinstance(html, str) else html
    return Resp(status=status, body=body, content_type=content_type, **kw)  # type: ignore[arg-type]


def not_found(status: int = 404) -> Resp:
    title = {404: "Not Found", 410: "Gone"}.get(status, "Error")
    page = f"<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
    page += "<p>The page you asked for is not here.</p></body></html>"
    return html_response(page, status=status)


def error(status: int, *, retry_after: str | float | None = None, delay: float = 0.0) -> Resp:
    """A 4xx/5xx answer, optionally with a ``Retry-After`` header (seconds or HTTP date)."""
    headers = []
    if retry_after is not None:
        value = retry_after if isinstance(retry_after, str) else str(int(retry_after))
        headers.append(("Retry-After", value))
    page = f"<!doctype html><html><body><h1>Error {status}</h1></body></html>"
    return html_response(page, status=status, headers=headers, delay=delay)


def http_date(seconds_from_now: float) -> str:
    """An HTTP date (for ``Retry-After``) this many seconds from now."""
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds_from_now), usegmt=True)


def redirect(location: str, status: int = 301) -> Resp:
    return Resp(status=status, body=b"", headers=[("Location", location)])


def links_html(title: str, hrefs: Iterable[str], *, extra: str = "") -> str:
    """A plain list page (home, section): a heading and one link per line."""
    items = "\n".join(
        f'<li><a href="{escape(h, quote=True)}">{escape(h)}</a></li>' for h in hrefs
    )
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title>"
        '<meta property="og:type" content="website"></head>\n'
        f"<body><header><h1>{escape(title)}</h1></header>\n<ul>\n{items}\n</ul>\n{extra}"
        "</body></html>\n"
    )


def links_response(title: str, hrefs: Iterable[str], **kw: object) -> Resp:
    return html_response(links_html(title, hrefs), **kw)  # type: ignore[arg-type]


def robots_txt(*, disallow: Iterable[str] = (), crawl_delay: float | None = None) -> Resp:
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallow]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    return Resp(body=("\n".join(lines) + "\n").encode(), content_type="text/plain")


#: The smallest PDF a reader opens: one empty page.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/MediaBox[0 0 612 792]/Parent 2 0 R>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n166\n%%EOF\n"
)


def png_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


# -- article pages --------------------------------------------------------------------------

_WORDS = {
    "en": {
        "who": ["the mayor", "a council spokeswoman", "the harbour authority", "local farmers",
                "the regional health board", "two union leaders", "the school inspector",
                "a group of residents", "the transport minister", "the fire brigade chief"],
        "what": ["the new tram line", "the flood barrier", "the hospital budget",
                 "the library renovation", "the bridge repairs", "the water tariff",
                 "the night bus service", "the wind farm project", "the market hall",
                 "the cycling lanes"],
        "place": ["Bristol", "Leeds", "Norwich", "Cardiff", "York", "Exeter", "Dundee",
                  "Bath", "Hull", "Preston"],
        "templates": [
            "On {day}, {who} said that {what} in {place} would cost {n} million pounds more "
            "than planned.",
            "Critics argue that {what} has been delayed for {n} months without a clear "
            "explanation from {who}.",
            "According to documents seen by this newspaper, {who} had warned about {what} "
            "as early as {year}.",
            "Residents of {place} packed the town hall on {day} evening to ask questions "
            "about {what}.",
            "The decision follows a consultation in which {n} per cent of respondents "
            "supported {what}.",
            "Asked whether the timetable could still be met, {who} declined to give a date.",
            "In {place}, shop owners fear that {what} will keep customers away for most of "
            "{year}.",
            "Engineers told {who} that the soil near {place} was softer than the surveys "
            "of {year} suggested.",
            "A report published on {day} found that {what} had saved {n} tonnes of carbon "
            "so far.",
            "Opposition councillors in {place} called for an independent review of "
            "{what}.",
            "The figures were confirmed by {who}, who added that further checks were "
            "under way.",
            "For many families in {place}, {what} is the most visible change in a "
            "generation.",
        ],
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    },
    "de": {
        "who": ["der Bürgermeister", "eine Sprecherin der Stadtwerke", "die Landesregierung",
                "mehrere Anwohner", "der Verkehrsminister", "die Feuerwehr",
                "zwei Gewerkschafter", "der Schulleiter", "die Polizei", "der Stadtrat"],
        "what": ["die neue Straßenbahnlinie", "der Hochwasserschutz", "das Klinikbudget",
                 "die Sanierung der Bücherei", "die Brückenprüfung", "die Müllgebühr",
                 "der Nachtbus", "der Windpark", "die Markthalle", "die Fahrradstraße"],
        "place": ["Köln", "Münster", "Lübeck", "Göttingen", "Würzburg", "Düsseldorf",
                  "Nürnberg", "Saarbrücken", "Tübingen", "Fürth"],
        "templates": [
            "Am {day} erklärte {who}, dass {what} in {place} rund {n} Millionen Euro "
            "mehr kosten werde.",
            "Kritiker bemängeln, dass sich {what} seit {n} Monaten ohne klare Begründung "
            "verzögert.",
            "Nach Unterlagen, die dieser Zeitung vorliegen, hatte {who} bereits {year} "
            "vor Problemen gewarnt.",
            "Im Rathaus von {place} drängten sich am {day}abend zahlreiche Bürger, um "
            "Fragen zu stellen.",
            "Bei einer Umfrage sprachen sich {n} Prozent der Befragten für {what} aus.",
            "Ob der Zeitplan noch zu halten ist, wollte {who} nicht sagen.",
            "Geschäftsleute in {place} fürchten, dass die Kundschaft bis Ende {year} "
            "ausbleibt.",
            "Gutachter berichteten, der Boden bei {place} sei weicher als gedacht.",
            "Ein am {day} veröffentlichter Bericht kommt zu dem Ergebnis, dass {n} "
            "Tonnen Kohlendioxid eingespart wurden.",
            "Die Opposition in {place} verlangt eine unabhängige Überprüfung.",
            "Die Zahlen wurden von {who} bestätigt, weitere Prüfungen laufen noch.",
            "Für viele Familien in {place} ist das die größte Veränderung seit Jahren.",
        ],
        "days": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    },
    "fr": {
        "who": ["le maire", "une porte-parole de la région", "le préfet", "des riverains",
                "la ministre des Transports", "les pompiers", "deux syndicalistes",
                "la directrice de l’école", "la gendarmerie", "le conseil municipal"],
        "what": ["la nouvelle ligne de tramway", "la digue", "le budget de l’hôpital",
                 "la rénovation de la médiathèque", "les travaux du pont", "la taxe sur l’eau",
                 "le bus de nuit", "le parc éolien", "les halles", "les pistes cyclables"],
        "place": ["Rennes", "Nîmes", "Besançon", "Angers", "Orléans", "Béziers", "Caen",
                  "Évreux", "Montbéliard", "Sète"],
        "templates": [
            "{day}, {who} a indiqué que {what} à {place} coûterait {n} millions d’euros "
            "de plus que prévu.",
            "Les opposants estiment que {what} accuse {n} mois de retard sans explication.",
            "Selon des documents consultés par notre rédaction, {who} avait alerté dès "
            "{year}.",
            "À {place}, la salle du conseil était comble {day} soir pour un débat animé.",
            "Lors de la consultation, {n} % des habitants se sont prononcés pour {what}.",
            "Interrogé sur le calendrier, {who} s’est refusé à avancer une date.",
            "Les commerçants de {place} craignent une baisse de fréquentation jusqu’à la "
            "fin de {year}.",
            "Les géomètres ont constaté que le sol près de {place} était plus meuble que "
            "prévu.",
            "Un rapport publié {day} conclut que {n} tonnes de CO₂ ont été évitées.",
            "L’opposition municipale de {place} réclame une expertise indépendante.",
            "Les chiffres ont été confirmés par {who}, qui promet d’autres vérifications.",
            "Pour beaucoup de familles de {place}, c’est le changement le plus visible "
            "depuis une génération.",
        ],
        "days": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    },
}


def prose(seed: str, *, lang: str = "en", words: int = 180) -> list[str]:
    """Paragraphs of plausible local-news prose, distinct per seed, at least ``words`` long."""
    vocab = _WORDS[lang]
    rng = random.Random(f"{lang}:{seed}")
    paragraphs: list[str] = []
    count = 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(3, 4)):
            sentence = rng.choice(vocab["templates"]).format(
                who=rng.choice(vocab["who"]), what=rng.choice(vocab["what"]),
                place=rng.choice(vocab["place"]), day=rng.choice(vocab["days"]),
                n=rng.randint(2, 97), year=rng.randint(2015, 2024),
            )
            sentences.append(sentence[0].upper() + sentence[1:])
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return paragraphs


def article_path(slug: str, day: int = 2, month: int = 1, year: int = 2025) -> str:
    return f"/{year}/{month:02d}/{day:02d}/{slug}/"


def article_html(
    url: str,
    title: str,
    *,
    lang: str = "en",
    paragraphs: Sequence[str] | None = None,
    words: int = 180,
    lead: str | None = None,
    published: str = "2025-01-02T08:30:00+00:00",
    author: str = "Sam Taylor",
    charset_meta: str | None = "utf-8",
    http_equiv: str | None = None,
    head_extra: str = "",
    body_extra: str = "",
    body_html: str | None = None,
    links: Iterable[str] = (),
    canonical: bool = True,
) -> str:
    """An article page the extractor accepts: og:type=article, JSON-LD NewsArticle, byline,
    date and prose. ``lead`` is a paragraph put first (a marker tests look for); ``body_html``
    replaces the generated paragraphs' markup; ``charset_meta``/``http_equiv`` choose how (and
    whether) the page declares its encoding; ``links`` go into a "related" list after the text.
    """
    texts = list(paragraphs) if paragraphs is not None else prose(url, lang=lang, words=words)
    if lead:
        texts.insert(0, lead)
    body = body_html if body_html is not None else "\n".join(
        f"<p>{escape(t, quote=False)}</p>" for t in texts
    )
    meta = ""
    if charset_meta:
        meta += f'<meta charset="{charset_meta}">\n'
    if http_equiv:
        meta += f'<meta http-equiv="Content-Type" content="text/html; charset={http_equiv}">\n'
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": published,
            "author": {"@type": "Person", "name": author},
            "inLanguage": lang,
            "mainEntityOfPage": url,
        },
        ensure_ascii=True,  # the JSON-LD stays ASCII whatever the page's encoding
    )
    related = "".join(
        f'<li><a href="{escape(h, quote=True)}">Related: {escape(h)}</a></li>' for h in links
    )
    canonical_link = ""
    if canonical:
        canonical_link = f'<link rel="canonical" href="{escape(url, quote=True)}">\n'
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{meta}'
        f"<title>{escape(title)} | Fault Gazette</title>\n"
        f"{canonical_link}"
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{escape(title, quote=True)}">\n'
        '<meta property="og:site_name" content="Fault Gazette">\n'
        f'<meta property="article:published_time" content="{published}">\n'
        f'<meta name="author" content="{escape(author, quote=True)}">\n'
        f'<script type="application/ld+json">{ld}</script>\n{head_extra}'
        "</head>\n<body>\n"
        '<nav class="menu"><a href="/">Home</a> <a href="/about/">About</a></nav>\n'
        f'<main><article>\n<h1 class="entry-title">{escape(title)}</h1>\n'
        f'<p class="byline">By <span class="author">{escape(author)}</span>, '
        f'<time datetime="{published}">{published[:10]}</time></p>\n'
        f'<div class="entry-content">\n{body}\n</div>\n</article>\n'
        f'<aside><ul class="related">{related}</ul></aside></main>\n{body_extra}'
        "<footer><p>© Fault Gazette</p></footer>\n</body>\n</html>\n"
    )


def article_response(url: str, title: str, *, encoding: str = "utf-8",
                     content_type: str | None = HTML_UTF8, status: int = 200,
                     delay: float = 0.0, headers: Sequence[tuple[str, str]] = (),
                     **kw: object) -> Resp:
    """:func:`article_html` encoded and wrapped in a response."""
    html = article_html(url, title, **kw)  # type: ignore[arg-type]
    return Resp(status=status, body=html.encode(encoding), content_type=content_type,
                delay=delay, headers=list(headers))


def large_site(site: FaultSite, *, articles: int = 300, per_list: int = 30,
               delay: float = 0.02, marker: str = "Fault Gazette") -> list[str]:
    """Route a home page, list pages and ``articles`` article pages, every response delayed by
    ``delay`` seconds; returns the article paths. Each article's first paragraph carries
    ``marker`` (a word every article has, for full-text checks)."""
    paths = [article_path(f"story-number-{i:04d}", day=1 + i % 28, month=1 + (i // 28) % 12)
             for i in range(articles)]
    lists = []
    for page, start in enumerate(range(0, articles, per_list), 1):
        list_path = f"/list/{page}/"
        lists.append(list_path)
        site.route(list_path, links_response(f"Stories, page {page}",
                                             paths[start:start + per_list], delay=delay))
    site.route("/", links_response("Fault Gazette", lists, delay=delay))
    site.route("/robots.txt", robots_txt())
    for i, path in enumerate(paths):
        lang = ("en", "de", "fr")[i % 3]
        site.route(path, article_response(
            site.url(path), f"Story number {i} of the {marker}", lang=lang, delay=delay,
            lead=f"{marker} archivecheck story {i}: the council met again today.",
        ))
    return paths


def rate_limited_site(site: FaultSite, *, articles: int = 20, retry_after: float = 15,
                      crawl_delay: float = 3) -> list[str]:
    """Route a site that asks to be left alone: robots.txt ``Crawl-delay``, and every article
    answered 503 with ``Retry-After`` (seconds); returns the article paths."""
    paths = [article_path(f"overloaded-{i:03d}", day=1 + i % 28) for i in range(articles)]
    site.route("/robots.txt", robots_txt(crawl_delay=crawl_delay))
    site.route("/", links_response("Overloaded Herald", paths))
    for path in paths:
        site.route(path, error(503, retry_after=retry_after))
    return paths


def _fill(budget: int, line: Callable[[int], str]) -> str:
    """Lines ``line(0)``, ``line(1)``... joined, until they weigh ``budget`` characters."""
    out, total, i = [], 0, 0
    while total < budget:
        text = line(i)
        out.append(text)
        total += len(text) + 1
        i += 1
    return "\n".join(out)


def bulky_article_html(url: str, title: str, *, size: int = 6 * 1024 * 1024,
                       lead: str = "") -> str:
    """An article whose page weighs about ``size`` bytes, as modern news pages do: a normal
    article (about 400 words, ``lead`` first) inside a huge inline style sheet, a mega-menu of
    thousands of links, a long comment thread and a multi-megabyte inline JSON state blob."""
    rng = random.Random(url)
    style = _fill(size * 15 // 100, lambda i: (
        f".c{i}{{margin:{i % 17}px;padding:{i % 5}px;color:#{rng.randrange(1 << 24):06x}}}"))
    menu = _fill(size * 15 // 100, lambda i: f'<li><a href="/topic/{i}/">Topic {i}</a></li>')
    comments = _fill(size * 30 // 100, lambda i: (
        f'<div class="comment" id="c{i}"><span class="who">reader{i}</span>'
        f"<p>{escape(' '.join(prose(f'{url}#{i}', words=10)[0].split()[:25]))}</p></div>"))
    state = _fill(size * 40 // 100, lambda i: (
        f'{{"id": {i}, "headline": "Item {i}", "score": {i * 7 % 101}}},'))
    head_extra = f"<style>{style}</style>\n"
    body_extra = (
        f'<nav class="mega-menu"><ul>{menu}</ul></nav>\n'
        f'<section class="comments"><h2>Comments</h2>{comments}</section>\n'
        f"<script>window.__STATE__ = [{state}];</script>\n"
    )
    return article_html(url, title, words=400, lead=lead or None, head_extra=head_extra,
                        body_extra=body_extra)
