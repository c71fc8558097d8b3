"""Former home of the archive's keys, kept so that old imports work: see :mod:`pipelines.keys`
(content hash) and :mod:`pipelines.article` (the archive row of an extracted page)."""

from pipelines.article import article_from_page
from pipelines.keys import HASHED_FIELDS, article_hash, content_hash

__all__ = ["HASHED_FIELDS", "article_from_page", "article_hash", "content_hash"]
