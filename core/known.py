"""What a re-crawl must know of an archived article, shared by the crawler (which reads it
from the archive, or from Redis in a distributed crawl) and the archive writer (which
publishes it to Redis): one list of fields, so the two sides cannot drift apart."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any


@dataclass
class Known:
    """What the archive holds of a known article for deciding its next fetch (each field is
    the ``articles`` column of that name)."""

    last_seen: str | None
    published: str | None = None
    first_seen: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    listed_dates: str | None = None  # JSON object: listing kind -> the date it gave

    def listed(self) -> dict[str, Any]:
        try:
            value = json.loads(self.listed_dates or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


#: The ``articles`` columns a re-crawl reads, in :class:`Known`'s order.
KNOWN_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(Known))
