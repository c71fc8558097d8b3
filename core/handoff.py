"""What distributed workers and the archive writer share: Redis key names and the item envelope.

In a distributed crawl (``-s REDIS_URL=…``) the workers fetch and extract, and one process,
``scrapy archive-writer``, owns ``archive.db``. Everything a worker has to say to the writer
travels as an :class:`Envelope` on one Redis list: items (extracted articles, news listings,
failures, not-modified marks, and whatever item types later stages add, page bodies included),
the rows the project's signals announce to the store (``fetches``, ``rejections``), and a
worker's arrival and departure with its crawl stats. The envelope is generic on purpose: a
new item type rides along without a new protocol, and the writer hands it to the same store
pipeline a one-machine crawl uses.

Envelopes are pickled (bytes travel as they are) and read back with an unpickler that only
builds the project's own classes and plain data, so a stray value pushed to the list cannot
run code in the writer.

Plain code, no Redis client here: both sides build their key names from :class:`Keys`.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass, field
from typing import Any

#: Envelope kinds.
ITEM = "item"  # payload: an item (a dataclass of core.items or of a later stage)
SIGNAL = "signal"  # payload: (name in core.signals, its row): fetch_recorded, page_rejected
JOIN = "join"  # a worker joined the crawl; payload: the crawl's start URLs
LEAVE = "leave"  # a worker ended; payload: its Scrapy stats (dict)


@dataclass
class Envelope:
    kind: str
    run: str  # the distributed crawl's id (one ``crawls`` row per run)
    worker: str  # "host:pid" of the worker that sent it
    payload: Any = None
    sent_at: float = field(default=0.0)


#: Modules whose classes an envelope may hold (besides plain data and datetimes).
SAFE_MODULES = ("core.", "pipelines.", "crawler.")
SAFE_GLOBALS = {
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytearray"),
    ("builtins", "complex"), ("builtins", "slice"), ("builtins", "range"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("collections", "OrderedDict"), ("_codecs", "encode"),
    ("copyreg", "_reconstructor"), ("builtins", "object"),
}


class EnvelopeError(ValueError):
    """A value on the items list is not an envelope this version can read."""


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in SAFE_GLOBALS or module.startswith(SAFE_MODULES):
            return super().find_class(module, name)
        raise EnvelopeError(f"refused to unpickle {module}.{name}")


def dumps(envelope: Envelope) -> bytes:
    return pickle.dumps(envelope, protocol=5)


def loads(data: bytes) -> Envelope:
    try:
        envelope = _SafeUnpickler(io.BytesIO(data)).load()
    except EnvelopeError:
        raise
    except Exception as error:  # truncated, another format, a class that moved
        raise EnvelopeError(f"unreadable envelope: {error}") from error
    if not isinstance(envelope, Envelope):
        raise EnvelopeError(f"not an envelope: {type(envelope).__name__}")
    return envelope


@dataclass(frozen=True)
class Keys:
    """The Redis key names of one spider's distributed crawls (``prefix`` is its name)."""

    prefix: str = "news"

    # -- shared between runs ------------------------------------------------------------
    @property
    def run(self) -> str:  # the current run's id
        return f"{self.prefix}:run"

    @property
    def run_counter(self) -> str:
        return f"{self.prefix}:run:counter"

    @property
    def items(self) -> str:  # envelopes, workers -> writer
        return f"{self.prefix}:items"

    @property
    def items_taken(self) -> str:  # envelopes the writer took and has not committed yet
        return f"{self.prefix}:items:taken"

    @property
    def known(self) -> str:  # hash: canonical URL -> last_seen of archived articles
        return f"{self.prefix}:known"

    @property
    def last_crawl_status(self) -> str:  # how the archive's last crawl ended
        return f"{self.prefix}:last-crawl-status"

    @property
    def start_urls(self) -> str:  # scrapy-redis's start URLs list (REDIS_START_URLS_KEY)
        return f"{self.prefix}:start_urls"

    @property
    def writer(self) -> str:  # the writer's heartbeat
        return f"{self.prefix}:writer"

    def heartbeat(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}"

    def site(self, site: str, what: str) -> str:  # per-site politeness (leases, next, delay)
        return f"{self.prefix}:site:{site}:{what}"

    # -- per run ---------------------------------------------------------------------------
    def of_run(self, run: str, what: str) -> str:
        """``requests`` (scrapy-redis queue), ``dupefilter``, ``delayed``, ``priorities``,
        ``sites``, ``workers`` (alive), ``members`` (all that took part), ``keepalive``,
        ``done``, ``left`` (workers whose LEAVE was sent)."""
        return f"{self.prefix}:run:{run}:{what}"

    def inflight(self, run: str, worker: str) -> str:
        return f"{self.prefix}:run:{run}:inflight:{worker}"


#: How many times a Redis command is retried while Redis is unreachable (a restart), with
#: waits growing to 1 s: about a minute.
REDIS_RETRIES = 60


def redis_client(settings: Any) -> Any:
    """The crawl's Redis client (``REDIS_URL``; ``REDIS_PARAMS`` as scrapy-redis reads them),
    retrying a command while Redis restarts instead of failing the crawl. Imported lazily:
    a one-machine crawl never loads a Redis client."""
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from redis.retry import Retry
    from scrapy_redis.connection import get_redis_from_settings

    settings = settings.copy()
    settings.frozen = False  # a private copy: the crawl's own settings stay frozen
    params = settings.getdict("REDIS_PARAMS")
    params.setdefault("retry", Retry(ExponentialBackoff(cap=1.0, base=0.05), REDIS_RETRIES))
    params.setdefault("retry_on_error", [RedisConnectionError, RedisTimeoutError])
    settings.set("REDIS_PARAMS", params)
    return get_redis_from_settings(settings)
