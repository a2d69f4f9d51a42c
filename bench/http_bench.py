"""2. Daemon throughput and latency: wrk against pouchd and against the bare app, same bytes.

pouchd runs in production mode (no --validate-responses) on a TCP port of 127.0.0.1; the bare app
(bench/bare_app.py) serves the bytes captured from that same pouchd, on the same uvicorn, with
the same kind of TCP socket. For each (endpoint, connections) cell, rounds alternate the order
pouchd/bare then bare/pouchd; each figure is the median over the rounds.

At the most connections, a third server takes part, for information: the same pouchd started
without its ``gc.freeze()`` (bench/pouchd_nofreeze.py), run next to pouchd in each round
(nofreeze/pouchd/bare, then bare/pouchd/nofreeze), so that the freeze's effect on p99 is measured
on its own, in the same conditions.
"""

from __future__ import annotations

from bench.common import (
    ENDPOINTS,
    AnyServer,
    BareApp,
    CpuPlan,
    PouchD,
    PouchDNoFreeze,
    Result,
    Row,
    Settings,
    Workspace,
    X,
    capture_fixtures,
    median,
    pin,
)
from bench.wrk import WrkReport, require_wrk, run_wrk

# pouchd/bare req/s: /v1.24/version at 16 connections, /v1.24/info at 16 and 64 (its answer is kept encoded)
# Every request goes through connexion's own routing and validation (pouch_server/app.py): req/s
# at least 0.6x the bare app's on /version and /info, at 16 and 64 connections.
TARGET_RPS = {(path, conns): 0.6 for path in ("/v1.24/version", "/v1.24/info") for conns in (16, 64)}
TARGET_P99 = 2.0  # pouchd/bare p99 latency at 64 connections, every endpoint


def run(ws: Workspace, settings: Settings) -> Result:
    require_wrk()
    result = Result("http")
    work = ws.subdir("http")
    top = max(settings.wrk_connections)
    plan = CpuPlan.make()
    with (
        PouchD(work) as pouchd,
        BareApp(work, work / "fixtures.json") as bare,
        PouchDNoFreeze(work, "pouchd-nofreeze") as nofreeze,
    ):
        pouchd.start()
        capture_fixtures(pouchd, bare.fixtures)
        bare.start()
        nofreeze.start()
        servers: dict[str, AnyServer] = {"pouchd": pouchd, "bare": bare, "nofreeze": nofreeze}
        for srv in servers.values():
            pin(srv.pid, plan.servers)
        cells = [(path, c) for path in ENDPOINTS for c in settings.wrk_connections]
        # Warm-up: first requests build pouchd's per-operation caches; one short run per endpoint.
        for srv in servers.values():
            for path in ENDPOINTS:
                run_wrk(srv.url + path, top, 1, plan.client_threads, cpus=plan.clients)
        nofreeze.check_freeze_skipped()
        reports: dict[tuple[str, int, str], list[WrkReport]] = {}
        for rnd in range(max(settings.wrk_rounds, settings.wrk_tail_rounds)):
            for path, conns in cells:
                if rnd >= (settings.wrk_tail_rounds if conns == top else settings.wrk_rounds):
                    continue
                order = ["pouchd", "bare"]
                if conns == top:  # beside pouchd, so that pouchd and bare stay back to back
                    order.insert(0, "nofreeze")
                if rnd % 2:
                    order.reverse()
                for name in order:
                    rep = run_wrk(
                        servers[name].url + path, conns, settings.wrk_seconds, plan.client_threads, cpus=plan.clients
                    )
                    reports.setdefault((path, conns, name), []).append(rep)
    for path, conns in cells:
        p, b = reports[(path, conns, "pouchd")], reports[(path, conns, "bare")]
        rps_p, rps_b = median([r.rps for r in p]), median([r.rps for r in b])
        # The median of each round's own ratio: within a round the two runs are back to back.
        ratio = median([rp.rps / rb.rps for rp, rb in zip(p, b, strict=True)])
        floor_ratio = TARGET_RPS.get((path, conns))
        cell = f"{path} c{conns}"
        result.rows.append(
            Row(
                "http",
                f"{cell} req/s",
                f"{rps_p:,.0f}",
                f"{rps_b:,.0f}",
                ratio,
                f"≥ {floor_ratio:.2f}{X}" if floor_ratio else "",
                ratio >= floor_ratio if floor_ratio else None,
            )
        )
        for q in ("p50", "p99"):
            lp, lb = median([getattr(r, q) for r in p]), median([getattr(r, q) for r in b])
            judged = q == "p99" and conns == top
            result.rows.append(
                Row(
                    "http",
                    f"{cell} latency {q}",
                    f"{lp * 1000:.2f} ms",
                    f"{lb * 1000:.2f} ms",
                    lp / lb,
                    f"≤ {TARGET_P99:.2f}{X}" if judged else "",
                    lp / lb <= TARGET_P99 if judged else None,
                )
            )
        runs = [("pouchd", p), ("bare", b)]
        if conns == top:
            # Information: the same p99 from pouchd without gc.freeze(), right under the judged row.
            n = reports[(path, conns, "nofreeze")]
            ln = median([r.p99 for r in n])
            lb = median([r.p99 for r in b])
            result.rows.append(
                Row(
                    "http",
                    f"{cell} latency p99, pouchd without gc.freeze (info)",
                    f"{ln * 1000:.2f} ms",
                    f"{lb * 1000:.2f} ms",
                    ln / lb,
                )
            )
            runs.append(("pouchd without gc.freeze", n))
        for name, reps in runs:
            result.samples[f"{cell} {name} req/s"] = [round(r.rps) for r in reps]
            result.samples[f"{cell} {name} p99 ms"] = [round(r.p99 * 1000, 2) for r in reps]
    result.notes.append(
        f"wrk -t{plan.client_threads} -d{settings.wrk_seconds}s --latency, {plan.describe()}; "
        f"{settings.wrk_rounds} rounds per cell ({settings.wrk_tail_rounds} at {top} connections), "
        "alternating pouchd/bare; floor = bare Starlette app serving pouchd's exact bytes. "
        "The req/s ratio is the median of the rounds' own ratios; latency ratios are of "
        "medians, pouchd/bare (lower is better). At "
        f"{top} connections also pouchd without gc.freeze() (bench/pouchd_nofreeze.py, "
        "information), run next to pouchd in each round; its p99 ratio is to the same bare runs."
    )
    return result
