"""One distributed crawl run in Redis: who takes part, which requests are in whose hands, and
when the run is over.

A run is created by the first worker that finds no unfinished run, and joined by every worker
started while it lasts (they adopt its sites, so ``scrapy crawl news -s REDIS_URL=…`` on any
machine joins the crawl). Its request queue is scrapy-redis's priority queue; a worker takes
a request with one atomic step that also records it in the worker's ``inflight`` hash, and
forgets it only once the request's whole output (new requests, the item) has been handed on.
So a worker killed with ``kill -9`` loses nothing: when its heartbeat expires, the next worker
that looks puts its in-flight requests back in the queue. The run is over when the queue and
the deferred set are empty and no live worker holds a request (nor asked to be kept alive):
this is checked in one atomic step, so a worker cannot end while another is still producing
requests.

Times come from the Redis server (``TIME``), so workers on machines whose clocks differ agree.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from typing import Any

from redis import Redis

from core.handoff import Keys

#: A worker not heard of for this long is taken for dead; its requests go back to the queue
#: (the default of ``ARCHIVE_HEARTBEAT_TIMEOUT``, in ms).
HEARTBEAT_TTL_MS = 10_000
#: Beats per heartbeat period: a beat or two lost to a busy moment does not kill a worker.
BEATS_PER_TTL = 5


def worker_id() -> str:
    """This process as the crawl names it: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


# KEYS: run, counter   ARGV: prefix, sites JSON
JOIN_OR_CREATE = """
local cur = redis.call('GET', KEYS[1])
if cur and redis.call('EXISTS', ARGV[1] .. ':run:' .. cur .. ':done') == 0 then
  return {cur, 0}
end
local id = tostring(redis.call('INCR', KEYS[2]))
redis.call('SET', KEYS[1], id)
redis.call('SET', ARGV[1] .. ':run:' .. id .. ':sites', ARGV[2])
return {id, 1}
"""

# KEYS: requests, delayed, priorities, inflight   ARGV: max promoted
# Deferred requests whose time has come go back to the queue with their priority, then the
# best request moves to the worker's inflight hash (member -> score).
TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, m in ipairs(due) do
  local p = redis.call('HGET', KEYS[3], m) or '0'
  redis.call('ZADD', KEYS[1], p, m)
  redis.call('ZREM', KEYS[2], m)
  redis.call('HDEL', KEYS[3], m)
end
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return nil end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[4], r[1], r[2])
return r
"""

# KEYS: inflight, delayed, priorities   ARGV: member, wait ms
DEFER = """
local score = redis.call('HGET', KEYS[1], ARGV[1])
if not score then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], score)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
return 1
"""

# KEYS: delayed, priorities   ARGV: member, score, wait ms — a new request that must wait
PUSH_LATER = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
return 1
"""

# KEYS: inflight, requests — the worker's held requests back to the queue, atomically
GIVE_BACK = """
local held = redis.call('HGETALL', KEYS[1])
for i = 1, #held, 2 do redis.call('ZADD', KEYS[2], held[i + 1], held[i]) end
redis.call('DEL', KEYS[1])
return #held / 2
"""

# KEYS: requests, delayed, workers, keepalive, done   ARGV: prefix, run
# Requeues the in-flight requests of dead workers, then says whether the run is over
# (and marks it so): 1 over, 0 not yet.
CHECK_DONE = """
local base = ARGV[1] .. ':run:' .. ARGV[2]
local busy = false
for _, w in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local inflight = base .. ':inflight:' .. w
  if redis.call('EXISTS', ARGV[1] .. ':worker:' .. w) == 0 then
    local held = redis.call('HGETALL', inflight)
    for i = 1, #held, 2 do redis.call('ZADD', KEYS[1], held[i + 1], held[i]) end
    redis.call('DEL', inflight)
    redis.call('SREM', KEYS[3], w)
    redis.call('SREM', KEYS[4], w)
    if #held > 0 then busy = true end
  elseif redis.call('HLEN', inflight) > 0 or redis.call('SISMEMBER', KEYS[4], w) == 1 then
    busy = true
  end
end
if busy or redis.call('ZCARD', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[2]) > 0 then
  return 0
end
redis.call('SET', KEYS[5], 1)
return 1
"""


@dataclass
class Taken:
    """A request's queue entry while a worker holds it."""

    member: bytes
    score: float


class CrawlRun:
    """This worker's view of the current run: join, take, release, defer, end."""

    def __init__(self, server: Redis, keys: Keys, worker: str | None = None, *,
                 heartbeat_ttl_ms: int = HEARTBEAT_TTL_MS) -> None:
        self.server = server
        self.keys = keys
        self.worker = worker or worker_id()
        self.heartbeat_ttl_ms = max(100, int(heartbeat_ttl_ms))
        self.id = ""
        self.created = False
        self.sites: list[dict[str, Any]] = []
        self._join = server.register_script(JOIN_OR_CREATE)
        self._take = server.register_script(TAKE)
        self._defer = server.register_script(DEFER)
        self._check_done = server.register_script(CHECK_DONE)
        self._push_later = server.register_script(PUSH_LATER)
        self._give_back = server.register_script(GIVE_BACK)

    def key(self, what: str) -> str:
        return self.keys.of_run(self.id, what)

    @property
    def inflight(self) -> str:
        return self.keys.inflight(self.id, self.worker)

    def join(self, sites: list[dict[str, Any]], *, keep_alive: bool = False) -> None:
        """Join the unfinished run, or start one crawling ``sites``; adopt the run's sites."""
        run, created = self._join(keys=[self.keys.run, self.keys.run_counter],
                                  args=[self.keys.prefix, json.dumps(sites)])
        self.id = run.decode() if isinstance(run, bytes) else str(run)
        self.created = bool(created)
        self.beat()
        with self.server.pipeline() as pipe:
            pipe.sadd(self.key("members"), self.worker)
            if keep_alive:
                pipe.sadd(self.key("keepalive"), self.worker)
            pipe.get(self.key("sites"))
            *_, stored = pipe.execute()
        self.sites = json.loads(stored) if stored else sites

    @property
    def beat_every(self) -> float:
        """Seconds between two beats."""
        return self.heartbeat_ttl_ms / 1000 / BEATS_PER_TTL

    def beat(self) -> None:
        """Say this worker is alive (every :attr:`beat_every` seconds). It registers again too: a
        worker taken for dead while it was only slow (its requests were requeued, a
        duplicate fetch at worst) counts again in the run's end."""
        with self.server.pipeline() as pipe:
            pipe.set(self.keys.heartbeat(self.worker), 1, px=self.heartbeat_ttl_ms)
            if self.id:
                pipe.sadd(self.key("workers"), self.worker)
            pipe.execute()

    def take(self) -> Taken | None:
        """The best queued request, moved to this worker's in-flight hash (atomically)."""
        found = self._take(keys=[self.key("requests"), self.key("delayed"),
                                 self.key("priorities"), self.inflight], args=[200])
        if not found:
            return None
        return Taken(member=found[0], score=float(found[1]))

    def release(self, members: list[bytes]) -> None:
        """Requests whose output has been handed on: no longer this worker's."""
        if members:
            self.server.hdel(self.inflight, *members)

    def defer(self, taken: Taken, seconds: float) -> None:
        """Put a taken request aside for ``seconds`` (its site may not be hit yet)."""
        self._defer(keys=[self.inflight, self.key("delayed"), self.key("priorities")],
                    args=[taken.member, max(1, int(seconds * 1000))])

    def push_later(self, member: bytes, score: float, seconds: float) -> None:
        """Queue a new request that may not be sent for ``seconds`` (a retry's back-off)."""
        self._push_later(keys=[self.key("delayed"), self.key("priorities")],
                         args=[member, score, max(1, int(seconds * 1000))])

    def check_done(self) -> bool:
        """Whether the run is over (and mark it so); dead workers' requests are requeued."""
        return bool(self._check_done(
            keys=[self.key("requests"), self.key("delayed"), self.key("workers"),
                  self.key("keepalive"), self.key("done")],
            args=[self.keys.prefix, self.id],
        ))

    def is_done(self) -> bool:
        return bool(self.server.exists(self.key("done")))

    def pending(self) -> int:
        """Requests queued or deferred in the run (all workers)."""
        with self.server.pipeline() as pipe:
            pipe.zcard(self.key("requests"))
            pipe.zcard(self.key("delayed"))
            queued, deferred = pipe.execute()
        return int(queued) + int(deferred)

    def give_back(self) -> int:
        """Put every request this worker holds back in the queue; returns how many.

        Called when the worker's engine has nothing in flight: an entry still held then was
        taken by a command that Redis ran but whose answer was lost (a Redis restart), and the
        client's retry took another one; it must not hold the run open for ever."""
        return int(self._give_back(keys=[self.inflight, self.key("requests")]))

    def leave(self) -> None:
        """This worker ends: what it still holds goes back to the queue, then it is gone.

        Its heartbeat is left to expire: the writer waits for the worker's last envelope (its
        stats) until then."""
        self.give_back()
        with self.server.pipeline() as pipe:
            pipe.srem(self.key("workers"), self.worker)
            pipe.srem(self.key("keepalive"), self.worker)
            pipe.sadd(self.key("left"), self.worker)
            pipe.execute()
