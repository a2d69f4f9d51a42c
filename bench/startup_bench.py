"""3. Start-up: from launching pouchd to its first successful GET /_ping on the unix socket.

Floor: launching the bare app (bench/bare_app.py: Starlette on uvicorn) to its first successful
GET /_ping. An information row compares with a plain connexion app on the same spec
(bench/connexion_app.py), to show how much of the start-up is connexion's own.
All listen on a unix socket only and are polled every 5 ms; launches rotate, after one unmeasured
warm-up launch of each. pouchd keeps one home directory across its launches.
"""

from __future__ import annotations

import time

from bench.common import (
    BareApp,
    ConnexionApp,
    PouchD,
    Result,
    Row,
    Server,
    Settings,
    Workspace,
    X,
    median,
    ms,
    wait_http_ok,
)

TARGET = 1.5
POLL = 0.005
TIMEOUT = 30.0


def _launch(server: Server) -> float:
    """Seconds from Popen to the first 200 from GET /_ping; the server is stopped afterwards."""
    try:
        start = time.monotonic()
        server.start(wait=False)
        assert server.proc is not None
        ready = wait_http_ok(server.sock, server.proc, start + TIMEOUT, POLL)
        return ready - start
    finally:
        server.stop()


def run(ws: Workspace, settings: Settings) -> Result:
    result = Result("startup")
    fixtures = ws.fixtures()
    work = ws.subdir("startup")
    servers: dict[str, Server] = {
        "pouchd": PouchD(work, tcp=False),
        "bare": BareApp(work, fixtures, tcp=False),
        "connexion": ConnexionApp(work),
    }
    times: dict[str, list[float]] = {name: [] for name in servers}
    for srv in servers.values():
        _launch(srv)  # warm-up
    for i in range(settings.startup_runs):
        names = list(servers)
        order = names[i % len(names):] + names[:i % len(names)]
        for name in order:
            times[name].append(_launch(servers[name]))
    p, b, c = median(times["pouchd"]), median(times["bare"]), median(times["connexion"])
    result.rows.append(Row("startup", "launch → first 200 /_ping, median", ms(p), ms(b), p / b,
                           f"≤ {TARGET:.2f}{X}", p / b <= TARGET))
    result.rows.append(Row("startup", "…vs a plain connexion app on the same spec (info)", ms(p), ms(c), p / c))
    result.samples = {f"{n} (ms)": [round(t * 1000, 1) for t in v] for n, v in times.items()}
    result.notes.append(f"{settings.startup_runs} launches each, alternating, polled every {POLL * 1000:.0f} ms "
                        "over the unix socket; floor = bare Starlette app on uvicorn; info floor = "
                        "plain connexion AsyncApp on the same spec and uvicorn.")
    return result
