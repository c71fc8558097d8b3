"""When an article was published and last modified: each date with its source and a confidence.

A wrong date silently corrupts every per-day chart, so a date is taken only from what the
page says (never the fetch time), each one is checked (:func:`sane_dates`), and the archive
records where it came from and how far it can be trusted:

- sources, in order: JSON-LD (``json-ld``), meta tags (``meta:<name>``), a ``<time>`` element
  of the article (``time``), a date written in the byline area in the page's language
  (``text``: "12. März 2025", "le 3 février 2025", "Nov 18, 2019"), the URL (``url``), a
  relative date ("3 hours ago", "vor 2 Stunden") resolved against the fetch time
  (``text-relative``), and last trafilatura's guess (``trafilatura``);
- confidence: ``high`` when two independent kinds of source (declared, visible, URL) agree on
  the day, ``medium`` for one declared or visible date, ``low`` for the URL, a relative date or
  a guess.

Two rules make the dates worth comparing between versions of an article (pipelines.history):
a date more than :data:`FUTURE_SLACK` after the fetch is a parse error (a day-month swap, a
wrong year), not a date, and is not stored (:func:`sane_dates` during extraction,
:func:`vet_dates` again on the archive row); and the fetch time is never used in place of a
missing publication date: the date stays null, and ``sources`` says none was found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import islice

from lxml.html import HtmlElement

from pipelines import bylines
from pipelines import metadata as md

#: How far after the fetch a page's date may be (time zones, clocks) before it is rejected.
FUTURE_SLACK = timedelta(days=1)
#: ``sources`` value of a date the page does not give.
NOT_FOUND = "none found (the fetch time is not used)"
HIGH, MEDIUM, LOW = "high", "medium", "low"

_PUBLISHED_METAS = (
    "article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created",
    "dc.date.created", "pubdate", "publishdate", "publish-date", "publish_date",
    "article.published", "date", "og:published_time", "article:published",
)
_MODIFIED_METAS = (
    "article:modified_time", "og:updated_time", "datemodified", "dc.date.modified",
    "dcterms.modified", "last-modified", "article:modified",
)
# what declares a date to be an update rather than the publication
_UPDATE_WORDS = re.compile(
    r"\b(?:updated?|aktualisiert|editiert|ge[äa]ndert|mis à jour|modifi[ée]|actualizad[oa]|"
    r"aggiornat[oa]|last modified|zuletzt)\b",
    re.IGNORECASE,
)
# elements whose class, itemprop or id speaks of dates or bylines: the places dates are shown
_DATE_WORDS = ("date", "time", "publi", "posted", "datum", "fecha", "data", "byline", "author",
               "meta", "stamp", "zeit")
# (as written or capitalised: "date" finds "post-date" and "postDate", not "DATE")
_DATE_CLASS = re.compile(
    "|".join(re.escape(w) for w in (*_DATE_WORDS, *(w.capitalize() for w in _DATE_WORDS)))
)
# the first headline and the date-like elements (<time>, an itemprop or a class that says
# so) are found in document order by one pass (bylines.BylineArea.marked: the
# preceding/following axes cost far more)
_HEADLINE_AND_TIME = frozenset({"h1", "time"})


def _marks_a_date(name: str, value: str) -> bool:
    if name == "class":
        return _DATE_CLASS.search(value) is not None
    return name == "itemprop" and "date" in value


_BYLINE_MARKUP = re.compile(r"author|byline", re.IGNORECASE)
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|-|\.|$)|"
    r"/((?:19|20)\d{2})(0[1-9]|1[0-2])([0-3]\d)/"
)
_ISO = re.compile(r"\b((?:19|20)\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?!\d)")
_NUMERIC = re.compile(r"\b(\d{1,2})([./])(\d{1,2})\2((?:19|20)?\d{2})\b")
_WORD = r"([^\W\d_]{3,12})\.?"
_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+)?" + _WORD
    + r",?\s+(?:de\s+)?((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    r"\b" + _WORD + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})\b", re.IGNORECASE
)
_RELATIVE = re.compile(
    r"(?:(?P<n1>\d+|an?|one)\s+(?P<u1>min|minute|hour|hr|day|week)s?\s+ago|"
    r"vor\s+(?P<n2>\d+|einer|einem)\s+(?P<u2>minute|stunde|tag|woche)(?:n|en)?|"
    r"il\s+y\s+a\s+(?P<n3>\d+|une?)\s+(?P<u3>minute|heure|jour|semaine)s?|"
    r"hace\s+(?P<n4>\d+|una?)\s+(?P<u4>minuto|hora|d[ií]a|semana)s?|"
    r"(?P<n5>\d+|una?)\s+(?P<u5>minut|or|giorn|settiman)[aeio]\s+fa)",
    re.IGNORECASE,
)
_UNITS = {
    "min": 1 / 60, "minute": 1 / 60, "minuto": 1 / 60, "minut": 1 / 60, "hour": 1, "hr": 1,
    "stunde": 1, "heure": 1, "hora": 1, "or": 1, "day": 24, "tag": 24, "jour": 24, "día": 24,
    "dia": 24, "giorn": 24, "week": 168, "woche": 168, "semaine": 168, "semana": 168,
    "settiman": 168,
}
_DAY_WORD = re.compile(
    r"\b(yesterday|gestern|hier|ayer|ieri|today|heute|aujourd'hui|hoy|oggi)\b", re.IGNORECASE
)
_TODAY = frozenset({"today", "heute", "aujourd'hui", "hoy", "oggi"})
_MONTH_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl")


@dataclass
class FoundDate:
    value: str  # ISO 8601 date or datetime
    source: str
    confidence: str = MEDIUM


@dataclass
class PageDates:
    published: FoundDate | None = None
    modified: FoundDate | None = None
    notes: list[str] = field(default_factory=list)


def find_dates(
    tree: HtmlElement,
    decl: md.Declarations,
    url: str = "",
    language: str | None = None,
    fetched_at: str | None = None,
    guess: Callable[[], str | None] | None = None,
    area: bylines.BylineArea | None = None,
) -> PageDates:
    """Published and modified dates of a page (``guess``: a last-resort guesser, e.g.
    trafilatura's), checked by :func:`sane_dates` against each other and the fetch time.
    ``area``: the page's :class:`pipelines.bylines.BylineArea` when the caller shares it
    with the credits."""
    fetched = _parse(fetched_at) if fetched_at else None
    area = area or bylines.BylineArea(tree)
    # the first dozen are enough: the byline area comes first, teasers and footers later
    visible = list(islice(_visible_dates(area, language, fetched), 12))
    url_date = date_in_url(url)
    shown = [d for d, is_update in visible if not is_update and d.source != "time-modified"]
    published_candidates = [
        *_declared(decl, "datePublished", _PUBLISHED_METAS),
        *[d for d in shown if d.source != "text-relative"],
        *([FoundDate(url_date, "url", LOW)] if url_date else []),
        # "3 hours ago": only when nothing better exists
        *[d for d in shown if d.source == "text-relative"],
    ]
    modified_candidates = [
        *_declared(decl, "dateModified", _MODIFIED_METAS),
        *[FoundDate(d.value, "time" if d.source.startswith("time") else d.source, d.confidence)
          for d, is_update in visible if is_update],
    ]
    result = PageDates()
    modified = modified_candidates[0] if modified_candidates else None
    for candidate in published_candidates:
        if modified is not None and _scheduled(candidate, modified, published_candidates):
            # a post written, then scheduled: WordPress keeps the writing time as "modified"
            result.notes.append(
                f"modified {modified.value} rejected: before published {candidate.value},"
                " which the page also shows"
            )
            modified = None
        kept, kept_modified, notes = sane_dates(
            candidate.value, modified.value if modified else None, fetched_at
        )
        result.notes += [f"{n} ({candidate.source})" for n in notes]
        if kept_modified is None:
            modified = None
        if kept:
            result.published = candidate
            break
    if result.published is None and guess is not None:
        value = md.normalize_date(guess())
        if value:
            kept, _, notes = sane_dates(value, modified.value if modified else None, fetched_at)
            result.notes += [f"{n} (trafilatura)" for n in notes]
            if kept:
                result.published = FoundDate(kept, "trafilatura", LOW)
    if modified is not None:
        _, kept_modified, notes = sane_dates(None, modified.value, fetched_at)
        result.notes += notes
        result.modified = modified if kept_modified else None
    if result.published is not None:
        result.published.confidence = _confidence(result.published, published_candidates)
    return result


def sane_dates(
    published: str | None, modified: str | None, fetched_at: str | None
) -> tuple[str | None, str | None, list[str]]:
    """``(published, modified, notes)``: a date more than a day after the fetch (the current
    time when ``fetched_at`` is None) is rejected, and so is a published date after the
    modified one; each rejection is said in ``notes``. Nothing is ever filled in."""
    notes: list[str] = []
    limit = (_parse(fetched_at) if fetched_at else None) or datetime.now(UTC)
    limit = limit + FUTURE_SLACK
    for name, value in (("published", published), ("modified", modified)):
        moment = _parse(value) if value else None
        if value and moment is None:
            notes.append(f"{name} {value} rejected: not a date")
        elif moment is not None and moment > limit:
            notes.append(f"{name} {value} rejected: more than a day after the fetch")
        else:
            continue
        if name == "published":
            published = None
        else:
            modified = None
    first = _parse(published) if published else None
    last = _parse(modified) if modified else None
    if first is not None and last is not None and _later(first, last, published, modified):
        notes.append(f"published {published} rejected: after modified {modified}")
        published = None
    return published, modified, notes


def vet_dates(dates: dict[str, str | None], sources: dict[str, str], fetched_at: str
              ) -> dict[str, str | None]:
    """``dates`` (published, modified) without those too far after ``fetched_at``; records
    in ``sources`` (changed in place) what was rejected and what was not found."""
    fetched = _parse(fetched_at) if fetched_at else None
    kept: dict[str, str | None] = {}
    for name, value in dates.items():
        when = _parse(value) if value else None
        if value and when is not None and fetched is not None and when > fetched + FUTURE_SLACK:
            source = sources.get(name, "page")
            sources[name] = f"rejected: {value} from {source} is more than a day after the fetch"
            kept[name] = None
        elif not value:
            if name == "published":
                sources[name] = NOT_FOUND
            kept[name] = None
        else:
            kept[name] = value
    return kept


def date_in_url(url: str) -> str | None:
    """ "/2019/11/18/slug" or "/20191118/" -> "2019-11-18"."""
    match = _URL_DATE.search(url)
    if not match:
        return None
    year, month, day = (g for g in match.groups() if g is not None)
    return _iso(int(year), int(month), int(day))


def parse_visible_date(
    text: str, language: str | None = None, fetched: datetime | None = None
) -> tuple[str, bool] | None:
    """The first date written in ``text`` as ``(ISO date, is_relative)``.

    "12. März 2025", "le 3 février 2025", "Nov 18, 2019", "18.11.2019", "2019-11-18";
    "3 hours ago", "vor 2 Tagen", "il y a 3 heures" only with ``fetched`` (they are resolved
    against the fetch time, and said to be relative).
    """
    found: list[tuple[int, str]] = []
    for match in _ISO.finditer(text):
        found.append((match.start(), _iso(*map(int, match.groups())) or ""))
    for match in _DAY_MONTH_YEAR.finditer(text):
        month = month_number(match.group(2), language)
        if month:
            day = _iso(int(match.group(3)), month, int(match.group(1)))
            found.append((match.start(), day or ""))
    for match in _MONTH_DAY_YEAR.finditer(text):
        month = month_number(match.group(1), language)
        if month:
            day = _iso(int(match.group(3)), month, int(match.group(2)))
            found.append((match.start(), day or ""))
    for match in _NUMERIC.finditer(text):
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        year = year + 2000 if year < 100 else year
        month_first = match.group(2) == "/" and (language or "").startswith("en") and second <= 31
        if first > 12:
            month_first = False
        day, month = (second, first) if month_first else (first, second)
        found.append((match.start(), _iso(year, month, day) or ""))
    found = [f for f in found if f[1]]
    if found:
        return min(found)[1], False
    if fetched is not None:
        relative = _RELATIVE.search(text)
        if relative:
            number = next(relative.group(f"n{i}") for i in range(1, 6) if relative.group(f"n{i}"))
            unit = next(relative.group(f"u{i}") for i in range(1, 6) if relative.group(f"u{i}"))
            count = int(number) if number.isdigit() else 1
            hours = count * _UNITS.get(unit.lower(), 24)
            return (fetched - timedelta(hours=hours)).date().isoformat(), True
        word = _DAY_WORD.search(text)
        if word:
            back = 0 if word.group(1).lower() in _TODAY else 1
            return (fetched - timedelta(days=back)).date().isoformat(), True
    return None


def month_number(word: str, language: str | None = None) -> int | None:
    """ "März", "février", "Nov", "mayo" -> month number (the page's language first)."""
    word = word.lower().rstrip(".")
    for lang in ((language,) if language else ()) + _MONTH_LANGUAGES:
        month = _month_names(lang).get(word)
        if month:
            return month
    return None


# --- internals ----------------------------------------------------------------------------------


@cache
def _month_names(language: str) -> dict[str, int]:
    """Month names and abbreviations of a language, from dateparser's locale data."""
    from dateparser.languages.loader import default_loader

    try:
        info = default_loader.get_locale(language).info
    except (ValueError, KeyError):
        return {}
    months = ("january", "february", "march", "april", "may", "june", "july", "august",
              "september", "october", "november", "december")
    names: dict[str, int] = {}
    for number, key in enumerate(months, start=1):
        for name in info.get(key, []):
            names.setdefault(name.lower().rstrip("."), number)
    return names


def _declared(decl: md.Declarations, jsonld_key: str, metas: tuple[str, ...]) -> list[FoundDate]:
    """Declared dates: the Open Graph article meta first (as before), JSON-LD, other metas."""
    found = []
    for key in metas:
        for raw in decl.meta_all(key):
            value = md.normalize_date(raw)
            if value:
                found.append(FoundDate(value, f"meta:{key}"))
                break
    value = md.normalize_date(md.jsonld_field(decl, jsonld_key))
    if value:
        found.insert(1 if found and found[0].source == f"meta:{metas[0]}" else 0,
                     FoundDate(value, "json-ld"))
    return found


def _visible_dates(
    area: bylines.BylineArea, language: str | None, fetched: datetime | None
) -> Iterator[tuple[FoundDate, bool]]:
    """Dates of ``<time>`` elements and of date-like markup, in the article's byline area
    first (after the headline), outside comments and teasers; ``True`` marks an update."""
    found = area.marked(_marks_a_date, _HEADLINE_AND_TIME)
    h1 = next((e for e in found if e.tag == "h1"), None)
    if h1 is not None:
        at = found.index(h1)
        # the byline area first: the 60 nearest after the headline, then the 20 before it
        after_h1, before_h1 = found[at + 1:at + 61], found[max(0, at - 20):at]
        after_h1 += area.lines[:5]
    else:
        after_h1, before_h1 = found[:60], []
    relative: list[tuple[FoundDate, bool]] = []
    for elem in after_h1 + before_h1:
        if elem.tag in ("html", "body", "article", "main", "section", "script", "style", "meta"):
            continue
        if area.outside(elem):
            continue
        text = " ".join((elem.text_content() or "").split())
        label = f"{elem.get('class') or ''} {elem.get('itemprop') or ''}"
        is_update = bool(_UPDATE_WORDS.search(text[:40]) or re.search(
            r"modif|updat|aktualis", label, re.IGNORECASE))
        if elem.tag != "time" and elem.find(".//time[@datetime]") is not None:
            continue  # the <time> inside says it with the time of day
        datetime_attr = elem.get("datetime") if elem.tag == "time" else None
        value = md.normalize_date(datetime_attr) if datetime_attr else None
        if value:
            yield FoundDate(value, "time-modified" if is_update else "time"), is_update
            continue
        if not text or len(text) > 200:
            continue
        parsed = parse_visible_date(text, language, fetched)
        if parsed is None and _BYLINE_MARKUP.search(label):
            parsed = _date_beside(elem, language)
        if parsed:
            value, is_relative = parsed
            found = FoundDate(value, "text-relative" if is_relative else "text",
                              LOW if is_relative else MEDIUM)
            if is_relative:
                relative.append((found, is_update))  # only when nothing better exists
            else:
                yield found, is_update
    yield from relative


def _scheduled(published: FoundDate, modified: FoundDate, candidates: list[FoundDate]) -> bool:
    """Published after modified, and the published day is shown on the page as well as
    declared (two kinds of source agree): then the modified date is the one in doubt."""
    first, last = _parse(published.value), _parse(modified.value)
    if first is None or last is None or not _later(first, last, published.value, modified.value):
        return False
    kinds = {_kind(c.source) for c in candidates if c.value[:10] == published.value[:10]}
    return len(kinds) > 1


def _date_beside(elem: HtmlElement, language: str | None) -> tuple[str, bool] | None:
    """A date in the line that holds a byline element, up to three levels up:
    "<p>Von <a class=author>Moritz Bachmann</a> <span>publiziert am 30. Juli 2018</span></p>"."""
    node = elem.getparent()
    for _ in range(3):
        if node is None:
            return None
        around = " ".join((node.text_content() or "").split())
        if len(around) > 200:
            return None
        parsed = parse_visible_date(around, language, None)
        if parsed:
            return parsed
        node = node.getparent()
    return None


def _confidence(chosen: FoundDate, candidates: list[FoundDate]) -> str:
    if chosen.source in ("url", "text-relative", "trafilatura"):
        return LOW
    kinds = {_kind(c.source) for c in candidates if c.value[:10] == chosen.value[:10]}
    return HIGH if len(kinds) > 1 else MEDIUM


def _kind(source: str) -> str:
    if source.startswith(("json-ld", "meta")):
        return "declared"
    if source.startswith(("time", "text")):
        return "visible"
    return source


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat() if 1900 <= year <= 2100 else None
    except ValueError:
        return None


def _parse(value: str) -> datetime | None:
    """An ISO date or datetime as an aware datetime (naive ones taken as UTC)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except (TypeError, ValueError, AttributeError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _later(first: datetime, last: datetime, published: str | None, modified: str | None) -> bool:
    """Published after modified: compared as instants when both carry a time, else by day."""
    if published and modified and "T" in published and "T" in modified:
        return first > last
    return first.date() > last.date()
