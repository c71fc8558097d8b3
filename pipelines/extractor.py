"""Which extractor produced an article's text: the identity each article row records.

Extraction keeps improving, so a text is only comparable with another produced by the same
extractor. The identity is :func:`pipelines.history.extractor_identity` (trafilatura's version
and a hash of the project's extraction code) and a hash of the settings that change what
extraction keeps (:data:`EXTRACTION_SETTINGS`), e.g.
``trafilatura 2.3.1+3f2a9c1b0d4e; settings 332f1e4a1d7c``. A crawl stamps it on the articles
it extracts (pipelines/stages.py), ``scrapy reextract`` on the rows it re-extracts; versions
are compared like for like with it (pipelines/history.py).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pipelines.history import extractor_identity as code_identity

#: Settings that change what extraction keeps of a page, with how to read each one.
EXTRACTION_SETTINGS = {
    "ARCHIVE_BOILERPLATE_MIN_PAGES": "getint",
    "ARCHIVE_BOILERPLATE_MIN_SHARE": "getfloat",
}


def extraction_settings(settings: Any) -> dict[str, Any]:
    """The extraction settings' values (a Scrapy ``Settings``), typed."""
    return {name: getattr(settings, how)(name) for name, how in EXTRACTION_SETTINGS.items()}


def extractor_identity(settings: Any) -> str:
    """The identity of the extractor the project's code and these settings make."""
    values = json.dumps(extraction_settings(settings), sort_keys=True)
    digest = hashlib.sha256(values.encode("utf-8")).hexdigest()[:12]
    return f"{code_identity()}; settings {digest}"
