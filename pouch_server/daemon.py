"""pouchd's entry point: flags and config file, managers, listeners, serving and shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import ssl
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from pouch_server._compat.uvicorn import Server
from pouch_server.app import create_app
from pouch_server.config import ConfigError, DaemonConfig, load_config
from pouch_server.handlers.auth import AuthHandlers
from pouch_server.handlers.daemon import DaemonHandlers
from pouch_server.handlers.events import EventHandlers
from pouch_server.handlers.metrics import MetricsHandlers
from pouch_server.handlers.system import SystemHandlers
from pouch_server.listeners import Listener, bind_all
from pouch_server.managers.daemon import DaemonStateStore
from pouch_server.managers.events import EventBus
from pouch_server.managers.metrics import Metrics
from pouch_server.managers.registry import RegistryManager
from pouch_server.managers.system import SystemManager, load_or_create_id
from pouch_server.protocol import Limits, protocol_for

log = logging.getLogger("pouchd")


class Daemon:
    """The managers of one pouchd, and the table of operations that serve them."""

    def __init__(self, config: DaemonConfig, listen_addresses: list[str]) -> None:
        self.config = config
        home = Path(config.home_dir)
        home.mkdir(parents=True, exist_ok=True)
        os.chmod(home, 0o700)
        self.id = load_or_create_id(home)
        self.state = DaemonStateStore(home, config.labels, config.image_proxy)
        self.events = EventBus()
        self.system = SystemManager(config, self.state, self.id, listen_addresses)
        self.registry = RegistryManager(config)
        version = self.system.version()
        self.metrics = Metrics(version=version["Version"], commit=version["GitCommit"],
                               kernel=version["KernelVersion"], os=version["Os"], arch=version["Arch"],
                               subscribers=lambda: self.events.subscriber_count)

    def operations(self) -> dict[str, Callable[..., Any]]:
        system = SystemHandlers(self.system)
        daemon = DaemonHandlers(self.state, self.events, self.id, on_change=system.config_changed)
        events = EventHandlers(self.events)
        metrics = MetricsHandlers(self.metrics)
        auth = AuthHandlers(self.registry)
        return {
            "SystemPing": system.ping,
            "SystemPingHead": system.ping_head,
            "SystemVersion": system.version,
            "SystemInfo": system.info,
            "DaemonUpdate": daemon.update,
            "SystemEvents": events.events,
            "SystemMetrics": metrics.metrics_text,
            "RegistryLogin": auth.login,
        }


def setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Keep third-party chatter at INFO even in debug mode; our access log is the per-request line.
    for name in ("uvicorn", "uvicorn.error", "connexion", "asyncio", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING if name != "uvicorn.error" else logging.INFO)


ServerGroup = tuple[uvicorn.Config, list[Listener]]


def _server_configs(app: Any, config: DaemonConfig, listeners: list[Listener]) -> list[ServerGroup]:
    """One uvicorn server per kind of listener: unix sockets and plain TCP, and TLS TCP.

    TLS applies to tcp listeners only (unix sockets are guarded by file permissions), so with
    --tlscert the two kinds need different server settings; both run in this one process.
    """
    # ws="none": the API has no WebSocket endpoint, and uvicorn's default imports a WebSocket
    # library at start-up to serve upgrades nobody can make. proxy_headers=False: no proxy stands
    # in front of the daemon, so X-Forwarded-For from a local client must not rewrite its address
    # (uvicorn trusts it from 127.0.0.1 by default, in a layer run on every request).
    common: dict[str, Any] = dict(
        lifespan="off", ws="none", proxy_headers=False, access_log=False, log_config=None, timeout_graceful_shutdown=10,
        timeout_keep_alive=5, server_header=False, date_header=True,
    )
    limits = Limits(header_timeout=config.header_timeout, body_timeout=config.body_timeout,
                    max_body_bytes=config.max_body_size)
    tls = bool(config.tlscert)
    plain = [lst for lst in listeners if not (tls and lst.address.scheme == "tcp")]
    secure = [lst for lst in listeners if tls and lst.address.scheme == "tcp"]
    out: list[ServerGroup] = []
    if plain:
        out.append((uvicorn.Config(app, http=protocol_for(limits), **common), plain))
    if secure:
        from pouch_server import tls as tls_mod

        out.append((uvicorn.Config(
            app,
            ssl_certfile=config.tlscert,
            ssl_keyfile=config.tlskey,
            ssl_ca_certs=config.tlscacert,
            ssl_cert_reqs=tls_mod.cert_reqs(config.tlsverify),
            http=protocol_for(limits, tls=True),
            **common,
        ), secure))
    return out


def _warn_insecure_tcp(config: DaemonConfig, listeners: list[Listener]) -> None:
    if config.tlscert:
        return
    for lst in listeners:
        if lst.address.scheme == "tcp" and not _is_loopback(lst.address.host):
            log.warning("listening on %s without TLS: anyone who can reach it controls this daemon; "
                        "use --tlscert/--tlskey/--tlsverify", lst.url)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: With -D, every step of the event loop that runs longer than this (seconds) is logged.
SLOW_CALLBACK_SECONDS = 0.1


def report_slow_callbacks(loop: asyncio.AbstractEventLoop) -> None:
    """-D: asyncio's own report of slow loop steps (debug mode), ``Executing <Task ...> took 0.312
    seconds`` on the ``asyncio`` logger, with the request named in the task (see PouchMiddleware).

    pouchd runs this on asyncio's own loop (see _loop_factory), where every step is timed:
    callbacks, task steps (every request handler, validator and stream runs in a task) and
    transport callbacks (a connection's ``data_received``, where the HTTP parser runs), which
    uvloop would call straight from libuv without timing them. Debug mode also records where each
    callback and task was created, which makes every request slower (see the README); it is on
    only with -D.
    """
    loop.set_debug(True)
    loop.slow_callback_duration = SLOW_CALLBACK_SECONDS
    kind = type(loop)
    log.debug("event-loop steps over %.0f ms are logged (%s.%s in debug mode)", SLOW_CALLBACK_SECONDS * 1000,
              kind.__module__, kind.__qualname__)


async def serve(config: DaemonConfig) -> int:
    if config.debug:
        report_slow_callbacks(asyncio.get_running_loop())
    listeners = bind_all(config.listen, group=config.group)
    try:
        daemon = Daemon(config, [lst.url for lst in listeners])
    except BaseException:
        for lst in listeners:
            lst.close()
        raise
    app = create_app(daemon.operations(), debug=config.debug, validate_responses=config.validate_responses,
                     observe=daemon.metrics.observe, manager_whitelist=frozenset(config.manager_whitelist))
    try:
        groups = _server_configs(app, config, listeners)
        for cfg, _ in groups:
            cfg.load()  # builds the SSL context now, so a bad certificate is a clear start-up error
        # uvicorn's servers without their own signal handling: pouchd stops them together.
        servers = [(Server(cfg), group) for cfg, group in groups]
    except (OSError, ssl.SSLError) as e:
        for lst in listeners:
            lst.close()
        raise ConfigError(f"cannot set up TLS: {e}") from None
    _warn_insecure_tcp(config, listeners)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set():  # a second signal (a second Ctrl-C): stop waiting for clients
            log.warning("stopping now, without waiting for open connections")
            for srv, _ in servers:
                srv.stop_now()
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal)

    pidfile = Path(config.pidfile) if config.pidfile else None
    if pidfile:
        pidfile.write_text(f"{os.getpid()}\n")
    # Published before the servers accept anything: a client that gets an answer (even the first
    # /_ping) always finds `daemon start` in the history.
    daemon.events.publish("daemon", "start", daemon.id, {"name": daemon.system.facts.hostname})
    tasks = [asyncio.create_task(srv.serve(sockets=[lst.sock for lst in group])) for srv, group in servers]
    try:
        while not all(srv.is_serving for srv, _ in servers) and not any(t.done() for t in tasks):
            await asyncio.sleep(0.01)
        for t in tasks:
            if t.done():
                t.result()
                return 1
        for lst in listeners:
            log.info("pouchd listening on %s%s", lst.url,
                     " (TLS)" if config.tlscert and lst.address.scheme == "tcp" else "")
        # What start-up built (modules, the spec, connexion's app: some 50,000 objects that the
        # collector tracks) lives as long as the daemon. Frozen, full collections no longer walk
        # it: each took ~15 ms of the event loop, a stall for every request queued behind it (p99
        # at 64 connections). No collection first: start-up leaves ~100 unreachable objects, and
        # a collection here would hold up the first requests. The `pouchd` command started with
        # the collector off (pouch_server/start.py); from here it runs as usual.
        gc.freeze()
        gc.enable()
        stop_wait = asyncio.create_task(stop.wait())
        await asyncio.wait({*tasks, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
        stop_wait.cancel()
        log.info("pouchd shutting down")
        daemon.events.publish("daemon", "stop", daemon.id, {"name": daemon.system.facts.hostname})
        # Let streams flush the stop event, then end them so the servers can drain.
        await asyncio.sleep(0.05)
        daemon.events.close()
        for srv, _ in servers:
            srv.stop()
        await asyncio.gather(*tasks)
    finally:
        for lst in listeners:
            lst.close()
        if pidfile:
            with contextlib.suppress(FileNotFoundError):
                pidfile.unlink()
    return 0


def _loop_factory(debug: bool = False) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed, as uvicorn's own ``loop="auto"`` picks; else asyncio's default loop.

    With -D, asyncio's own loop: its debug mode times every step, transport callbacks included
    (a connection's ``data_received``, where the HTTP parser runs), which uvloop's does not. -D is
    for finding problems, so the report is complete rather than fast (see report_slow_callbacks).
    """
    if debug:
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: list[str] | None = None) -> None:
    try:
        config = load_config(argv)
    except ConfigError as e:
        print(f"Error: {e}", file=sys.stderr)
        sys.exit(1)
    setup_logging(config.debug)
    try:
        with asyncio.Runner(loop_factory=_loop_factory(config.debug)) as runner:
            code = runner.run(serve(config))
    except ConfigError as e:
        print(f"Error: {e}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    main()
