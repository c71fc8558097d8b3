"""Encodings: whatever a page declares, the archived text is what its author wrote."""

from __future__ import annotations

import pytest

from crawler.encoding import decode, detect_encoding

TEXT = (
    "<html><head>{meta}<title>Größe</title></head><body><p>Schöne Grüße für 10 € – "
    "„Anführungszeichen“ à Zürich, déjà vu, l’œuvre.</p></body></html>"
)
WANT = "Schöne Grüße für 10 € – „Anführungszeichen“ à Zürich, déjà vu, l’œuvre."


@pytest.mark.parametrize(
    "meta,encoding,content_type,how",
    [
        ("", "cp1252", "text/html; charset=iso-8859-1", "header"),
        ('<meta charset="windows-1252">', "cp1252", "text/html", "meta"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
         "cp1252", None, "meta"),
        ("", "cp1252", "text/html; charset=utf-8", "detected (latin)"),  # header lies
        ('<meta charset="iso-8859-1">', "utf-8", "text/html", "valid utf-8"),  # meta lies
        ("", "utf-8", None, "valid utf-8"),
        ("", "cp1252", None, "detected (latin)"),
        ("", "utf-16", None, "bom"),
    ],
)
def test_text_arrives_intact(meta, encoding, content_type, how):
    html = TEXT.format(meta=meta)
    body = html.encode(encoding) if encoding != "utf-16" else html.encode("utf-16")
    assert detect_encoding(body, content_type)[1] == how
    decoded = decode(body, content_type)
    assert WANT in decoded
    assert "Ã" not in decoded and "\ufffd" not in decoded


def test_ascii_and_empty():
    assert decode(b"") == ""
    assert detect_encoding(b"<p>plain</p>") == ("utf-8", "ascii")


def test_utf8_bom_is_dropped():
    assert decode("\ufeff<p>é</p>".encode()) == "<p>é</p>"
