"""Article history: what makes a new version of an article, and word-level diffs.

News articles are edited after publication (a headline rewritten, a paragraph corrected, a
byline or a date changed), and that is what people archive news to see. The archive keeps
every distinct content of an article in ``versions`` (:mod:`pipelines.store`); this module
decides, as plain functions, whether a fresh extraction is a new version of the latest one.

A version is a change in what a reader would call the article: its title, byline, dates or
the words of its text. Not a change: whitespace and markup (texts are compared word by word),
a date written another way (``Z`` or ``+00:00``), the site's learnt boilerplate (removed from
both sides before they meet), or a newer extractor (compared only like for like:
:func:`extractor_identity` is stored with each version, and a difference seen through another
extractor is provenance, not history). ``ARCHIVE_MIN_CHANGE_WORDS`` ignores smaller edits of
the text; a changed headline, byline or date always makes a version.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

#: The fields of an article that make a version, headline first (the order diffs show them in).
VERSIONED = ("title", "author", "published", "modified", "text")
DATES = ("published", "modified")

#: Modules of pipelines/ that do not shape what extraction returns: a change to them is not
#: an extractor change. Every other module (new ones included) counts as extraction code.
NOT_EXTRACTION = frozenset({"__init__.py", "store.py", "stages.py", "history.py",
                            "workers.py"})

#: Diff operations: words kept, removed, added.
SAME, REMOVED, ADDED = "=", "-", "+"


@dataclass
class Change:
    """How a new extraction differs from the latest version."""

    changed: list[str] = field(default_factory=list)  # names of VERSIONED fields, in order
    words_added: int = 0
    words_removed: int = 0

    def __bool__(self) -> bool:
        return bool(self.changed)


def words(text: str | None) -> list[str]:
    """The words of a text: whitespace and line breaks do not count."""
    return (text or "").split()


#: The token of a paragraph break in :func:`word_diff` runs (``paragraphs=True``).
BREAK = "\n"


def _tokens(text: str | None) -> list[str]:
    """Words, with one BREAK token between paragraphs."""
    tokens: list[str] = []
    for paragraph in (text or "").split("\n"):
        line = paragraph.split()
        if line:
            if tokens:
                tokens.append(BREAK)
            tokens.extend(line)
    return tokens


def word_diff(old: str | None, new: str | None, *, paragraphs: bool = False
              ) -> list[tuple[str, str]]:
    """The word-level diff of two texts: (op, words) runs, op one of SAME, REMOVED, ADDED.

    A replaced run is given as its removed words, then its added words. With ``paragraphs``
    the runs keep the paragraph breaks as BREAK tokens (for showing the diff).
    """
    split = _tokens if paragraphs else words
    a, b = split(old), split(new)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append((SAME, " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append((REMOVED, " ".join(a[i1:i2])))
        if j2 > j1:
            runs.append((ADDED, " ".join(b[j1:j2])))
    return runs


def word_counts(old: str | None, new: str | None) -> tuple[int, int]:
    """(words added, words removed) from ``old`` to ``new``."""
    a, b = words(old), words(new)
    if a == b:
        return 0, 0
    added = removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed


def _instant(value: str | None) -> Any:
    """A date as what it means (one instant, or one day), so that a date written another way
    (``Z`` for ``+00:00``, spaces) is the same date."""
    text = " ".join((value or "").split())
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if len(text) <= 10:
        return parsed.date()
    return parsed if parsed.tzinfo is None else parsed.astimezone(UTC)


def _same(name: str, old: Any, new: Any) -> bool:
    if name in DATES:
        return _instant(old) == _instant(new)
    return words(old) == words(new)


def compare(old: Mapping[str, Any], new: Mapping[str, Any], *, min_change_words: int = 1
            ) -> Change:
    """How ``new`` differs from the latest version ``old`` (both extracted alike).

    A text edit counts when it adds or removes at least ``min_change_words`` words (a word
    replaced by another counts as one); title, byline and dates count whatever the size.
    """
    change = Change()
    for name in VERSIONED:
        if name == "text":
            added, removed = word_counts(old.get("text"), new.get("text"))
            if added or removed:
                change.words_added, change.words_removed = added, removed
                if max(added, removed) >= max(1, min_change_words):
                    change.changed.append("text")
        elif not _same(name, old.get(name), new.get(name)):
            change.changed.append(name)
    return change


def field_diffs(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[
        tuple[str, list[tuple[str, str]]]]:
    """(field, word diff) of each VERSIONED field that differs, headline first (the text's
    with its paragraph breaks)."""
    for name in VERSIONED:
        if not _same(name, old.get(name), new.get(name)):
            yield name, word_diff(old.get(name), new.get(name), paragraphs=name == "text")


@cache
def extractor_identity() -> str:
    """Which extraction made a text: trafilatura's version and a hash of the project's
    extraction code, e.g. ``trafilatura 2.0.0+3f2a9c1b0d4e``.

    Two extractions are compared as versions only when their identities are equal; a text
    that differs from the latest version while the identity changed is recorded as an
    extractor change of that version. Read from the files, so the crawler process does not
    import the extraction (nor trafilatura) to know it.
    """
    try:
        traf = version("trafilatura")
    except PackageNotFoundError:  # pragma: no cover - trafilatura is a dependency
        traf = "unknown"
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.name not in NOT_EXTRACTION:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return f"trafilatura {traf}+{digest.hexdigest()[:12]}"
