"""A real Centrifugo for the Python tests and the benchmark.

Mirrors the Rust harness (``tests/src``): the base config ``tests/centrifugo.json`` (Centrifugo v6's
nested layout) plus overrides and a free loopback port is written into a temporary directory, the pinned binary
(``.tools/bin/centrifugo``, built by ``scripts/install-centrifugo.sh``, or ``$CEASELESS_CENTRIFUGO``)
runs there until :meth:`Centrifugo.stop`, ``/health`` tells when it is ready, tokens are HS256 JWTs
signed with the config's secret (PyJWT), and the server API is called with ``X-API-Key``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

import jwt

ROOT = Path(__file__).resolve().parents[2]
BASE_CONFIG = ROOT / "tests" / "centrifugo.json"


def _binary() -> Path:
    path = Path(os.environ.get("CEASELESS_CENTRIFUGO") or ROOT / ".tools" / "bin" / "centrifugo")
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run scripts/install-centrifugo.sh")
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """JSON Merge Patch (RFC 7396), as the Rust harness applies overrides."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


class Centrifugo:
    """One Centrifugo process on a free loopback port."""

    def __init__(self, overrides: Optional[dict[str, Any]] = None) -> None:
        self.config: dict[str, Any] = json.loads(BASE_CONFIG.read_text())
        _merge(self.config, overrides or {})
        self.dir = Path(tempfile.mkdtemp(prefix="ceaseless-py-centrifugo-"))
        self.port = 0
        self.process: Optional[subprocess.Popen[bytes]] = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self, attempts: int = 5) -> Centrifugo:
        """Starts the server and waits until ``/health`` answers (retrying on a taken port)."""
        for _ in range(attempts):
            self.port = _free_port()
            config = json.loads(json.dumps(self.config))
            _merge(config, {"http_server": {"address": "127.0.0.1", "port": str(self.port)}})
            (self.dir / "config.json").write_text(json.dumps(config, indent=2))
            env = {k: v for k, v in os.environ.items() if not k.upper().startswith("CENTRIFUGO_")}
            log = open(self.dir / "centrifugo.log", "ab")
            self.process = subprocess.Popen(
                [str(_binary()), "--config", str(self.dir / "config.json")],
                cwd=self.dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            log.close()
            if self._wait_healthy():
                return self
            self._kill()
            if "address already in use" not in self.logs():
                break
        raise RuntimeError(f"Centrifugo did not start:\n{self.logs()[-4000:]}")

    def _wait_healthy(self, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.http_url}/health", timeout=1) as r:
                    if r.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        return False

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s; removes the directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._kill()
        self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self) -> str:
        try:
            return (self.dir / "centrifugo.log").read_text(errors="replace")
        except OSError:
            return ""

    # --- addresses and tokens --------------------------------------------------------------
    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/connection/websocket"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, user: str, ttl: Optional[float] = None, **claims: Any) -> str:
        """An HS256 connection token for ``user``, expiring ``ttl`` seconds from now when given."""
        payload: dict[str, Any] = {"sub": user, **claims}
        if ttl is not None:
            payload["exp"] = int(time.time() + ttl + 0.999)
        return jwt.encode(payload, self.config["client"]["token"]["hmac_secret_key"], algorithm="HS256")

    def subscription_token(self, user: str, channel: str, ttl: Optional[float] = None) -> str:
        """An HS256 subscription token for ``user`` in ``channel``."""
        payload: dict[str, Any] = {"sub": user, "channel": channel}
        if ttl is not None:
            payload["exp"] = int(time.time() + ttl + 0.999)
        return jwt.encode(payload, self.config["client"]["token"]["hmac_secret_key"], algorithm="HS256")

    # --- server API --------------------------------------------------------------------------
    def api(self, method: str, params: dict[str, Any]) -> Any:
        """Calls ``POST /api/<method>``; returns ``result`` or raises on an ``error`` reply."""
        request = urllib.request.Request(
            f"{self.http_url}/api/{method}",
            data=json.dumps(params).encode(),
            headers={"X-API-Key": self.config["http_api"]["key"], "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            reply = json.loads(response.read() or b"{}")
        if reply.get("error"):
            raise RuntimeError(f"API {method} failed: {reply['error']}")
        return reply.get("result", {})

    def publish(self, channel: str, data: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.api("publish", {"channel": channel, "data": data})
        return result

    def disconnect(self, user: str, code: int = 4000, reason: str = "test") -> None:
        self.api("disconnect", {"user": user, "disconnect": {"code": code, "reason": reason}})
