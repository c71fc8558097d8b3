"""Serve a static site directory on 127.0.0.1: nginx when installed, else a threaded Python server.

Both map a URL path ending in ``/`` to ``index.html`` in that directory (``index.xml`` for
feeds, served as ``application/rss+xml``), ignore query strings (``?utm_source=…`` reaches
the same file), send ``Last-Modified`` and answer ``If-Modified-Since`` with 304, and keep
connections alive. Each runs in its own process so that it never shares the benchmark's
interpreter; ``python benchmarks/servers.py ROOT PORT`` is the fallback server's entry point.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

FEED_TYPE = "application/rss+xml; charset=utf-8"

NGINX_CONF = """\
{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    charset utf-8;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    open_file_cache max=2000 inactive=20s;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        server_tokens off;
        location ~ /feed/$ {{
            types {{ }}
            default_type "{feed_type}";
            try_files $uri/index.xml =404;
        }}
        location / {{
            try_files $uri $uri/index.html =404;
        }}
    }}
}}
"""


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_binary() -> str | None:
    """The nginx executable (Debian's nginx-light installs /usr/sbin/nginx), if any."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


@dataclass
class Server:
    """A running server process: its kind ("nginx 1.22.1" or "python"), URL and process."""

    kind: str
    base_url: str
    process: subprocess.Popen[bytes]
    workdir: Path
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.workdir / "server.log"

    def stop(self) -> None:
        """Stop the server process this benchmark started (and nginx's worker with it)."""
        if self.process.poll() is None:
            self.process.terminate()  # nginx: fast shutdown of master and workers
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def pids(self) -> list[int]:
        """The server's process ids (master and children), to keep them out of measurements."""
        try:
            import psutil

            proc = psutil.Process(self.process.pid)
            return [proc.pid] + [c.pid for c in proc.children(recursive=True)]
        except Exception:
            return [self.process.pid]


def start(root: Path, port: int, workdir: Path, *, prefer_nginx: bool = True) -> Server:
    """Serve ``root`` on 127.0.0.1:``port``; nginx if available (and preferred), else Python."""
    workdir.mkdir(parents=True, exist_ok=True)
    binary = nginx_binary() if prefer_nginx else None
    if binary:
        server = _start_nginx(binary, root, port, workdir)
    else:
        server = _start_python(root, port, workdir)
    try:
        _wait_until_up(server)
    except Exception:
        server.stop()
        raise
    return server


def _start_nginx(binary: str, root: Path, port: int, workdir: Path) -> Server:
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / sub).mkdir(exist_ok=True)
    mime_types = "/etc/nginx/mime.types"
    if not Path(mime_types).exists():
        mime_types = str(workdir / "mime.types")
        Path(mime_types).write_text(
            "types { text/html html; application/xml xml; text/plain txt; }\n")
    conf = workdir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        user="user root;\n" if os.geteuid() == 0 else "",  # workers must read a 0700 temp dir
        tmp=workdir, mime_types=mime_types, port=port, root=root, feed_type=FEED_TYPE,
    ))
    version = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip()
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(workdir), "-e", str(workdir / "error.log")],
        stdout=log, stderr=subprocess.STDOUT,
    )
    kind = version.split(":", 1)[-1].strip().replace("/", " ") or "nginx"
    return Server(kind=kind, base_url=f"http://127.0.0.1:{port}", process=process,
                  workdir=workdir)


def _start_python(root: Path, port: int, workdir: Path) -> Server:
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), str(root), str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    return Server(kind="python ThreadingHTTPServer", base_url=f"http://127.0.0.1:{port}",
                  process=process, workdir=workdir)


def _wait_until_up(server: Server, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.kind} exited at start; see {server.log} and "
                               f"{server.workdir / 'error.log'}")
        try:
            with urllib.request.urlopen(server.base_url + "/robots.txt", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.kind} did not answer on {server.base_url}")
        time.sleep(0.1)


# ------------------------------------------------------------------ the fallback server


class StaticHandler(SimpleHTTPRequestHandler):
    """Static files with nginx's mapping: ``/x/`` -> ``x/index.html`` (``x/index.xml`` for feeds).

    SimpleHTTPRequestHandler already sends Last-Modified and answers If-Modified-Since; this
    adds HTTP/1.1 keep-alive, the index mapping, query-string blindness and silence.
    """

    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".xml": "application/xml; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
    }

    def translate_path(self, path: str) -> str:
        clean = unquote(urlsplit(path).path)
        root = Path(self.directory)
        if clean.endswith("/"):
            name = "index.xml" if clean.endswith("/feed/") else "index.html"
            target = root / clean.strip("/") / name
        else:
            target = root / clean.lstrip("/")
        resolved = target.resolve()
        if root.resolve() not in resolved.parents and resolved != root.resolve():
            return str(root / "__forbidden__")
        return str(resolved)

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        if str(path).endswith("/feed/index.xml"):
            return FEED_TYPE
        return super().guess_type(path)

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404)
        return None

    def log_message(self, format: str, *args: object) -> None:
        """No per-request log: it would cost more than serving the file."""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def serve(root: Path, port: int) -> None:
    """Serve ``root`` on 127.0.0.1:``port`` until killed."""

    def handler(*args: object) -> StaticHandler:
        return StaticHandler(*args, directory=str(root))  # type: ignore[arg-type]

    with _QuietServer(("127.0.0.1", port), handler) as httpd:
        httpd.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))
