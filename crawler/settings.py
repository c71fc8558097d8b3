"""Scrapy settings of news-archiver: only what differs from Scrapy's defaults.

Every value can be overridden on the command line (``scrapy crawl news -s NAME=value``).
The project's own settings start with ``ARCHIVE_``.
"""

BOT_NAME = "news-archiver"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Say who we are: site owners should be able to tell an archive crawler from a scraper.
USER_AGENT = "news-archiver/0.1 (news archive crawler; obeys robots.txt)"

# Politeness: obey robots.txt, few parallel requests per host, AutoThrottle adapting the delay
# to each server's latency.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# A callback's output (a page's new links, then its Page item) is handled one item at a time:
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response whatever it yields (100 by
# default, measured at a tenth of the crawler's CPU), and the extraction of other responses
# still runs in parallel, since every response has its own queue.
CONCURRENT_ITEMS = 1

# Robustness: bounded waits and sizes, a few retries.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A retry has already waited its back-off (in the request queue, crawler/scheduler.py): it
# goes ahead of the frontier then, rather than behind every link found meanwhile (Scrapy's
# default is -1).
RETRY_PRIORITY_ADJUST = 1

# Never keep or send a site's cookies: nothing of a reader session belongs in an archive.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
# Seconds between progress lines (pages fetched, queued, stored, errors, pages/s); 0: none.
LOGSTATS_INTERVAL = 10.0

EXTENSIONS = {
    # Crawl progress in the log (and a progress bar on a terminal) instead of Scrapy's LogStats.
    "scrapy.extensions.logstats.LogStats": None,
    "crawler.progress.CrawlProgress": 0,
}

DOWNLOADER_MIDDLEWARES = {
    # Scrapy's off-site filter, refusing and recording private addresses first.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.SafeOffsiteMiddleware": 50,
    # Same-site names that resolve to private addresses.
    "crawler.middlewares.PrivateAddressMiddleware": 40,
    # Incremental re-crawls: articles archived recently are not fetched again (the spider does
    # not request them; this catches redirect targets).
    "crawler.incremental.SkipKnownArticlesMiddleware": 45,
    # Scrapy's robots.txt filter, refusing with a typed exception (RefusedRobots).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsMiddleware": 100,
    # Scrapy's retry, with backoff and Retry-After.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Sees 3xx responses before RedirectMiddleware (600) acts on them.
    "crawler.middlewares.RedirectLoopMiddleware": 650,
    # Learns each site's Crawl-delay and Retry-After from every response (also those retried
    # or redirected); the request queue below keeps the site's requests back meanwhile.
    "crawler.middlewares.PacingMiddleware": 900,
    # Next to the downloader, so that every redirect hop and retried attempt is recorded.
    "crawler.middlewares.FetchRecorderMiddleware": 950,
    # WARC capture: after HttpCompressionMiddleware (590), so it sees bodies still encoded.
    "crawler.warc.WarcCaptureMiddleware": 940,
}

SPIDER_MIDDLEWARES = {
    # Pages carry the id of their WARC record to the article row.
    "crawler.warc.WarcRecordIdMiddleware": 950,
}

# Seen requests live in a throw-away SQLite file: flat memory, and JOBDIR cannot make a run
# skip pages after a kill -9 (resuming is done from the archive, crawler/incremental.py).
DUPEFILTER_CLASS = "crawler.dupefilter.DiskDupeFilter"
# Pending requests wait on disk, not in memory (a 50,000-URL sitemap is 50,000 requests).
SCHEDULER = "crawler.scheduler.DiskQueueScheduler"
# One queue per site: a site's requests leave it only when the site may be hit (Crawl-delay,
# Retry-After, a retry's back-off) and has a free download slot, so the waits of one site
# never hold the downloader's places that the other sites need.
SCHEDULER_PRIORITY_QUEUE = "crawler.scheduler.PacedPriorityQueue"

ITEM_PIPELINES = {
    "pipelines.stages.ExtractPipeline": 300,
    "pipelines.stages.StorePipeline": 800,
    # Writes the WARC files (in its own thread) and their index; closes before the store.
    "pipelines.warc.WarcPipeline": 900,
}

FEED_EXPORT_ENCODING = "utf-8"

# -- news-archiver's own settings --------------------------------------------------------
# The archive file; a relative path is taken from the project root (where scrapy.cfg is).
ARCHIVE_DB = "archive.db"
# The sites a plain `scrapy crawl news` archives (when no -a start=URL is given).
ARCHIVE_SITES_FILE = "sites.toml"
# Discover everything: robots.txt Sitemap: lines and in-site links (True), or read only the
# start URLs and what they list (False: e.g. a quick crawl of a news sitemap or a feed).
ARCHIVE_FOLLOW_LINKS = True
# How many recently seen link URLs are remembered to skip the repeated menus of every page.
ARCHIVE_LINK_CACHE = 50000
# Re-crawls are incremental, and re-check known articles by age (from their publication date,
# else from when they were first archived), since recent articles are where edits happen:
# younger than ARCHIVE_RECHECK_YOUNG_HOURS, at every crawl; younger than ARCHIVE_RECHECK_OLD_DAYS,
# once every ARCHIVE_RECHECK_HOURS; older, once every ARCHIVE_RECHECK_OLD_HOURS. A listing date
# (sitemap lastmod, news-sitemap or feed date) that moved since the last crawl always means a
# re-fetch. ARCHIVE_RECHECK_HOURS = 0: fetch every article every time.
ARCHIVE_RECHECK_HOURS = 24.0
ARCHIVE_RECHECK_YOUNG_HOURS = 24.0
ARCHIVE_RECHECK_OLD_DAYS = 7.0
ARCHIVE_RECHECK_OLD_HOURS = 168.0
# Article history: a text edit of fewer words than this (added or removed) makes no new version
# (a changed headline, byline or date always does).
ARCHIVE_MIN_CHANGE_WORDS = 1
# Re-crawls stop walking a paginated list (/page/2/, ?page=2) at a page whose article links
# are all archived and fresh, once a crawl has run to its end (False: walk every list whole).
ARCHIVE_STOP_PAGING_AT_KNOWN = True
# Waits before retries: exponential backoff from this base, and a server's Retry-After on
# 429/503, both capped at ARCHIVE_RETRY_AFTER_MAX seconds.
ARCHIVE_RETRY_BACKOFF_BASE = 1.0
ARCHIVE_RETRY_AFTER_MAX = 60.0
# robots.txt Crawl-delay is obeyed up to this many seconds between requests to a host.
ARCHIVE_CRAWL_DELAY_MAX = 30.0
# Extraction runs in this many worker processes (-1: one per CPU; 0: inline, in the crawler).
ARCHIVE_EXTRACT_WORKERS = -1
# Where temporary crawl files go (seen requests, request queue); empty: the system's temp dir.
ARCHIVE_TMPDIR = ""
# Site boilerplate learning: a text block on at least this many pages of a site, and on at
# least this share of its pages, is the site's furniture and removed from all its articles
# (0 pages: off).
ARCHIVE_BOILERPLATE_MIN_PAGES = 5
ARCHIVE_BOILERPLATE_MIN_SHARE = 0.1
# A progress bar on stderr while crawling: "auto" when stderr is a terminal, True or False;
# redrawn every ARCHIVE_PROGRESS_BAR_SECONDS.
ARCHIVE_PROGRESS_BAR = "auto"
ARCHIVE_PROGRESS_BAR_SECONDS = 0.5
# Writes are batched: one transaction per this many rows, or per this many seconds.
ARCHIVE_BATCH_SIZE = 50
ARCHIVE_FLUSH_SECONDS = 2.0

# Raw pages kept in WARC files (ISO 28500): every HTML response and its request, body as
# received, gzip per record, indexed in archive.db's warc_records.
ARCHIVE_WARC_ENABLED = True
# Where the WARC files go; empty: a warc/ folder next to the archive file.
ARCHIVE_WARC_DIR = ""
# A WARC file is closed and the next one started once it reaches this many bytes.
ARCHIVE_WARC_MAX_SIZE = 1_000_000_000
# Distributed crawling: a Redis URL (redis://host:6379/0) makes `scrapy crawl news` a worker
# sharing one crawl with any others through Redis (scrapy-redis's queue and duplicate filter),
# and `scrapy archive-writer` the one process writing ARCHIVE_DB. Empty: one machine, no Redis.
REDIS_URL = ""
# A distributed worker ends when the shared crawl is over; True keeps workers (fed through
# `<spider>:start_urls`) and the archive writer running instead.
ARCHIVE_KEEP_RUNNING = False
# A distributed worker not heard of for this many seconds is taken for dead: the requests it
# held go back to the shared queue. It says it is alive five times per period, from a thread
# of its own. Longer: a stalled but living worker keeps its requests longer (fewer pages
# fetched twice); shorter: a dead worker's requests come back sooner.
ARCHIVE_HEARTBEAT_TIMEOUT = 10.0

# `scrapy crawl` checks the archive's writer lock before starting (crawler/commands/crawl.py).
COMMANDS_MODULE = "crawler.commands"
