"""Which character encoding a page really uses, so that no mojibake is ever archived.

Sites declare charsets wrongly all the time: a server-wide ``charset=utf-8`` header on
Windows-1252 pages, a template's ``<meta charset="iso-8859-1">`` on UTF-8 text, no
declaration at all. Browsers mostly cope; an archive must too. The rule, in order:

1. a byte-order mark wins;
2. a body that decodes as strict UTF-8 and has non-ASCII bytes *is* UTF-8 (random
   Windows-1252 text is virtually never valid UTF-8), whatever the page claims;
3. otherwise the declared encodings (HTTP header, then ``<meta>``) are tried strictly, with
   the WHATWG mapping of latin-1 and ascii labels to Windows-1252 (for € and curly quotes);
4. otherwise the encoding is detected (charset-normalizer), Windows-1252 preferred among
   look-alike Latin code pages and as the last resort.
"""

from __future__ import annotations

import charset_normalizer
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

#: How much of a body is used to detect an undeclared encoding.
DETECT_BYTES = 256 * 1024
#: Single-byte Latin code pages that detection confuses with each other on short Western
#: text (it picks cp1257 for German as readily as cp1252). When one of them is detected and
#: Windows-1252, the web's de-facto default for undeclared Western pages, decodes the body,
#: Windows-1252 is used.
LATIN_LOOKALIKES = {
    "cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "latin_1", "iso8859_1", "iso8859_2",
    "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15",
    "iso8859_16", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish",
}


def _strictly_decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The Python codec for ``body`` and how it was decided (for the log and the tests)."""
    bom, _ = read_bom(body)
    if bom:
        return bom, "bom"
    if body.isascii():
        return "utf-8", "ascii"
    if _strictly_decodes(body, "utf-8"):
        return "utf-8", "valid utf-8"
    declared = [
        ("header", http_content_type_encoding(content_type) if content_type else None),
        ("meta", html_body_declared_encoding(body)),
    ]
    for how, label in declared:
        encoding = resolve_encoding(label) if label else None  # latin-1 -> cp1252 etc.
        if encoding and encoding != "utf-8" and _strictly_decodes(body, encoding):
            return encoding, how
    best = charset_normalizer.from_bytes(body[:DETECT_BYTES]).best()
    cp1252 = _strictly_decodes(body, "cp1252")
    if best is not None and _strictly_decodes(body, best.encoding):
        if best.encoding in LATIN_LOOKALIKES and cp1252:
            return "cp1252", "detected (latin)"
        return best.encoding, "detected"
    return "cp1252", "fallback"


def decode(body: bytes, content_type: str | None = None) -> str:
    """The body as text, by :func:`detect_encoding`; undecodable bytes replaced, never guessed."""
    encoding, _ = detect_encoding(body, content_type)
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    return body.decode(encoding, errors="replace")
