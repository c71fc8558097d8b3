"""Datasette plugin: the front page of a news archive (its database page).

What a reader wants at a glance, computed here and drawn by ``datasette/templates/_front.html``:
per site, the articles archived, the crawl that last saw the site and how it went; a chart of
articles per day and site over a chosen period (``?from=YYYY-MM-DD&to=YYYY-MM-DD``, one bar per
day, drawn as SVG on the server: no script, no network); extraction health per site with a
warning when a share jumps; the recent crawl runs.

Extraction health compares the articles stored by the last ``health_crawls`` crawls of the
archive ("recent") with the site's earlier articles ("usual"): the share with no date, with no
author, with very short text, and with text under ``drop_ratio`` of the site's usual length. A
recent share ``health_jump`` (a fraction) above the usual one is what a broken template looks
like. Settings: the ``news-archive`` plugin section of metadata.yml.

The functions below the SQL are plain (rows in, plain values out), unit-tested without Datasette.
"""

# No ``from __future__ import annotations``: Datasette runs a plugin file outside sys.modules,
# where dataclasses cannot resolve string annotations.
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from datasette.hookspecs import hookimpl

from core.outcomes import ERROR_OUTCOMES

#: Days shown by default (ending at the newest publication day of the archive).
DEFAULT_DAYS = 90
#: Periods offered in one click (days, ending at the newest publication day).
PRESET_DAYS = (7, 30, 90, 365)
#: Longest period the chart draws (one bar per day).
MAX_DAYS = 400
#: Crawl runs listed on the front page.
RECENT_CRAWLS = 10
#: Fewest articles in each of "recent" and "usual" for a share to be compared.
MIN_COMPARED = 3
#: Drawing box of one site's chart (SVG user units; the SVG scales to the page's width).
CHART_WIDTH, CHART_HEIGHT = 600.0, 100.0

DEFAULTS = {"health_crawls": 3, "health_jump": 0.25, "short_words": 80, "drop_ratio": 0.5}
#: The health measures, in the order shown, with the words a warning uses.
MEASURES = {
    "no_date": "no date",
    "no_author": "no author",
    "short_text": "very short text",
    "dropped": "text much shorter than usual",
}

SITES_SQL = """
with sites as (
  select site, max(site_name) as site_name, count(*) as articles,
         max(last_seen) as last_seen
  from articles group by site
)
select sites.*,
  (select id from crawls where started <= sites.last_seen
   order by started desc limit 1) as crawl_id
from sites order by articles desc, site
"""
CRAWLS_SQL = """
select id, started, finished, status, pages, articles_new, articles_updated,
       articles_unchanged, not_articles, errors
from crawls order by id desc limit :limit
"""
SITE_CRAWL_SQL = """
select
  (select count(*) from articles
   where site = :site and first_seen >= :started) as new_articles,
  (select count(*) from fetches
   where crawl_id = :crawl_id and (url like :http or url like :https)
     and (outcome like 'http^_%' escape '^' or outcome in ({errors}))) as errors
""".format(errors=", ".join(f"'{name}'" for name in ERROR_OUTCOMES))
PER_DAY_SQL = """
select site, substr(published, 1, 10) as day, count(*) as n
from articles
where substr(published, 1, 10) between :start and :end
group by site, day
"""
NEWEST_DAY_SQL = """
select max(substr(published, 1, 10)) from articles
where published glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
  and substr(published, 1, 10) <= :today
"""
HEALTH_CUTOFF_SQL = "select started from crawls order by id desc limit 1 offset :offset"
HEALTH_SQL = """
with usual as (
  select site, avg(coalesce(word_count, 0)) as words from articles
  where fetched_at < :cutoff group by site
)
select articles.site as site,
  articles.fetched_at >= :cutoff as recent,
  count(*) as articles,
  sum(coalesce(articles.published, '') = '') as no_date,
  sum(coalesce(articles.author, '') = '') as no_author,
  sum(coalesce(articles.word_count, 0) < :short_words) as short_text,
  sum(usual.words is not null
      and coalesce(articles.word_count, 0) < :drop_ratio * usual.words) as dropped
from articles left join usual on usual.site = articles.site
group by articles.site, recent
"""


# -- the chosen period ------------------------------------------------------------------------


def parse_day(value: str | None) -> date | None:
    """A ``YYYY-MM-DD`` day, or None for anything else."""
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def chart_period(start: str | None, end: str | None, newest: str | None,
                 today: date) -> tuple[date, date, str | None]:
    """The period to chart: what was asked when it makes sense, otherwise the
    :data:`DEFAULT_DAYS` up to the archive's newest publication day; with a note
    for the reader when what was asked could not be used."""
    last = parse_day(end) or parse_day(newest) or today
    first = parse_day(start) or last - timedelta(days=DEFAULT_DAYS - 1)
    note = None
    if (start and not parse_day(start)) or (end and not parse_day(end)):
        note = "Dates are written YYYY-MM-DD; the default period is shown instead."
        last = parse_day(newest) or today
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        first, last = last, first
    if (last - first).days + 1 > MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS - 1)
        note = f"The chart shows at most {MAX_DAYS} days: the last {MAX_DAYS} of the period."
    return first, last, note


def presets(last: date) -> list[tuple[int, str, str]]:
    """The one-click periods: (days, first day, last day)."""
    return [(days, (last - timedelta(days=days - 1)).isoformat(), last.isoformat())
            for days in PRESET_DAYS]


# -- the chart --------------------------------------------------------------------------------


@dataclass
class Bar:
    day: str
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class SiteChart:
    site: str
    total: int
    peak: int
    bars: list[Bar] = field(default_factory=list)


def day_charts(rows: Iterable[Mapping[str, Any]], first: date, last: date) -> list[SiteChart]:
    """One chart per site with one bar per day of the period (a day without articles has a
    bar of height 0), bar heights scaled to the site's busiest day."""
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["site"], {})[row["day"]] = int(row["n"])
    days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    width = CHART_WIDTH / len(days)
    charts = []
    for site in sorted(counts, key=lambda s: (-sum(counts[s].values()), s)):
        per_day = counts[site]
        peak = max(per_day.values())
        chart = SiteChart(site, sum(per_day.values()), peak)
        for n, day in enumerate(days):
            count = per_day.get(day, 0)
            height = CHART_HEIGHT * count / peak if peak else 0.0
            chart.bars.append(Bar(day, count, round(n * width, 2), round(CHART_HEIGHT - height, 2),
                                  round(max(width * 0.8, 0.5), 2), round(height, 2)))
        charts.append(chart)
    return charts


# -- extraction health ------------------------------------------------------------------------


@dataclass
class SiteHealth:
    site: str
    recent: int
    usual: int
    #: measure -> (recent share, usual share or None when there is nothing to compare with)
    shares: dict[str, tuple[float, float | None]]
    warnings: list[str]


def site_health(rows: Iterable[Mapping[str, Any]], jump: float) -> list[SiteHealth]:
    """Per site, the share of each measure among recent and usual articles, and a warning
    for each measure whose recent share is ``jump`` or more above the usual one."""
    groups: dict[str, dict[bool, Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["site"], {})[bool(row["recent"])] = row
    report = []
    for site in sorted(groups):
        recent, usual = groups[site].get(True), groups[site].get(False)
        n_recent = int(recent["articles"]) if recent else 0
        n_usual = int(usual["articles"]) if usual else 0
        shares: dict[str, tuple[float, float | None]] = {}
        warnings = []
        for measure, words in MEASURES.items():
            now = int(recent[measure] or 0) / n_recent if n_recent else 0.0
            before = int(usual[measure] or 0) / n_usual if n_usual else None
            shares[measure] = (now, before)
            compared = n_recent >= MIN_COMPARED and n_usual >= MIN_COMPARED
            if compared and before is not None and now - before >= jump:
                warnings.append(f"{words}: {now:.0%} of the latest articles, usually {before:.0%}")
        report.append(SiteHealth(site, n_recent, n_usual, shares, warnings))
    return report


# -- the hook ---------------------------------------------------------------------------------


def settings(datasette: Any) -> dict[str, Any]:
    config = datasette.plugin_config("news-archive") or {}
    return {name: type(default)(config.get(name, default)) for name, default in DEFAULTS.items()}


async def front_page(datasette: Any, database: str, request: Any) -> dict[str, Any]:
    """Everything the front page of the archive ``database`` shows."""
    db = datasette.get_database(database)
    if not {"articles", "crawls", "fetches"} <= set(await db.table_names()):
        return {}
    config = settings(datasette)
    crawls = [dict(r) for r in await db.execute(CRAWLS_SQL, {"limit": RECENT_CRAWLS})]
    latest = crawls[0] if crawls else None
    sites = []
    for row in await db.execute(SITES_SQL):
        site = dict(row)
        crawl = (await db.execute("select * from crawls where id = ?", [site["crawl_id"]])).first()
        site["crawl"] = dict(crawl) if crawl else None
        site["missed_latest"] = bool(latest and crawl and crawl["id"] != latest["id"])
        if crawl:
            counts = (await db.execute(SITE_CRAWL_SQL, {
                "site": site["site"], "started": crawl["started"], "crawl_id": crawl["id"],
                "http": f"http://{site['site']}/%", "https": f"https://{site['site']}/%",
            })).first()
            site.update(new_articles=counts["new_articles"], errors=counts["errors"])
        sites.append(site)

    today = date.today()
    newest = (await db.execute(NEWEST_DAY_SQL, {"today": today.isoformat()})).single_value()
    args = request.args if request else {}
    first, last, note = chart_period(args.get("from"), args.get("to"), newest, today)
    per_day = await db.execute(PER_DAY_SQL, {"start": first.isoformat(), "end": last.isoformat()})
    cutoff = (await db.execute(
        HEALTH_CUTOFF_SQL, {"offset": max(config["health_crawls"], 1) - 1})).first()
    health_rows = await db.execute(HEALTH_SQL, {
        "cutoff": cutoff["started"] if cutoff else "",
        "short_words": config["short_words"], "drop_ratio": config["drop_ratio"],
    })
    health = site_health(health_rows, config["health_jump"])
    filters = {
        "sites": [r["site"] for r in sites],
        "languages": [r[0] for r in await db.execute(
            "select distinct language from articles where language != '' order by language")],
    }
    return {
        "front": {
            "sites": sites,
            "crawls": crawls,
            "charts": day_charts(per_day, first, last),
            "period": {"from": first.isoformat(), "to": last.isoformat(), "note": note,
                       "days": (last - first).days + 1,
                       "presets": presets(parse_day(newest) or today)},
            "health": health,
            "health_crawls": config["health_crawls"],
            "warnings": [(h.site, w) for h in health for w in h.warnings],
            "filters": filters,
            "measures": MEASURES,
            "chart_size": (CHART_WIDTH, CHART_HEIGHT),
        }
    }


@hookimpl
def extra_template_vars(template: str, database: str | None, request: Any,
                        datasette: Any) -> Any:
    if template != "database.html" or not database:
        return None

    async def inner() -> dict[str, Any]:
        return await front_page(datasette, database, request)

    return inner
