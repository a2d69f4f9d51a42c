"""pouchd's own containerd (pouch_server/ctrd/supervisor.py), with Debian's containerd on a private
socket, root and state under the test's directory, never the host's: started, adopted by a later
supervisor (a pouchd that was killed and started again), restarted when it dies, stopped with
nothing left behind.

Each step runs on an event loop of its own (uvloop, as in pouchd): a loop that ends without
stop() is a pouchd that died, and its containerd lives on.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
import uvloop

from pouch_server.ctrd.client import ContainerdClient
from pouch_server.ctrd.supervisor import ContainerdError, ContainerdOptions, Supervisor
from pouch_testing.containerd import Containerd, mounts_under

T = TypeVar("T")

pytestmark = pytest.mark.skipif(Containerd.available() is not None, reason=str(Containerd.available()))


def run(make: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await make()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


@pytest.fixture
def options(tmp_path: Path) -> ContainerdOptions:
    # A unix socket's path is at most 107 bytes (containerd adds ".ttrpc"): pytest's are shorter.
    assert len(str(tmp_path / "c.sock.ttrpc")) < 107
    return ContainerdOptions(
        binary="containerd",
        address=str(tmp_path / "c.sock"),
        root=tmp_path / "containerd" / "root",
        state=tmp_path / "containerd" / "state",
    )


class Watched:
    """A supervisor whose readiness probe is the containerd client's Version call."""

    def __init__(self, options: ContainerdOptions) -> None:
        self.options = options
        self.restarted = 0

    async def start(self) -> tuple[Supervisor, ContainerdClient]:
        client = ContainerdClient(self.options.address)

        async def ready() -> object:
            return await client.version(timeout=1)

        def counted() -> None:
            self.restarted += 1

        supervisor = Supervisor(self.options, ready, on_restart=counted)
        await supervisor.start()
        return supervisor, client


def test_start_then_stop_leaves_nothing_behind(options: ContainerdOptions) -> None:
    async def scenario() -> tuple[int, str, bool]:
        supervisor, client = await Watched(options).start()
        assert supervisor.pid is not None and not supervisor.adopted
        version = (await client.version()).version
        pid_file = options.pid_file.read_text().strip()
        await supervisor.stop()
        await client.close()
        return supervisor.pid, version + " " + pid_file, Path(options.address).exists()

    pid, seen, socket_left = run(scenario)
    assert seen.split()[1] == str(pid)
    assert not alive(pid) and not socket_left and not options.pid_file.exists()
    assert "version = 2" in options.config_file.read_text()
    assert not mounts_under(options.root) and not mounts_under(options.state)


def test_a_later_supervisor_adopts_the_containerd_its_home_started(options: ContainerdOptions) -> None:
    first = run(lambda: Watched(options).start())[0]  # the loop ends without stop(): pouchd died
    pid = first.pid
    assert pid is not None and alive(pid)

    async def again() -> tuple[Supervisor, str]:
        supervisor, client = await Watched(options).start()
        version = (await client.version()).version
        await client.close()
        return supervisor, version

    try:
        second, version = run(again)
        assert second.adopted and second.pid == pid and version
    finally:

        async def stop() -> None:
            supervisor, client = await Watched(options).start()
            await client.close()
            await supervisor.stop()

        run(stop)
    assert not alive(pid) and not options.pid_file.exists()


def test_a_dead_containerd_is_restarted_and_counted(options: ContainerdOptions) -> None:
    watched = Watched(options)

    async def scenario() -> tuple[int, int, int, str]:
        supervisor, client = await watched.start()
        first = supervisor.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while (supervisor.pid == first or supervisor.restarts == 0) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        version = ""
        while not version and time.monotonic() < deadline:
            try:
                version = (await client.version(timeout=1)).version
            except Exception:
                await asyncio.sleep(0.05)
        second = supervisor.pid
        assert second is not None
        await supervisor.stop()
        await client.close()
        return first, second, supervisor.restarts, version

    first, second, restarts, version = run(scenario)
    assert second != first and restarts == 1 == watched.restarted and version
    assert not alive(first) and not alive(second)
    assert not options.pid_file.exists()


def test_a_stale_pid_file_and_socket_are_replaced(options: ContainerdOptions) -> None:
    options.state.mkdir(parents=True)
    options.pid_file.write_text(f"{os.getpid()}\n")  # alive, but not containerd: not adopted
    Path(options.address).touch()  # a socket file left by a containerd that is gone

    async def scenario() -> tuple[bool, int | None]:
        supervisor, client = await Watched(options).start()
        await client.close()
        adopted, pid = supervisor.adopted, supervisor.pid
        await supervisor.stop()
        return adopted, pid

    adopted, pid = run(scenario)
    assert not adopted and pid != os.getpid()


def test_a_missing_binary_is_a_clear_error(options: ContainerdOptions) -> None:
    with pytest.raises(ContainerdError, match="containerd binary 'no-such-containerd' not found"):
        Supervisor(
            ContainerdOptions(
                binary="no-such-containerd", address=options.address, root=options.root, state=options.state
            ),
            ready=lambda: asyncio.sleep(0),
        )


def test_a_containerd_that_cannot_start_is_a_clear_error(options: ContainerdOptions, tmp_path: Path) -> None:
    # A socket path longer than a unix socket's may be: containerd exits at once.
    broken = ContainerdOptions(
        binary="containerd", address=str(tmp_path / ("x" * 120) / "c.sock"), root=options.root, state=options.state
    )

    async def never() -> object:
        raise OSError("not answering")

    async def scenario() -> None:
        supervisor = Supervisor(broken, ready=never)
        try:
            await supervisor.start()
        finally:
            await supervisor.stop()

    with pytest.raises(ContainerdError, match="exited during start-up"):
        run(scenario)
    assert broken.log_file.read_text().strip()  # containerd's own words are kept there


def test_a_home_that_cannot_hold_containerd_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    broken = ContainerdOptions(
        binary="containerd", address=str(tmp_path / "file" / "c.sock"), root=tmp_path / "root", state=tmp_path / "state"
    )

    async def scenario() -> None:
        await Supervisor(broken, ready=lambda: asyncio.sleep(0)).start()

    with pytest.raises(ContainerdError, match=r"cannot start containerd: .*Not a directory"):
        run(scenario)


def test_a_test_containerd_and_pouchds_use_the_same_configuration(options: ContainerdOptions) -> None:
    from pouch_common.containerd import config_toml

    assert options.config() == config_toml(options.root, options.state, Path(options.address))
