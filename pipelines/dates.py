"""An article's dates, vetted against the time it was fetched.

A publication date comes from the page (JSON-LD, meta tags, visible text, the URL) or its
listing (sitemap, feed), and its source is kept in ``articles.sources``. Two rules make the
dates worth comparing between versions:

- a date more than :data:`FUTURE_SLACK` after the fetch is a parse error (a day-month swap,
  a wrong year), not a date: it is not stored, and ``sources`` says what was rejected;
- the fetch time is never used in place of a missing publication date (that would make every
  undated article look published when it was crawled): the date stays null, and ``sources``
  says none was found.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: How far after the fetch a page's date may be (time zones, clocks) before it is rejected.
FUTURE_SLACK = timedelta(days=1)
#: ``sources`` value of a date the page does not give.
NOT_FOUND = "none found (the fetch time is not used)"


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def vet_dates(dates: dict[str, str | None], sources: dict[str, str], fetched_at: str
              ) -> dict[str, str | None]:
    """``dates`` (published, modified) without those too far after ``fetched_at``; records
    in ``sources`` (changed in place) what was rejected and what was not found."""
    fetched = _parse(fetched_at)
    kept: dict[str, str | None] = {}
    for name, value in dates.items():
        when = _parse(value)
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
