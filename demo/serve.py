"""Serve the demo news site over HTTP with the standard library only.

``python -m demo.serve`` is what ``make demo`` runs; ``serve_in_thread`` gives tests a real
server on a free port. The server is threaded because Scrapy fetches concurrently, and quiet
because per-request logging would bury test and crawl output.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from demo.site import DemoSite


class _DemoServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that carries the DemoSite its handlers render from."""

    daemon_threads = True
    site: DemoSite


class _Handler(BaseHTTPRequestHandler):
    """Maps GET/HEAD onto ``DemoSite.render``; the site itself never touches the socket."""

    server: _DemoServer
    protocol_version = "HTTP/1.1"
    server_version = "Apache"  # what a WordPress host usually announces
    sys_version = ""
    timeout = 30  # drop idle keep-alive connections so threads do not pile up

    def version_string(self) -> str:
        return self.server_version

    def _respond(self, send_body: bool) -> None:
        status, headers, body = self.server.site.render(self.path)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default one-line-per-request stderr log."""


def make_server(host: str = "127.0.0.1", port: int = 0,
                **site_options: Any) -> tuple[_DemoServer, str]:
    """Bind first, then build the site, so port 0 yields links with the real port."""
    server = _DemoServer((host, port), _Handler)
    bound_port = server.server_address[1]
    display_host = host if host not in ("", "0.0.0.0") else "127.0.0.1"
    base_url = f"http://{display_host}:{bound_port}"
    server.site = DemoSite(base_url, **site_options)
    return server, base_url


def serve_in_thread(host: str = "127.0.0.1", port: int = 0,
                    **site_options: Any) -> tuple[str, Callable[[], None]]:
    """Start the demo site in a daemon thread; returns (base_url, stop)."""
    server, base_url = make_server(host, port, **site_options)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="demo-site", daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return base_url, stop


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m demo.serve``: print the base URL, serve until Ctrl-C."""
    parser = argparse.ArgumentParser(description="Serve the demo news site (Le Journal du Monde).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    server, base_url = make_server(args.host, args.port)
    print(base_url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
