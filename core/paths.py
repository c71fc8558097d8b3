"""Where relative paths in settings point: the project root, wherever scrapy runs from."""

from __future__ import annotations

from pathlib import Path

from scrapy.utils.conf import closest_scrapy_cfg


def project_path(setting: str) -> Path:
    """A path setting (``ARCHIVE_DB``, ``ARCHIVE_SITES_FILE``) made absolute.

    A relative path is taken from the directory holding ``scrapy.cfg`` (the project root),
    so ``scrapy crawl`` from a subdirectory or from cron writes the same archive.
    """
    path = Path(setting).expanduser()
    if path.is_absolute():
        return path
    cfg = closest_scrapy_cfg()
    return (Path(cfg).parent if cfg else Path.cwd()) / path
