"""The normal forms of text that the extraction compares and outputs.

Every module of the extraction compares lines and blocks the same way (spacing and case do
not matter) and outputs the text the same way (one paragraph per line, NFC): one home for
both, so that a line removed as a caption in one module is the line another one counts.
"""

from __future__ import annotations

import unicodedata

from lxml.etree import _Element


def norm(value: str) -> str:
    """The form under which two lines compare equal: spacing and case do not matter."""
    return " ".join(value.split()).casefold()


def elem_text(elem: _Element) -> str:
    """An element's whole text, whitespace collapsed (case kept)."""
    return " ".join("".join(elem.itertext()).split())


def body_text(text: str | None) -> str:
    """One paragraph per line, NFC like trafilatura's own text output (bare_extraction skips
    that step), without blank lines or stray whitespace."""
    lines = (line.strip() for line in unicodedata.normalize("NFC", text or "").splitlines())
    return "\n".join(line for line in lines if line)
