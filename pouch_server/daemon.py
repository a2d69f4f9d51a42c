"""pouchd's entry point: flags and config file, managers, listeners, serving and shutdown.

:class:`Daemon` holds the managers and their operations; :class:`Lifecycle` is one run of the
process around it, step by step (see its ``start`` and ``stop``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import shutil
import signal
import ssl
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from pouch_server import tls
from pouch_server._compat.uvicorn import Server
from pouch_server.app import create_app
from pouch_server.config import ConfigError, DaemonConfig, load_config
from pouch_server.ctrd.engine import Engine
from pouch_server.ctrd.supervisor import ContainerdError
from pouch_server.handlers.auth import AuthHandlers
from pouch_server.handlers.containers import ContainerHandlers
from pouch_server.handlers.daemon import DaemonHandlers
from pouch_server.handlers.events import EventHandlers
from pouch_server.handlers.execs import ExecHandlers
from pouch_server.handlers.images import ImageHandlers
from pouch_server.handlers.metrics import MetricsHandlers
from pouch_server.handlers.system import SystemHandlers
from pouch_server.listeners import Listener, bind_all
from pouch_server.managers.containers.execs import ExecManager
from pouch_server.managers.containers.manager import ContainerManager
from pouch_server.managers.daemon import DaemonStateStore
from pouch_server.managers.events import EventBus
from pouch_server.managers.images.manager import ImageManager
from pouch_server.managers.metrics import Metrics
from pouch_server.managers.registry import RegistryManager
from pouch_server.managers.system import SystemManager, load_or_create_id
from pouch_server.pidfile import Pidfile
from pouch_server.protocol import Limits, protocol_for

log = logging.getLogger("pouchd")

#: Seconds an idle keep-alive connection stays open: pouch's IdleTimeout.
IDLE_TIMEOUT = 600


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
        self.metrics = Metrics(
            version=version["Version"],
            commit=version["GitCommit"],
            kernel=version["KernelVersion"],
            os=version["Os"],
            arch=version["Arch"],
            subscribers=lambda: self.events.subscriber_count,
        )

        self.images = ImageManager(
            self.events,
            default_registry=config.default_registry,
            snapshotter=config.snapshotter,
            insecure_registries=config.insecure_registries,
            mirrors=config.registry_mirrors,
            spool_dir=_spool_dir(home),
            image_proxy=lambda: self.state.image_proxy,
        )
        self.containers = ContainerManager(
            self.events,
            self.images,
            home=home,
            snapshotter=config.snapshotter,
            namespace=config.default_namespace,
        )
        self.images.in_use = self.containers.image_in_use
        self.execs = ExecManager(self.containers)
        self.engine = Engine(
            address=config.containerd,
            home=home,
            namespace=config.default_namespace,
            snapshotter=config.snapshotter,
            binary=config.containerd_path,
            debug=config.debug,
            on_restart=self.metrics.containerd_restarts.inc,
        )

    async def start_engine(self) -> None:
        """Reach (or start) containerd and load what pouchd keeps of it; raises ContainerdError."""
        await self.engine.start()
        await self.images.load(self.engine)
        await self.containers.load(self.engine)
        self.system.attach_engine(
            self.engine.facts, image_count=lambda: self.images.count, container_counts=self.containers.counts
        )

    async def stop_engine(self) -> None:
        await self.containers.close()
        await self.engine.stop()

    def operations(self) -> dict[str, Callable[..., Any]]:
        system = SystemHandlers(self.system)
        daemon = DaemonHandlers(self.state, self.events, self.id)
        events = EventHandlers(self.events)
        metrics = MetricsHandlers(self.metrics)
        auth = AuthHandlers(self.registry)
        images = ImageHandlers(self.images)
        containers = ContainerHandlers(self.containers, self.execs.ids_of)
        execs = ExecHandlers(self.execs)
        return {
            "SystemPing": system.ping,
            "SystemPingHead": system.ping_head,
            "SystemVersion": system.version,
            "SystemInfo": system.info,
            "DaemonUpdate": daemon.update,
            "SystemEvents": events.events,
            "SystemMetrics": metrics.metrics_text,
            "RegistryLogin": auth.login,
            "ImagePull": images.pull,
            "ImageList": images.list_images,
            "ImageInspect": images.inspect,
            "ImageHistory": images.history,
            "ImageTag": images.tag,
            "ImageRemove": images.remove,
            "ImageLoad": images.load,
            "ImageSave": images.save,
            "ImageGet": images.get,
            "ImageGetOne": images.get_one,
            "ImagePush": images.push,
            "ImageSearch": images.search,
            "ImageSearchPost": images.search,
            "ContainerCreate": containers.create,
            "ContainerInspect": containers.inspect,
            "ContainerList": containers.list_containers,
            "ContainerStart": containers.start,
            "ContainerStop": containers.stop,
            "ContainerKill": containers.kill,
            "ContainerRestart": containers.restart,
            "ContainerWait": containers.wait,
            "ContainerRemove": containers.remove,
            "ContainerPause": containers.pause,
            "ContainerUnpause": containers.unpause,
            "ContainerRename": containers.rename,
            "ContainerResize": containers.resize,
            "ContainerLogs": containers.logs,
            "ContainerAttach": containers.attach,
            "ContainerTop": containers.top,
            "ContainerStats": containers.stats,
            "ContainerUpdate": containers.update,
            "ContainerExec": execs.create,
            "ExecStart": execs.start,
            "ExecInspect": execs.inspect,
            "ExecResize": execs.resize,
        }


def _spool_dir(home: Path) -> Path:
    """``<home>/tmp``, emptied: what is spooled there (image archives being loaded) is left only
    by a pouchd that was killed."""
    spool = home / "tmp"
    shutil.rmtree(spool, ignore_errors=True)
    spool.mkdir(mode=0o700)
    return spool


def setup_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Keep third-party chatter at INFO even in debug mode; our access log is the per-request line.
    for name in ("uvicorn", "uvicorn.error", "connexion", "asyncio", "httpx", "httpcore", "grpc"):
        logging.getLogger(name).setLevel(logging.WARNING if name != "uvicorn.error" else logging.INFO)
    # connexion warns at every start that an operation taking a body in two types (pouch's pull
    # and load do) reads it as the first; pouchd's handlers read either.
    logging.getLogger("connexion.operations.openapi3").setLevel(logging.ERROR)


ServerGroup = tuple[uvicorn.Config, list[Listener]]


def _server_configs(app: Any, config: DaemonConfig, listeners: list[Listener]) -> list[ServerGroup]:
    """One uvicorn server per kind of listener: unix sockets and plain TCP, and TLS TCP.

    TLS applies to tcp listeners only (unix sockets are guarded by file permissions), so with
    --tlscert the two kinds need different protocols; both run in this one process. uvicorn gets
    no ssl settings: the TLS listeners' protocol runs TLS itself, so that plain HTTP sent to them
    gets Go's answer (pouch_server/tls.py). Raises OSError or ssl.SSLError for an unusable
    certificate or key.
    """
    # ws="none": the API has no WebSocket endpoint, and uvicorn's default imports a WebSocket
    # library at start-up to serve upgrades nobody can make. proxy_headers=False: no proxy stands
    # in front of the daemon, so X-Forwarded-For from a local client must not rewrite its address
    # (uvicorn trusts it from 127.0.0.1 by default, in a layer run on every request).
    # timeout_keep_alive: an idle keep-alive connection is closed after pouch's IdleTimeout (10
    # minutes, apis/server/server.go); uvicorn's 5 s would make a client that pauses a few
    # seconds between requests (docker-py's pool) race the close with its next request.
    common: dict[str, Any] = dict(
        lifespan="off",
        ws="none",
        proxy_headers=False,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=10,
        timeout_keep_alive=IDLE_TIMEOUT,
        server_header=False,
        date_header=True,
    )
    limits = Limits(
        header_timeout=config.header_timeout, body_timeout=config.body_timeout, max_body_bytes=config.max_body_size
    )
    secure = [lst for lst in listeners if config.tlscert and lst.address.scheme == "tcp"]
    plain = [lst for lst in listeners if lst not in secure]
    out: list[ServerGroup] = []
    if plain:
        out.append((uvicorn.Config(app, http=protocol_for(limits), **common), plain))
    if secure:
        assert config.tlscert and config.tlskey  # validated together (config.validate)
        context = tls.server_context(config.tlscert, config.tlskey, config.tlscacert, config.tlsverify)
        http = tls.listener_protocol(protocol_for(limits, tls=True), context, limits.header_timeout)
        out.append((uvicorn.Config(app, http=http, **common), secure))
    return out


def _warn_insecure_tcp(config: DaemonConfig, listeners: list[Listener]) -> None:
    if config.tlscert:
        return
    for lst in listeners:
        if lst.address.scheme == "tcp" and not _is_loopback(lst.address.host):
            log.warning(
                "listening on %s without TLS: anyone who can reach it controls this daemon; "
                "use --tlscert/--tlskey/--tlsverify",
                lst.url,
            )


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
    log.debug(
        "event-loop steps over %.0f ms are logged (%s.%s in debug mode)",
        SLOW_CALLBACK_SECONDS * 1000,
        kind.__module__,
        kind.__qualname__,
    )


#: How long, once ``daemon stop`` is published, event streams get to send it before they are ended.
STREAM_FLUSH_SECONDS = 0.05


class Lifecycle:
    """One run of pouchd. :meth:`start` takes start-up's steps in order, :meth:`wait` serves until
    a signal (or until a server ends on its own), :meth:`stop` winds down.

    Each step that takes hold of something (the pidfile, the listeners, the signal handlers, the
    running servers) registers its release at once; they are released in reverse order, at the
    end of :meth:`stop`, or as soon as a step of :meth:`start` fails.
    """

    daemon: Daemon
    app: Any

    def __init__(self, config: DaemonConfig) -> None:
        self.config = config
        self.listeners: list[Listener] = []
        self.servers: list[tuple[Server, list[Listener]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._loop = asyncio.get_running_loop()
        self._release = contextlib.AsyncExitStack()
        self._stopping = asyncio.Event()

    async def start(self) -> bool:
        """Start serving; False when a server ended before it served (all is released then)."""
        try:
            self._watch_the_loop()
            self._write_pidfile()
            self._bind_listeners()
            self._build_daemon()
            self._set_up_servers()
            await self._start_engine()
            self._install_signal_handlers()
            self._publish("start")
            ready = await self._serve_until_ready()
        except BaseException:
            await self._release.aclose()
            raise
        if not ready:
            await self._release.aclose()
            return False
        self._announce()
        self._freeze_start_up()
        return True

    async def wait(self) -> None:
        """Serve until SIGTERM or SIGINT, or until a server ends on its own."""
        stopping = asyncio.create_task(self._stopping.wait())
        await asyncio.wait({*self._tasks, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()

    async def stop(self) -> None:
        """``daemon stop`` to the event streams, the streams ended, the servers drained (open
        requests finish), then all that start-up took hold of released."""
        log.info("pouchd shutting down")
        try:
            self._publish("stop")
            await asyncio.sleep(STREAM_FLUSH_SECONDS)  # let streams flush the stop event...
            self.daemon.events.close()  # ...then end them, so that the servers can drain
            for srv, _ in self.servers:
                srv.stop()
            await asyncio.gather(*self._tasks)
        finally:
            await self._release.aclose()

    # --- start-up's steps ---------------------------------------------------------------
    def _watch_the_loop(self) -> None:
        if self.config.debug:
            report_slow_callbacks(self._loop)

    def _write_pidfile(self) -> None:
        # First, as pouch does: with a daemon already running on this pidfile, nothing is touched.
        if self.config.pidfile:
            pidfile = Pidfile.create(self.config.pidfile)
            self._release.callback(pidfile.remove)

    def _bind_listeners(self) -> None:
        self.listeners = bind_all(self.config.listen, group=self.config.group)
        self._release.callback(self._close_listeners)

    def _close_listeners(self) -> None:
        for lst in self.listeners:
            lst.close()

    def _build_daemon(self) -> None:
        config = self.config
        try:
            self.daemon = daemon = Daemon(config, [lst.url for lst in self.listeners])
        except OSError as e:  # the home directory cannot be made or used (a file there, no permission)
            raise ConfigError(f"cannot use home directory {config.home_dir}: {e.strerror or e}") from None
        self.app = create_app(
            daemon.operations(),
            debug=config.debug,
            validate_responses=config.validate_responses,
            observe=daemon.metrics.observe,
            manager_whitelist=frozenset(config.manager_whitelist),
        )

    async def _start_engine(self) -> None:
        # As pouch: no API is served before containerd answers, and without it pouchd does not start.
        try:
            await self.daemon.start_engine()
        except ContainerdError as e:
            raise ConfigError(f"failed to start containerd: {e}") from None
        self._release.push_async_callback(self.daemon.stop_engine)

    def _set_up_servers(self) -> None:
        try:
            groups = _server_configs(self.app, self.config, self.listeners)
            for cfg, _ in groups:
                cfg.load()  # uvicorn's own set-up, done before anything is served
        except (OSError, ssl.SSLError) as e:
            raise ConfigError(f"cannot set up TLS: {e}") from None
        # uvicorn's servers without their own signal handling: pouchd stops them together.
        self.servers = [(Server(cfg), group) for cfg, group in groups]
        _warn_insecure_tcp(self.config, self.listeners)

    def _install_signal_handlers(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._loop.add_signal_handler(sig, self._on_signal)
            self._release.callback(self._loop.remove_signal_handler, sig)

    def _on_signal(self) -> None:
        if self._stopping.is_set():  # a second signal (a second Ctrl-C): stop waiting for clients
            log.warning("stopping now, without waiting for open connections")
            for srv, _ in self.servers:
                srv.stop_now()
        self._stopping.set()

    def _publish(self, action: str) -> None:
        # `daemon start` is published before the servers accept anything: a client that gets an
        # answer (even the first /_ping) always finds it in the history.
        daemon = self.daemon
        daemon.events.publish("daemon", action, daemon.id, {"name": daemon.system.facts.hostname})

    async def _serve_until_ready(self) -> bool:
        """Start the servers and wait until all of them listen; False if one ended first (its
        error, if it ended with one, is raised)."""
        self._tasks = [
            asyncio.create_task(srv.serve(sockets=[lst.sock for lst in group])) for srv, group in self.servers
        ]
        self._release.push_async_callback(self._end_servers)
        while not all(srv.is_serving for srv, _ in self.servers) and not any(t.done() for t in self._tasks):
            await asyncio.sleep(0.01)
        for t in self._tasks:
            if t.done():
                t.result()
                return False
        return True

    async def _end_servers(self) -> None:
        """Servers still running when start-up failed or another one ended: stopped, not waited for."""
        if all(t.done() for t in self._tasks):
            return
        for srv, _ in self.servers:
            srv.stop_now()
            srv.stop()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _announce(self) -> None:
        for lst in self.listeners:
            log.info(
                "pouchd listening on %s%s",
                lst.url,
                " (TLS)" if self.config.tlscert and lst.address.scheme == "tcp" else "",
            )

    def _freeze_start_up(self) -> None:
        # What start-up built (modules, the spec, connexion's app: some 50,000 objects that the
        # collector tracks) lives as long as the daemon. Frozen, full collections no longer walk
        # it: each took ~15 ms of the event loop, a stall for every request queued behind it (p99
        # at 64 connections). No collection first: start-up leaves ~100 unreachable objects, and
        # a collection here would hold up the first requests. The `pouchd` command started with
        # the collector off (pouch_server/start.py); from here it runs as usual.
        gc.freeze()
        gc.enable()


async def serve(config: DaemonConfig) -> int:
    """Run pouchd until it is told to stop: 0, or 1 when a server ended before it served."""
    lifecycle = Lifecycle(config)
    if not await lifecycle.start():
        return 1
    try:
        await lifecycle.wait()
    finally:
        await lifecycle.stop()
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
