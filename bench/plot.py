"""Plots of a benchmark run: latency distribution and reconnect attempts over time.

Usage: plot.py RESULTS_JSON OUT_DIR   (bench/run.sh calls it with bench/out/results.json bench/plots)
"""

import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def latency(results, path):
    fig, ax = plt.subplots(figsize=(9, 5))
    for r in results:
        samples = (r.get("latency") or {}).get("samples_us") or []
        if not samples:
            continue
        ms = sorted(s / 1000 for s in samples)
        n = len(ms)
        ax.plot(ms, [(k + 1) / n * 100 for k in range(n)], label=f"{r['name']}  p50 {ms[n // 2]:.2f} ms, p99 {ms[int((n - 1) * 0.99)]:.2f} ms")
    ax.set_xscale("log")
    ax.set_xlabel("publish-to-receive latency, ms (log scale)")
    ax.set_ylabel("% of publications received within")
    ax.set_title("Latency distribution (fixed rate, loopback)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def reconnects(results, path):
    fig, ax = plt.subplots(figsize=(9, 5))
    expected = None
    for r in results:
        fleet = r.get("fleet")
        if not fleet:
            continue
        timeline = fleet["attempts_timeline"]
        ax.step([k * 0.1 for k in range(len(timeline))], timeline, where="post",
                label=f"{r['name']}  peak {fleet['peak_attempts_100ms']}")
        expected = fleet["expected_peak_100ms"]
        ax.axvline(fleet["down_s"], color="grey", linestyle=":", linewidth=1)
    if expected is not None:
        ax.axhline(expected, color="black", linestyle="--", linewidth=1, label=f"full-jitter expected peak ({expected:.0f})")
    ax.set_xlabel("seconds since the server was stopped (dotted: server back)")
    ax.set_ylabel("connection attempts per 100 ms")
    ax.set_title("Reconnect storm: 1,000 clients dropped by a server restart")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main():
    data = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    latency(data["results"], os.path.join(out, "latency.png"))
    reconnects(data["results"], os.path.join(out, "reconnects.png"))
    print(f"plots written to {out}/latency.png and {out}/reconnects.png")


if __name__ == "__main__":
    main()
