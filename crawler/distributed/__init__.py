"""Distributed crawling: several ``scrapy crawl news`` workers share one crawl through Redis.

Switched on by ``-s REDIS_URL=redis://host:6379/0`` (see the README); without it nothing here
is loaded. The request queue and the duplicate filter are scrapy-redis's, per crawl run
(:mod:`.scheduler`); politeness limits are shared per site (:mod:`.pacing`); what a run is,
who takes part and when it is over lives in :mod:`.run`; the spider (:mod:`.spider`) reads
known articles from Redis instead of ``archive.db``. Items go to the archive writer
(``pipelines/handoff.py``, ``pipelines/writer.py``).
"""
