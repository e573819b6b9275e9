"""A process that exits right after ``close()`` exits cleanly, whatever the client was doing.

Each case runs many times, each in a fresh interpreter, because the hazard is a race with the
interpreter's finalization: a client thread entering Python while it shuts down used to crash the process
(``PyGILState_Release`` fatal errors, segmentation faults).
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from centrifugo import Centrifugo

RUNS = 50

SCRIPT = r"""
import asyncio, sys, ceaseless

case, url, token = sys.argv[1], sys.argv[2], sys.argv[3]

async def failing_provider() -> str:
    raise RuntimeError("token backend down")

async def main() -> None:
    if case == "token provider raising":
        client = ceaseless.Client(url, get_token=failing_provider)
    else:
        client = ceaseless.Client(url, token=token)
    sub = client.new_subscription("shutdown-" + case.replace(" ", "-"))
    client.connect()
    subscribing = asyncio.ensure_future(sub.subscribe())
    if case == "subscription streaming":
        async def read() -> None:
            async for _ in sub.publications():
                pass
        asyncio.ensure_future(read())
        await subscribing
    if case == "pending publish":
        asyncio.ensure_future(client.publish(sub.channel, '{"n": 1}'))
    await asyncio.sleep(0.01)
    await client.close()

asyncio.run(main())
"""


def run_once(case: str, url: str, token: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, case, url, token],
        capture_output=True,
        timeout=60,
    )
    return done.returncode


@pytest.mark.parametrize("case", ["token provider raising", "subscription streaming", "pending publish"])
def test_exiting_right_after_close_never_crashes(server: Centrifugo, case: str) -> None:
    token = server.token("shutdown")
    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(lambda _: run_once(case, server.ws_url, token), range(RUNS)))
    crashes = [code for code in codes if code != 0]
    print(f"{case}: {RUNS} runs, {len(crashes)} crashes")
    assert not crashes, f"{case}: {len(crashes)} of {RUNS} runs exited with {sorted(set(crashes))}"
