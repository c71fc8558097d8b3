"""Wait until a URL answers (used by `make demo` before it starts crawling the demo site)."""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.1)


if __name__ == "__main__":
    wait_for(sys.argv[1])
