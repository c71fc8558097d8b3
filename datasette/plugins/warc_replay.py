"""Datasette plugin: an article's archived page, served from its WARC record, sandboxed.

``/<database>/-/archived/<record id>`` reads the record the archive's ``warc_records`` index
names (one seek into the WARC file next to the archive, see ``pipelines/warc.py``) and sends
the page as the site sent it, content-decoded, under a Content-Security-Policy that makes it
inert: ``sandbox`` without ``allow-scripts`` (no script runs, and the page gets an opaque
origin, never Datasette's), and ``default-src 'none'`` (no request leaves for any origin:
images, styles and frames of the original site are not fetched; inline styles and ``data:``
images still show). The article page links here (``row-archive-articles.html``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from datasette.hookspecs import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from warcio.exceptions import ArchiveLoadFailed

from pipelines.warc import archived_page

#: An archived page may show itself and its inline styles and data: images; nothing else.
CONTENT_SECURITY_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "media-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
UUID = r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
ROUTE = rf"^/(?P<database>[^/]+)/-/archived/(?P<record_id>{UUID})$"


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(ROUTE, archived)]


async def archived(datasette: Any, request: Any) -> Response:
    name = tilde_decode(request.url_vars["database"])
    record_id = request.url_vars["record_id"]
    try:
        db = datasette.get_database(name)
    except KeyError:
        raise NotFound(f"no database {name}") from None
    if not db.path:
        raise NotFound("this database has no WARC files")
    folder = Path(db.path).parent

    def read(conn: sqlite3.Connection) -> Any:
        try:
            return archived_page(conn, record_id, folder)
        except sqlite3.OperationalError:  # an archive without a WARC index
            return None
        except (OSError, ArchiveLoadFailed) as err:
            return err

    page = await db.execute_fn(read)
    if page is None:
        raise NotFound("no archived page with this id")
    if isinstance(page, Exception):
        return Response.text(f"The archived page cannot be read: {page}", status=500,
                             headers=HEADERS)
    return Response(page.content, status=200, content_type=page.content_type,
                    headers={**HEADERS, "X-Archived-Url": page.url,
                             "X-Archived-At": page.fetched_at})
