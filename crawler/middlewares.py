"""Downloader middlewares: the network facts Scrapy does not handle the way an archive needs.

- :class:`SafeOffsiteMiddleware` and :class:`PrivateAddressMiddleware` refuse requests that
  would reach private, loopback or link-local addresses from a public site (server-side
  request forgery), by address and by name.
- :class:`RobotsMiddleware` is Scrapy's robots.txt filter, refusing with a typed exception.
- :class:`PacingMiddleware` learns when a site may be hit again: robots.txt ``Crawl-delay``
  (Scrapy's robots support reads only Allow/Disallow) and a 429/503's ``Retry-After``.
- :class:`BackoffRetryMiddleware` is Scrapy's retry with waits: exponential backoff, and the
  server's ``Retry-After`` on 429/503 (capped).
- :class:`RedirectLoopMiddleware` ends redirect loops with a recorded error instead of
  letting the duplicate filter drop them silently.
- :class:`FetchRecorderMiddleware` records every response and failed attempt.

None of them waits: a request that must wait does so in the request queue, before the
downloader (crawler/pacing.py says why), so that one site's pauses never hold up the others.
Refusals are :class:`core.outcomes.Refused` subclasses; their type is their outcome.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from protego import Protego
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from core.items import utc_now
from core.outcomes import (
    RedirectLoop,
    RefusedOffsite,
    RefusedPrivate,
    RefusedRobots,
    failure_outcome,
    response_outcome,
)
from core.signals import fetch_recorded
from core.urls import is_private_address, normalize
from crawler.pacing import WAIT_META, SitePacer, site_of

logger = logging.getLogger(__name__)


def _allowed_hosts(crawler: Crawler) -> list[str]:
    """The start sites' hosts (the spider's ``allowed_domains``), lowercased."""
    return [d.lower() for d in getattr(crawler.spider, "allowed_domains", None) or []]


class SafeOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's off-site filter, refusing (and recording) private addresses first.

    Scrapy filters off-site requests when they are scheduled, silently. A request to a
    private, loopback or link-local address (``10.0.0.1``, ``[::1]``, ``localhost``) is
    refused here before that, recorded once in ``fetches`` as ``refused_private``, and counted.
    The start sites' own hosts are trusted even when private (tests, intranet archives).
    """

    def __init__(self, stats: Any) -> None:
        super().__init__(stats)
        self.refused: set[str] = set()

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = (urlparse_cached(request).hostname or "").lower()
        if host and is_private_address(host) and host not in _allowed_hosts(self.crawler):
            refusal = RefusedPrivate(f"Refused private address: {host} ({request.url})")
            if request.url not in self.refused:
                self.refused.add(request.url)
                self.crawler.signals.send_catch_log(fetch_recorded, row={
                    "url": request.url, "status": None, "fetched_at": utc_now(), "size": None,
                    "content_type": None, "outcome": refusal.outcome,
                    "error": f"{type(refusal).__name__}: {refusal}",
                })
            raise refusal
        try:
            return super().process_request(request)
        except RefusedOffsite:
            raise
        except IgnoreRequest as refused:
            raise RefusedOffsite(str(refused)) from None


class PrivateAddressMiddleware:
    """Refuse same-site host names that resolve to private addresses (DNS rebinding).

    A subdomain of a start site passes the off-site filter; if its name resolves to a
    private, loopback or link-local address, the request is refused. Off-site names are not
    resolved: the off-site filter refuses them anyway, and resolving every share-button host
    would be slow and would leak the crawl to their DNS.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.resolved: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = (urlsplit(request.url).hostname or "").lower()
        allowed = _allowed_hosts(self.crawler)
        if not host or host in allowed or _is_ip(host):
            return None
        if not any(host.endswith("." + d) for d in allowed):
            return None
        if host not in self.resolved:
            self.resolved[host] = await _resolves_privately(host)
        if self.resolved[host]:
            raise RefusedPrivate(f"Refused private address: {host} resolves to one "
                                 f"({request.url})")
        return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


async def _resolves_privately(host: str) -> bool:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False  # unresolvable: the download fails and is recorded as a DNS error
    return any(is_private_address(str(info[4][0])) for info in infos)


class RobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt filter; a disallowed URL is refused with :class:`RefusedRobots`.

    While a host's robots.txt is being fetched, Scrapy (2.19) keeps a Deferred for it that
    every other request of that host awaits as a Future; turning a Deferred into a Future
    consumes its result (Twisted's ``asFuture``), so only the first waiter got the parser and
    the next ones got None, which lets everything through. A fresh distributed worker takes
    many requests of a host at once, and fetched robots.txt-disallowed pages that way. Here
    each waiter awaits its own Deferred, fired with the parser.

    The spider asks for each start host's robots.txt too (for its ``Sitemap:`` lines), and
    that request is what makes this filter fetch it first: the filter's response is then
    handed to the spider's request instead of fetching the file a second time, flagged
    ``cached`` (not a fetch: :class:`FetchRecorderMiddleware` and :class:`PacingMiddleware`
    leave it out).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        #: robots.txt responses fetched for a request of that very robots.txt, until it takes
        #: them (one per host at most, for as long as the filter's fetch and that request)
        self._fetched: dict[str, Response] = {}

    async def process_request(self, request: Request,
                              spider: Spider | None = None) -> Response | None:
        try:
            await super().process_request(request)
        finally:  # taken also when refused (a robots.txt that disallows itself)
            fetched = (self._fetched.pop(urlparse_cached(request).netloc, None)
                       if is_robots_txt(request) else None)
        if fetched is None:
            return None
        self.crawler.stats.inc_value("archive/robots/shared")
        return fetched.replace(request=request, flags=[*fetched.flags, "cached"])

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if is_robots_txt(request) and not request.meta.get("dont_obey_robotstxt"):
            self._fetched[netloc] = response
        await super()._parse_robots(response, netloc, request)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)  # known, or fetched now
        mine: Deferred[RobotParser | None] = Deferred()

        def hand_on(parser: RobotParser | None) -> RobotParser | None:
            mine.callback(parser)
            return parser  # unchanged, for the next waiter

        pending.addCallback(hand_on)
        return await maybe_deferred_to_future(mine)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as refused:
            raise RefusedRobots(str(refused)) from None


def is_robots_txt(request: Request) -> bool:
    """Whether ``request`` asks for its host's robots.txt."""
    return urlparse_cached(request).path == "/robots.txt"


class PacingMiddleware:
    """Learn from responses when each site may be hit again (the crawl's :class:`SitePacer`).

    - robots.txt ``Crawl-delay`` (capped by ``ARCHIVE_CRAWL_DELAY_MAX``): the request queue
      then sends the site's requests that far apart, counted from the later of the previous
      request's start and its response.
    - a 429 or 503 with ``Retry-After`` (capped by ``ARCHIVE_RETRY_AFTER_MAX``): the whole
      site is left alone that long (the server said it is overloaded, not only this page).

    It sits next to the downloader so that it sees every response, also those that the retry
    and redirect middlewares turn into new requests. It never waits itself.
    """

    def __init__(self, crawler: Crawler, pacer: SitePacer | None = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.max_delay = settings.getfloat("ARCHIVE_CRAWL_DELAY_MAX")
        self.max_retry_after = settings.getfloat("ARCHIVE_RETRY_AFTER_MAX")
        self.pacer = pacer or SitePacer()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PacingMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        if "cached" in response.flags:
            return response  # not from the site: no hit, nothing new learnt
        site = site_of(request)
        if is_robots_txt(request) and response.status == 200:
            delay = self.crawl_delay(response)
            if delay:
                self.pacer.set_crawl_delay(site, min(delay, self.max_delay))
                logger.info("%s asks for %.3g s between requests (Crawl-delay)", site, delay)
        self.pacer.hit(site)
        if response.status in (429, 503):
            told = retry_after_seconds(response.headers.get(b"Retry-After"))
            if told:
                wait = min(told, self.max_retry_after)
                self.pacer.hold(site, wait)
                self.crawler.stats.inc_value("archive/pacing/retry_after")
                logger.info("%s answered %d with Retry-After %s: holding its requests %.3g s",
                            site, response.status, told, wait)
        return response

    def crawl_delay(self, response: Response) -> float | None:
        try:
            delay = Protego.parse(response.text).crawl_delay(self.user_agent)
        except (AttributeError, ValueError, UnicodeDecodeError):
            return None
        return float(delay) if delay else None


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware (its retries built by ``get_retry_request``), with a wait.

    The wait is the server's ``Retry-After`` on 429/503 when given, otherwise
    ``ARCHIVE_RETRY_BACKOFF_BASE * 2**n`` for the n-th retry; both are capped by
    ``ARCHIVE_RETRY_AFTER_MAX``. The retry carries the wait in its ``archive_wait`` meta and
    spends it in the request queue, outside the downloader: only this request waits.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("ARCHIVE_RETRY_BACKOFF_BASE")
        self.max_wait = settings.getfloat("ARCHIVE_RETRY_AFTER_MAX")

    def wait_for(self, request: Request, response: Response | None) -> float:
        if response is not None and response.status in (429, 503):
            told = retry_after_seconds(response.headers.get(b"Retry-After"))
            if told is not None:
                return min(told, self.max_wait)
        return min(self.backoff_base * 2 ** request.meta.get("retry_times", 0), self.max_wait)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            result.meta[WAIT_META] = self.wait_for(request, response)
        return result

    def process_exception(self, request: Request, exception: Exception,
                          spider: Spider | None = None) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            result.meta[WAIT_META] = self.wait_for(request, None)
        return result


class RedirectLoopMiddleware:
    """A redirect back to a URL of its own chain is a loop: end it with a recorded error.

    Without this, Scrapy's duplicate filter silently drops the looping request and the page
    simply never arrives, with nothing in the archive to say why. A chain that would go past
    ``REDIRECT_MAX_TIMES`` ends the same way (Scrapy would drop it with a plain
    ``IgnoreRequest``).
    """

    def __init__(self, max_redirects: int = 20) -> None:
        self.max_redirects = max_redirects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopMiddleware:
        return cls(crawler.settings.getint("REDIRECT_MAX_TIMES"))

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            target = normalize(urljoin(request.url, location.decode("latin-1")))
            chain = [*request.meta.get("redirect_urls", []), request.url]
            hops = " -> ".join([*chain, target])
            if target in {normalize(url) for url in chain}:
                raise RedirectLoop(f"Redirect loop: {hops}")
            ttl = request.meta.get("redirect_ttl", self.max_redirects)
            too_many = not ttl or request.meta.get("redirect_times", 0) >= self.max_redirects
            if too_many and not request.meta.get("dont_redirect"):
                raise RedirectLoop(f"More than {self.max_redirects} redirects: {hops}")
        return response


class FetchRecorderMiddleware:
    """Announce every response and failed attempt with the :data:`fetch_recorded` signal.

    It sits next to the downloader (after RetryMiddleware and RedirectMiddleware in the
    chain), so it sees what the network really answered: each hop of a redirect and each
    attempt that RetryMiddleware retries, not only what reaches the spider. The store
    pipeline writes the rows to ``fetches``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchRecorderMiddleware:
        return cls(crawler)

    def _send(self, **row: Any) -> None:
        self.crawler.signals.send_catch_log(fetch_recorded, row=row)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        if "cached" in response.flags:
            return response  # answered without a fetch (HTTP cache, a shared robots.txt)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")[:200]
        self._send(url=response.url, status=response.status, fetched_at=utc_now(),
                   size=len(response.body), content_type=content_type or None,
                   outcome=response_outcome(response.status), error=None)
        return response

    def process_exception(self, request: Request, exception: BaseException,
                          spider: Spider | None = None) -> None:
        if isinstance(exception, IgnoreRequest):
            return None  # refused before download: the spider's errback records those
        error = f"{type(exception).__name__}: {exception}"[:500]
        self._send(url=request.url, status=None, fetched_at=utc_now(), size=None,
                   content_type=None, outcome=failure_outcome(exception), error=error)
