"""3. Start-up: from launching pouchd to its first successful GET /_ping on the unix socket.

Floor (the target's): a plain connexion app on the same spec (bench/connexion_app.py), the least
a daemon of this design pays: connexion's imports rule out coming near a bare uvicorn app, which
is kept as a second row (bench/bare_app.py: Starlette on uvicorn), with the ratio to it before
the start-up work of bench/HISTORY.md as the "not slower than before" mark.
All listen on a unix socket only and are polled every 5 ms; launches rotate, after one unmeasured
warm-up launch of each. pouchd keeps one home directory across its launches.
"""

from __future__ import annotations

import time

from bench.common import (
    AnyServer,
    BareApp,
    ConnexionApp,
    PouchD,
    Result,
    Row,
    Settings,
    Workspace,
    X,
    median,
    ms,
    wait_http_ok,
)

TARGET = 1.0  # no slower than a plain connexion app on the same spec
# pouchd / bare app before the start-up work (the median of three runs on the bench's regular
# install, bench/HISTORY.md; an editable install measures differently): not slower than that.
BEFORE = 2.52
POLL = 0.005
TIMEOUT = 30.0


def _launch(server: AnyServer) -> float:
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
    servers: dict[str, AnyServer] = {
        "pouchd": PouchD(work, tcp=False),
        "bare": BareApp(work, fixtures, tcp=False),
        "connexion": ConnexionApp(work),
    }
    times: dict[str, list[float]] = {name: [] for name in servers}
    for srv in servers.values():
        _launch(srv)  # warm-up
    for i in range(settings.startup_runs):
        names = list(servers)
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            times[name].append(_launch(servers[name]))
    p, b, c = median(times["pouchd"]), median(times["bare"]), median(times["connexion"])
    result.rows.append(
        Row(
            "startup",
            "launch → first 200 /_ping / a plain connexion app on the same spec",
            ms(p),
            ms(c),
            p / c,
            f"≤ {TARGET:.2f}{X}",
            p / c <= TARGET,
        )
    )
    result.rows.append(
        Row(
            "startup",
            f"…the same / a bare uvicorn app (earlier mark: {BEFORE:.2f}{X})",
            ms(p),
            ms(b),
            p / b,
            f"≤ {BEFORE:.2f}{X}",
            p / b <= BEFORE,
        )
    )
    result.samples = {f"{n} (ms)": [round(t * 1000, 1) for t in v] for n, v in times.items()}
    result.notes.append(
        f"{settings.startup_runs} launches each, alternating, polled every {POLL * 1000:.0f} ms "
        "over the unix socket; floor = plain connexion AsyncApp on the same spec and uvicorn; second "
        "row: bare Starlette app on uvicorn."
    )
    return result
