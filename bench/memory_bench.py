"""4. Memory: pouchd's VmRSS idle after start, and after a fixed number of requests (default 20,000).

The requests are wrk's over keep-alive on 127.0.0.1, cycling GET /v1.24/version, /v1.24/info and
/_ping, stopped by a wrk script after the count (without wrk: the same requests from an asyncio
client over keep-alive connections on the unix socket). The bare app goes through the same steps
as the floor (pouchd first, then the bare app).
"""

from __future__ import annotations

import asyncio
import time

from bench.common import (
    ENDPOINTS,
    AnyServer,
    BareApp,
    BenchError,
    PouchD,
    Result,
    Row,
    Settings,
    Workspace,
    capture_fixtures,
    rss_bytes,
)
from bench.wrk import have_wrk, limit_script, run_wrk_count

TARGET_IDLE_MIB = 64.0
TARGET_GROWTH = 0.10
SETTLE = 1.0  # seconds after start / after the load before reading VmRSS
CONNECTIONS = 16
THREADS = 2
MiB = 1024 * 1024


def _load(server: AnyServer, total: int) -> int:
    """Send ``total`` requests (at least) with wrk, else from Python; returns how many completed."""
    if not have_wrk():
        return asyncio.run(_load_python(server, total))
    done = 0
    for _ in range(5):  # bounded: each run stops at its count or after 60 s
        script = limit_script(server.workdir / f"{server.name}-limit.lua", list(ENDPOINTS), total - done, THREADS)
        done += run_wrk_count(server.url + ENDPOINTS[0], CONNECTIONS, THREADS, script).requests
        if done >= total:
            return done
    raise BenchError(f"only {done} of {total} requests completed against {server.kind}")


async def _load_python(server: AnyServer, total: int) -> int:
    """``total`` GETs over CONNECTIONS keep-alive connections on the unix socket; every one must be a 200."""
    counter = iter(range(total))

    async def worker() -> int:
        reader, writer = await asyncio.open_unix_connection(str(server.sock))
        n = 0
        try:
            for i in counter:
                path = ENDPOINTS[i % len(ENDPOINTS)]
                writer.write(f"GET {path} HTTP/1.1\r\nHost: d\r\n\r\n".encode())
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                if not head.startswith(b"HTTP/1.1 200"):
                    raise BenchError(f"{server.kind} answered {head[:40]!r} to GET {path}")
                length = next(
                    int(ln.split(b":")[1]) for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                n += 1
        finally:
            writer.close()
        return n

    return sum(await asyncio.gather(*(worker() for _ in range(CONNECTIONS))))


def run(ws: Workspace, settings: Settings) -> Result:
    result = Result("memory")
    work = ws.subdir("memory")
    rss: dict[str, tuple[int, int, int]] = {}
    with PouchD(work) as pouchd, BareApp(work, work / "fixtures.json") as bare:
        pouchd.start()
        capture_fixtures(pouchd, bare.fixtures)  # three requests, before the idle reading
        bare.start()
        for srv in (pouchd, bare):
            time.sleep(SETTLE)
            idle = rss_bytes(srv.pid)
            count = _load(srv, settings.memory_requests)
            time.sleep(SETTLE)
            rss[srv.kind] = (idle, rss_bytes(srv.pid), count)
    (p_idle, p_after, p_count), (b_idle, b_after, _) = rss["pouchd"], rss["bare app"]
    growth, b_growth = p_after / p_idle - 1, b_after / b_idle - 1
    result.rows += [
        Row(
            "memory",
            "pouchd VmRSS idle after start",
            f"{p_idle / MiB:.1f} MiB",
            f"{b_idle / MiB:.1f} MiB",
            p_idle / b_idle,
            f"≤ {TARGET_IDLE_MIB:.0f} MiB",
            p_idle / MiB <= TARGET_IDLE_MIB,
        ),
        Row(
            "memory",
            f"pouchd VmRSS after {p_count:,} requests",
            f"{p_after / MiB:.1f} MiB",
            f"{b_after / MiB:.1f} MiB",
            p_after / b_after,
        ),
        Row(
            "memory",
            "pouchd VmRSS growth (floor: bare app's growth)",
            f"{growth * 100:+.1f} %",
            f"{b_growth * 100:+.1f} %",
            None,
            f"≤ {TARGET_GROWTH * 100:.0f} %",
            growth <= TARGET_GROWTH,
        ),
    ]
    result.samples = {
        f"{k} VmRSS idle/after (MiB)": [round(v[0] / MiB, 2), round(v[1] / MiB, 2)] for k, v in rss.items()
    }
    client = "wrk" if have_wrk() else "an asyncio client (wrk absent)"
    result.notes.append(
        f"{settings.memory_requests:,} requests by {client} ({CONNECTIONS} connections, keep-alive), "
        f"VmRSS read {SETTLE:.0f} s after start and after the load; floor = bare app, same steps."
    )
    return result
