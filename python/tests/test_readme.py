"""The Quickstart of ``python/README.md`` runs as written and prints what the README says.

The test takes the first ```python block after "## Quickstart", replaces only its server URL (the
placeholder below) with a fresh Centrifugo's, and runs it in a new interpreter where ``my_backend`` (the
app's own backend in the README) answers with a connection JWT. Its output must be the ```text block
that follows the code, line by line, with nothing on stderr. The script streams forever, as the README's
does, so it is stopped once it has printed that much.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from centrifugo import Centrifugo

README = Path(__file__).resolve().parents[1] / "README.md"
PLACEHOLDER = "ws://localhost:8000/connection/websocket"

# Stands in for the app's backend: `my_backend.fetch_centrifugo_token()` answers with a real JWT.
PRELUDE = r"""
import builtins, os, sys

class _Backend:
    async def fetch_centrifugo_token(self) -> str:
        return os.environ["QUICKSTART_TOKEN"]

builtins.my_backend = _Backend()
code = sys.stdin.read()
exec(compile(code, "README.md", "exec"), {"__name__": "__main__"})
"""


def _quickstart() -> tuple[str, list[str]]:
    text = README.read_text()
    section = text[text.index("\n## Quickstart\n") :]
    code = re.search(r"\n```python\n(.*?)\n```\n", section, re.S)
    assert code, "the Quickstart has a ```python block"
    printed = re.search(r"\n```text\n(.*?)\n```\n", section[code.end() - 1 :], re.S)
    assert printed, "the Quickstart says what it prints, in a ```text block after the code"
    assert code.group(1).count(PLACEHOLDER) == 1, f"the Quickstart connects to {PLACEHOLDER}, once"
    return code.group(1), printed.group(1).splitlines()


def test_the_readme_quickstart_prints_what_the_readme_says() -> None:
    code, expected = _quickstart()
    server = Centrifugo().start()  # its own server: the README's channel starts empty
    try:
        env = dict(os.environ, QUICKSTART_TOKEN=server.token("readme"), PYTHONUNBUFFERED="1")
        process = subprocess.Popen(
            [sys.executable, "-c", PRELUDE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert process.stdin and process.stdout and process.stderr
        process.stdin.write(code.replace(PLACEHOLDER, server.ws_url))
        process.stdin.close()
        printed: list[str] = []
        deadline = time.monotonic() + 30
        while len(printed) < len(expected) and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break  # the script ended (or crashed) early
            printed.append(line.rstrip("\n"))
        still_running = process.poll() is None
        process.kill()
        process.wait(timeout=10)
        errors = process.stderr.read()
        process.stdout.close()
        process.stderr.close()
        assert printed == expected, f"printed {printed!r}, stderr: {errors}"
        assert still_running, "the Quickstart streams until stopped"
        assert errors == "", errors
    finally:
        server.stop()
