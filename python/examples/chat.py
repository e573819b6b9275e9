"""A tiny typed chat: reads a channel and publishes one line per second.

    python examples/chat.py ws://localhost:8000/connection/websocket <connection JWT> chat

Checked by ``mypy --strict`` in python/run-tests.sh.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Optional

import ceaseless
from ceaseless import events


async def read(sub: ceaseless.Subscription) -> None:
    async for event in sub.events():
        if isinstance(event, ceaseless.Publication):
            who = event.info.user if event.info is not None else "server"
            print(f"#{event.offset} {who}: {event.data}")
        elif isinstance(event, events.Subscribed) and event.was_recovering and not event.recovered:
            print("(missed messages could not be recovered)")
        elif isinstance(event, events.Unsubscribed):
            print(f"(unsubscribed: {event.reason})")


async def main(url: str, token: str, channel: str, lines: Optional[int] = None) -> None:
    async def get_token() -> str:
        return token  # ask your backend for a fresh token here

    async with ceaseless.Client(url, get_token=get_token, name="chat-example") as client:
        sub = client.new_subscription(channel, recoverable=True, join_leave=True)
        reader = asyncio.create_task(read(sub))
        await sub.subscribe()
        sent = 0
        while lines is None or sent < lines:
            try:
                await client.publish(channel, {"text": f"line {sent}"})
            except ceaseless.OutcomeUnknown:
                print("(connection dropped; that line may or may not have been sent)")
            except ceaseless.CeaselessError as e:
                print(f"(publish failed: {e.message}; temporary={e.temporary})")
            sent += 1
            await asyncio.sleep(1)
        history = await sub.history(limit=-1)
        print(f"{len(history.publications)} messages in history, top offset {history.offset}")
        stats = await sub.presence_stats()
        print(f"{stats.num_clients} connection(s) here")
        reader.cancel()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "chat", 3))
