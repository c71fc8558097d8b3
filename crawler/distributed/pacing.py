"""Per-site politeness shared by every worker of a distributed crawl, kept in Redis.

The same idea as the one-machine crawl's per-site waits (a time before which a site is not hit
again, kept out of the downloader), with the state in Redis so that three workers do not hit a
site three times as hard:

- a site's **next-allowed time**: set by each request sent (``DOWNLOAD_DELAY`` or the site's
  robots.txt ``Crawl-delay``, whichever is longer) and by a ``Retry-After`` (:meth:`hold`);
- a site's **concurrency**: at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` requests under way at
  once across all workers, as leases that expire (a worker killed with ``kill -9`` cannot
  hold a site for ever).

The scheduler asks :meth:`acquire` before handing a request to the downloader; a request whose
site is not free is deferred in Redis (never slept on in the downloader). The names follow
``crawler.pacing.SitePacer`` of the one-machine crawl: ``set_crawl_delay``, ``hold``,
``hit``, ``wait``, ``ready`` (``acquire`` is its ``ready`` and ``hit`` in one atomic step,
since other workers ask at the same time). Times are the Redis server's, so machines whose
clocks differ agree.
"""

from __future__ import annotations

from redis import Redis

from core.handoff import Keys

# KEYS: leases (zset lease -> expiry ms), next (ms), crawl delay (ms)
# ARGV: lease id, limit, lease ttl ms, download delay ms
# Returns 0 when the lease is granted, otherwise the milliseconds to wait (at least 1).
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then return nxt - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit = tonumber(ARGV[2])
if limit > 0 and redis.call('ZCARD', KEYS[1]) >= limit then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, math.min(250, tonumber(first[2]) - now))
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
local delay = math.max(tonumber(ARGV[4]), tonumber(redis.call('GET', KEYS[3]) or '0'))
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay) end
return 0
"""

# KEYS: next   ARGV: ms — the site is not hit again before now + ms (a later hold stays)
HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilms = now + tonumber(ARGV[1])
if untilms > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], untilms, 'PX', tonumber(ARGV[1]))
end
return 1
"""

# KEYS: next, crawl delay — a response arrived: the next request waits the Crawl-delay from now
HIT = """
local delay = tonumber(redis.call('GET', KEYS[2]) or '0')
if delay <= 0 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now + delay > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], now + delay, 'PX', delay)
end
return 1
"""

# KEYS: next   returns ms left (0: the site may be hit)
WAIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - now)
"""


class RedisSitePacer:
    """Shared per-site waits and concurrency; ``limit`` 0 means no concurrency cap."""

    def __init__(self, server: Redis, keys: Keys, *, limit: int, download_delay: float,
                 lease_seconds: float) -> None:
        self.server = server
        self.keys = keys
        self.limit = limit
        self.download_delay_ms = int(download_delay * 1000)
        self.lease_ms = max(1000, int(lease_seconds * 1000))
        self._acquire = server.register_script(ACQUIRE)
        self._hold = server.register_script(HOLD)
        self._wait = server.register_script(WAIT)
        self._hit = server.register_script(HIT)

    def acquire(self, site: str, lease: str) -> float:
        """Take a place at ``site`` for one request: 0.0 when granted, else seconds to wait."""
        wait_ms = self._acquire(
            keys=[self.keys.site(site, "leases"), self.keys.site(site, "next"),
                  self.keys.site(site, "crawl-delay")],
            args=[lease, self.limit, self.lease_ms, self.download_delay_ms],
        )
        return int(wait_ms) / 1000

    def release(self, site: str, lease: str) -> None:
        """The request's download is over: its place at the site is free."""
        self.server.zrem(self.keys.site(site, "leases"), lease)

    def set_crawl_delay(self, site: str, seconds: float) -> None:
        if seconds > 0:
            self.server.set(self.keys.site(site, "crawl-delay"), int(seconds * 1000), ex=86400)

    def hold(self, site: str, seconds: float) -> None:
        """Do not hit ``site`` for ``seconds`` from now (a 429/503's ``Retry-After``)."""
        if seconds > 0:
            self._hold(keys=[self.keys.site(site, "next")], args=[int(seconds * 1000)])

    def hit(self, site: str) -> None:
        """A response from ``site`` arrived: its Crawl-delay counts from now too (a request
        that was slow to answer must not let the next one follow it at once)."""
        self._hit(keys=[self.keys.site(site, "next"), self.keys.site(site, "crawl-delay")])

    def wait(self, site: str) -> float:
        """Seconds until ``site`` may be hit again (0: now)."""
        return int(self._wait(keys=[self.keys.site(site, "next")])) / 1000

    def ready(self, site: str) -> bool:
        return self.wait(site) == 0.0
