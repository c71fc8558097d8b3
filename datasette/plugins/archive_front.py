"""Datasette plugin: the front page of a news archive (its database page).

What a reader wants at a glance, computed here and drawn by ``datasette/templates/_front.html``:
per site, the articles archived, the crawl that last saw the site and how it went; a chart of
articles per day and site over a chosen period (``?from=YYYY-MM-DD&to=YYYY-MM-DD``, one bar per
day, per week beyond 92 days, drawn as SVG on the server: no script, no network); extraction
health per site with a
warning when a share jumps; the recent crawl runs.

Extraction health compares the articles fetched by the last ``health_crawls`` crawls of the
archive ("recent") with the site's ``health_sample`` articles archived before them ("usual"): the
share with no date, with no author, with very short text, and with text under ``drop_ratio`` of
the site's usual length. A recent share ``health_jump`` (a fraction) above the usual one is what
a broken template looks like. Settings: the ``news-archive`` plugin section of metadata.yml.

Every query reads an index or a bounded number of rows (the recent crawls' fetches, a sample per
site), never the whole ``articles`` table: its rows hold the texts, and a page must stay within
Datasette's time limit on an archive of millions of articles (benchmarks/bench_browse.py,
benchmarks/bench_archive.py). The counts come from tables the writer keeps current
(``article_counts`` per site, ``article_days`` per day and site: pipelines/store.py), with a
fallback that counts the articles for an archive not yet migrated. A section that still runs
out of time says so instead of failing the page.

The functions below the SQL are plain (rows in, plain values out), unit-tested without Datasette.
"""

# No ``from __future__ import annotations``: Datasette runs a plugin file outside sys.modules,
# where dataclasses cannot resolve string annotations.
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from datasette.database import QueryInterrupted
from datasette.hookspecs import hookimpl
from markupsafe import Markup, escape

from core.outcomes import ERROR_OUTCOMES

#: Days shown by default (ending at the newest publication day of the archive).
DEFAULT_DAYS = 90
#: Periods offered in one click (days, ending at the newest publication day).
PRESET_DAYS = (7, 30, 90, 365)
#: Longest period the chart draws.
MAX_DAYS = 400
#: Longest period drawn with one bar per day; a longer one has one bar per week (from the
#: period's first day): a year of days is 365 bars of 1.6 units in an SVG 600 units wide,
#: thinner than the screen's pixels, and 7,300 ``<rect>`` for twenty sites.
DAILY_DAYS = 92
#: Crawl runs listed on the front page.
RECENT_CRAWLS = 10
#: Fewest articles in each of "recent" and "usual" for a share to be compared.
MIN_COMPARED = 3
#: Drawing box of one site's chart (SVG user units; the SVG scales to the page's width).
CHART_WIDTH, CHART_HEIGHT = 600.0, 100.0

DEFAULTS = {"health_crawls": 3, "health_jump": 0.25, "short_words": 80, "drop_ratio": 0.5,
            "health_sample": 200}
#: How many recent crawls are searched for the one that last fetched each site.
SITE_CRAWLS = 20
#: The health measures, in the order shown, with the words a warning uses.
MEASURES = {
    "no_date": "no date",
    "no_author": "no author",
    "short_text": "very short text",
    "dropped": "text much shorter than usual",
}

#: Per site: articles (the writer's counts, ``article_counts``) and the newest name it gave.
SITES_SQL = """
select value as site, articles,
  (select site_name from articles as named where named.site = counted.value
   order by published desc limit 1) as site_name
from article_counts as counted where facet = 'site' order by articles desc, site
"""
#: The same counted on the (site, published) index, for an archive without article_counts.
SITES_COUNTED_SQL = """
select site, count(*) as articles,
  (select site_name from articles as named where named.site = counted.site
   order by published desc limit 1) as site_name
from articles as counted group by site order by articles desc, site
"""
#: The languages of the archive (from the writer's counts when there are).
LANGUAGES_SQL = ("select value from article_counts where facet = 'language' and value != '' "
                 "order by value")
LANGUAGES_COUNTED_SQL = ("select distinct language from articles where language != '' "
                         "order by language")
CRAWLS_SQL = """
select id, started, finished, status, pages, articles_new, articles_updated,
       articles_unchanged, not_articles, errors
from crawls order by id desc limit :limit
"""
#: One crawl's fetches and errors per site (the URL's host, as core.urls.host gives it).
CRAWL_SITES_SQL = """
with f as (
  select substr(url, instr(url, '://') + 3) as rest, outcome from fetches where crawl_id = :crawl_id
), h as (
  select substr(rest, 1, instr(rest || '/', '/') - 1) as hostport, outcome from f
)
select lower(substr(hostport, 1, instr(hostport || ':', ':') - 1)) as site,
  count(*) as fetches,
  sum(outcome like 'http^_%' escape '^' or outcome in ({errors})) as errors
from h group by site
""".format(errors=", ".join(f"'{name}'" for name in ERROR_OUTCOMES))
#: Articles per site and day: the writer's counts (``article_days``, migration
#: m040_front_day_counts), a range of their primary key.
PER_DAY_SQL = """
select site, day, articles as n from article_days
where day >= :start and day < :after
"""
NEWEST_DAY_SQL = """
select max(day) from article_days where day >= '1000' and day < :tomorrow
"""
#: The same counted from the articles (an archive without article_days), on the published index.
PER_DAY_COUNTED_SQL = """
select site, substr(published, 1, 10) as day, count(*) as n
from articles
where published >= :start and published < :after
group by site, day
"""
NEWEST_DAY_COUNTED_SQL = """
select substr(max(published), 1, 10) from articles
where published >= '1000' and published < :tomorrow
"""
#: Most articles taken as "recent" (the latest fetches of the recent crawls): a crawl that
#: fetched a whole big archive again must not make the front page read all of it.
RECENT_LIMIT = 5000
#: The articles the recent crawls fetched (one primary-key lookup per fetched URL).
RECENT_SQL = f"""
select rowid, site, published, author, word_count from articles
where url in (select url from fetches where crawl_id >= :first_crawl
              order by id desc limit {RECENT_LIMIT})
"""
#: A site's latest articles, newest archived first, but for the recent ones (a JSON array of
#: their rowids): the rowid is in the index entry, so a recent article is skipped before its
#: row is read, and only ``limit`` rows are read (their word count lies past the text).
SAMPLE_SQL = """
select rowid, site, published, author, word_count from articles
where site = :site and rowid not in (select value from json_each(:recent))
order by rowid desc limit :limit
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


def next_day(day: date) -> str:
    return (day + timedelta(days=1)).isoformat()


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
    #: The bar's last day (its ``day`` when a bar is one day).
    last_day: str = ""


@dataclass
class SiteChart:
    site: str
    total: int
    peak: int
    bars: list[Bar] = field(default_factory=list)


def bar_days(first: date, last: date) -> int:
    """Days per bar: one up to :data:`DAILY_DAYS`, a week beyond."""
    return 1 if (last - first).days + 1 <= DAILY_DAYS else 7


def day_charts(rows: Iterable[Mapping[str, Any]], first: date, last: date,
               step: int = 1) -> list[SiteChart]:
    """One chart per site with one bar per ``step`` days of the period, from its first day (a
    bar without articles has height 0), bar heights scaled to the site's busiest bar. Rows:
    site, day (``YYYY-MM-DD``) and n; the total counts them all."""
    span = (last - first).days + 1
    starts = [first + timedelta(days=n) for n in range(0, span, step)]
    width = CHART_WIDTH / len(starts)
    totals: dict[str, int] = {}
    per_bar: dict[str, list[int]] = {}
    for row in rows:
        site, n = row["site"], int(row["n"])
        totals[site] = totals.get(site, 0) + n
        bars = per_bar.setdefault(site, [0] * len(starts))
        day = parse_day(row["day"]) if len(row["day"] or "") == 10 else None
        if day is not None and first <= day <= last:
            bars[(day - first).days // step] += n
    charts = []
    for site in sorted(totals, key=lambda s: (-totals[s], s)):
        counts = per_bar[site]
        peak = max(counts)
        chart = SiteChart(site, totals[site], peak)
        for n, (start, count) in enumerate(zip(starts, counts, strict=True)):
            height = CHART_HEIGHT * count / peak if peak else 0.0
            end = min(start + timedelta(days=step - 1), last)
            chart.bars.append(Bar(start.isoformat(), count, round(n * width, 2),
                                  round(CHART_HEIGHT - height, 2),
                                  round(max(width * 0.8, 0.5), 2), round(height, 2),
                                  end.isoformat()))
        charts.append(chart)
    return charts


def svg_bars(chart: SiteChart) -> Markup:
    """The ``<rect>`` of each bar of a chart (a day without articles: a 1-unit line at the
    bottom), written here rather than in the template: a quarter of twenty sites is 1,800 bars,
    and Jinja spent more time drawing them than the page spent on its queries."""
    out = []
    for bar in chart.bars:
        day = escape(bar.day)
        days = day if bar.last_day in ("", bar.day) else f"{day} – {escape(bar.last_day)}"
        zero = "" if bar.count else " zero"
        y, height = (bar.y, bar.height) if bar.count else (CHART_HEIGHT - 1, 1)
        out.append(
            f'<rect class="day{zero}" data-date="{day}" data-count="{bar.count}" x="{bar.x}" '
            f'y="{y}" width="{bar.width}" height="{height}"><title>{days}: {bar.count} '
            f'article{"" if bar.count == 1 else "s"}</title></rect>')
    return Markup("".join(out))


# -- extraction health ------------------------------------------------------------------------


@dataclass
class SiteHealth:
    site: str
    recent: int
    usual: int
    #: measure -> (recent share, usual share or None when there is nothing to compare with)
    shares: dict[str, tuple[float, float | None]]
    warnings: list[str]


def flags(row: Mapping[str, Any], short_words: int, usual_words: float | None,
          drop_ratio: float) -> dict[str, bool]:
    """Which of :data:`MEASURES` an article shows."""
    words = int(row["word_count"] or 0)
    return {
        "no_date": not row["published"],
        "no_author": not row["author"],
        "short_text": words < short_words,
        "dropped": usual_words is not None and words < drop_ratio * usual_words,
    }


def site_health(recent: Iterable[Mapping[str, Any]], usual: Iterable[Mapping[str, Any]], *,
                jump: float, short_words: int, drop_ratio: float) -> list[SiteHealth]:
    """Per site, the share of each measure among its recent and its usual articles (rows with
    site, published, author, word_count), and a warning for each measure whose recent share is
    ``jump`` or more above the usual one, when both have :data:`MIN_COMPARED` articles."""
    groups: dict[str, tuple[list, list]] = {}
    for n, rows in enumerate((recent, usual)):
        for row in rows:
            groups.setdefault(row["site"], ([], []))[n].append(row)
    report = []
    for site in sorted(groups):
        now_rows, before_rows = groups[site]
        usual_words = (sum(int(r["word_count"] or 0) for r in before_rows) / len(before_rows)
                       if before_rows else None)
        now_flags = [flags(r, short_words, usual_words, drop_ratio) for r in now_rows]
        before_flags = [flags(r, short_words, usual_words, drop_ratio) for r in before_rows]
        shares: dict[str, tuple[float, float | None]] = {}
        warnings = []
        compared = len(now_rows) >= MIN_COMPARED and len(before_rows) >= MIN_COMPARED
        for measure, words in MEASURES.items():
            now = sum(f[measure] for f in now_flags) / len(now_rows) if now_rows else 0.0
            before = (sum(f[measure] for f in before_flags) / len(before_rows)
                      if before_rows else None)
            shares[measure] = (now, before)
            if compared and before is not None and now - before >= jump:
                warnings.append(f"{words}: {now:.0%} of the latest articles, usually {before:.0%}")
        report.append(SiteHealth(site, len(now_rows), len(before_rows), shares, warnings))
    return report


# -- the hook ---------------------------------------------------------------------------------


def settings(datasette: Any) -> dict[str, Any]:
    config = datasette.plugin_config("news-archive") or {}
    return {name: type(default)(config.get(name, default)) for name, default in DEFAULTS.items()}


async def site_crawls(db: Any, sites: list[str], crawls: list[dict[str, Any]]
                      ) -> dict[str, dict[str, Any]]:
    """Per site, the newest crawl that fetched it, with the site's fetches and errors in it."""
    found: dict[str, dict[str, Any]] = {}
    for crawl in crawls:
        for row in await db.execute(CRAWL_SITES_SQL, {"crawl_id": crawl["id"]}):
            if row["site"] in sites and row["site"] not in found:
                found[row["site"]] = {"crawl": crawl, "fetches": row["fetches"],
                                      "errors": row["errors"]}
        if len(found) == len(sites):
            break
    return found


async def health(db: Any, crawls: list[dict[str, Any]], sites: list[str],
                 config: Mapping[str, Any]) -> list[SiteHealth]:
    """Extraction health of the articles of the last ``health_crawls`` crawls."""
    recent_crawls = crawls[:max(config["health_crawls"], 1)]
    if not recent_crawls:
        return []
    recent = [dict(r) for r in await db.execute(
        RECENT_SQL, {"first_crawl": recent_crawls[-1]["id"]})]
    recent_per_site: dict[str, list[int]] = {}
    for row in recent:
        recent_per_site.setdefault(row["site"], []).append(row["rowid"])
    usual = []
    for site in sites:
        usual += await db.execute(SAMPLE_SQL, {
            "site": site, "limit": config["health_sample"],
            "recent": json.dumps(recent_per_site.get(site, []))})
    return site_health(recent, usual, jump=config["health_jump"],
                       short_words=config["short_words"], drop_ratio=config["drop_ratio"])


async def front_page(datasette: Any, database: str, request: Any) -> dict[str, Any]:
    """Everything the front page of the archive ``database`` shows; a section whose queries
    ran out of Datasette's time is None, and listed in ``too_slow``."""
    db = datasette.get_database(database)
    tables = set(await db.table_names())
    if not {"articles", "crawls", "fetches"} <= tables:
        return {}
    config = settings(datasette)
    args = request.args if request else {}
    today = date.today()
    too_slow: list[str] = []

    async def section(name: str, compute: Any) -> Any:
        try:
            return await compute()
        except QueryInterrupted:
            too_slow.append(name)
            return None

    counted = "article_counts" in tables

    async def sites_section() -> list[dict[str, Any]]:
        sites = [dict(r) for r in await db.execute(SITES_SQL if counted else SITES_COUNTED_SQL)]
        crawls = [dict(r) for r in await db.execute(CRAWLS_SQL, {"limit": SITE_CRAWLS})]
        last = await site_crawls(db, [s["site"] for s in sites], crawls)
        for site in sites:
            site.update(last.get(site["site"]) or {"crawl": None})
            site["missed_latest"] = bool(crawls and site["crawl"]
                                         and site["crawl"]["id"] != crawls[0]["id"])
        return sites

    days_counted = "article_days" in tables

    async def chart_section() -> dict[str, Any]:
        newest = (await db.execute(NEWEST_DAY_SQL if days_counted else NEWEST_DAY_COUNTED_SQL,
                                   {"tomorrow": next_day(today)})).single_value()
        first, last, note = chart_period(args.get("from"), args.get("to"), newest, today)
        rows = await db.execute(PER_DAY_SQL if days_counted else PER_DAY_COUNTED_SQL,
                                {"start": first.isoformat(), "after": next_day(last)})
        step = bar_days(first, last)
        return {"charts": day_charts(rows, first, last, step), "from": first.isoformat(),
                "to": last.isoformat(), "note": note, "days": (last - first).days + 1,
                "unit": "day" if step == 1 else "week",
                "presets": presets(parse_day(newest) or today)}

    crawls = [dict(r) for r in await db.execute(CRAWLS_SQL, {"limit": RECENT_CRAWLS})]
    sites = await section("sites", sites_section)
    period = await section("articles per day", chart_section)
    site_names = [s["site"] for s in sites] if sites is not None else []
    site_health_ = await section("extraction health",
                                 lambda: health(db, crawls, site_names, config))
    languages = await section("languages", lambda: db.execute(
        LANGUAGES_SQL if counted else LANGUAGES_COUNTED_SQL))
    return {
        "front": {
            "sites": sites,
            "crawls": crawls,
            "period": period,
            "health": site_health_,
            "health_crawls": config["health_crawls"],
            "warnings": [(h.site, w) for h in site_health_ or () for w in h.warnings],
            "filters": {"sites": site_names,
                        "languages": [r[0] for r in languages] if languages else []},
            "measures": MEASURES,
            "chart_size": (CHART_WIDTH, CHART_HEIGHT),
            "svg_bars": svg_bars,
            "too_slow": too_slow,
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
