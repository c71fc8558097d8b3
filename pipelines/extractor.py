"""Which extractor produced an article's text: the identity each article row records.

Extraction keeps improving, so a text is only comparable with another produced by the same
extractor. The identity names the versions of news-archiver and trafilatura and a hash of
the settings that change what extraction keeps (:data:`EXTRACTION_SETTINGS`), e.g.
``news-archiver 0.1.0; trafilatura 2.3.1; settings 3f9c0a1b2c4d``. ``scrapy reextract``
(pipelines/reextract.py) stamps it on the rows it re-extracts, a crawl on the rows it stores.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from typing import Any

#: Settings that change what extraction keeps of a page, with how to read each one.
EXTRACTION_SETTINGS = {
    "ARCHIVE_BOILERPLATE_MIN_PAGES": "getint",
    "ARCHIVE_BOILERPLATE_MIN_SHARE": "getfloat",
}


@functools.cache
def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def extraction_settings(settings: Any) -> dict[str, Any]:
    """The extraction settings' values (a Scrapy ``Settings``), typed."""
    return {name: getattr(settings, how)(name) for name, how in EXTRACTION_SETTINGS.items()}


def extractor_identity(settings: Any) -> str:
    """The identity of the extractor these settings make."""
    values = json.dumps(extraction_settings(settings), sort_keys=True)
    digest = hashlib.sha256(values.encode("utf-8")).hexdigest()[:12]
    return (f"news-archiver {_version('news-archiver')}; "
            f"trafilatura {_version('trafilatura')}; settings {digest}")
