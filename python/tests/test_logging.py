"""Rust `tracing` events reach the `logging` logger "ceaseless", with tokens redacted."""

from __future__ import annotations

import logging
from typing import Callable

import pytest

import ceaseless
from centrifugo import Centrifugo

MakeClient = Callable[..., ceaseless.Client]


async def test_logs_reach_logging_without_tokens(
    server: Centrifugo, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = server.token("logger")
    with caplog.at_level(logging.DEBUG, logger="ceaseless"):
        ceaseless.refresh_log_level()
        async with make_client(server.ws_url + "?token=" + token, token=token) as client:
            await client.publish("test:logs", {"n": 1})
    ceaseless.refresh_log_level()
    records = [r for r in caplog.records if r.name == "ceaseless"]
    assert records, "expected debug logs from the Rust client"
    assert all(token not in r.getMessage() for r in records)
    assert all(token.split(".")[1] not in r.getMessage() for r in records)
