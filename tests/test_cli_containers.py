"""The pouch CLI's container commands end to end: the installed ``pouch`` against a real pouchd on
the test run's containerd, running the busybox test image (pushed to a loopback docker-registry,
pulled by ``run`` itself the first time). Containers only ever get ``--net none``.

Formats and request bodies are checked without a daemon in tests/test_cli_container_format.py.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from engine import on_a_terminal
from helpers import POUCH, PouchD, run_pouch
from registry import Registry, missing_tools
from tls_certs import CA

from pouch_testing.containerd import Containerd
from pouch_testing.images import build_busybox_image, busybox_missing, push

E2E_SKIP = Containerd.available() or busybox_missing() or missing_tools(htpasswd=False)
pytestmark = pytest.mark.skipif(bool(E2E_SKIP), reason=str(E2E_SKIP))

Pouch = Callable[..., subprocess.CompletedProcess[str]]
ID64 = re.compile(r"[0-9a-f]{64}")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with Registry(tmp_path_factory.mktemp("registry")) as reg:
        push(build_busybox_image(), reg.address, "test/busybox", "v1")
        yield reg


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Iterator[PouchD]:
    with PouchD(tmp_path_factory.mktemp("pouchd"), "--insecure-registries", registry.address).start() as d:
        yield d


@pytest.fixture(scope="module")
def image(registry: Registry) -> str:
    return f"{registry.address}/test/busybox:v1"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def pouch(daemon: PouchD, home: Path) -> Pouch:
    """``pouch(*args, input=None, timeout=60)``: the installed command on this module's daemon."""

    def run(*args: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return run_pouch(*args, host=daemon.host, env={"HOME": str(home)}, input=input, timeout=timeout)

    return run


@pytest.fixture(scope="module")
def pulled(pouch: Pouch, image: str) -> str:
    """The image, pulled by the first ``run`` (as pouch's run pulls a missing image)."""
    r = pouch("run", "--net", "none", "--rm", image, "true", timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"{image}: resolved" in r.stdout  # the pull's progress came first
    return image


def names_of(pouch: Pouch) -> set[str]:
    r = pouch("ps", "-a")
    assert r.returncode == 0, r.stderr
    return {line.split()[0] for line in r.stdout.splitlines()[1:]}


def test_run_prints_the_output_and_exits_0(pouch: Pouch, pulled: str) -> None:
    r = pouch("run", "--net", "none", "--name", "hello", pulled, "echo", "hello")
    assert (r.returncode, r.stdout, r.stderr) == (0, "hello\n", "")
    r = pouch("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.Name}}", "hello")
    assert (r.returncode, r.stdout) == (0, "exited 0 hello\n")
    assert pouch("rm", "hello").stdout == "hello\n"


def test_run_keeps_stdout_and_stderr_apart(pouch: Pouch, pulled: str) -> None:
    r = pouch("run", "--net", "none", "--rm", pulled, "sh", "-c", "echo out; echo err >&2")
    assert (r.returncode, r.stdout, r.stderr) == (0, "out\n", "err\n")


def test_run_exit_code_propagates(pouch: Pouch, pulled: str) -> None:
    r = pouch("run", "--net", "none", "--name", "three", pulled, "sh", "-c", "exit 3")
    assert (r.returncode, r.stdout, r.stderr) == (3, "", "")
    r = pouch("wait", "three")
    assert (r.returncode, r.stdout) == (0, "3\n")
    assert pouch("rm", "three").returncode == 0


def test_run_rm_leaves_no_container(pouch: Pouch, pulled: str) -> None:
    r = pouch("run", "--net", "none", "--rm", "--name", "gone", pulled, "sh", "-c", "echo bye; exit 2")
    assert (r.returncode, r.stdout) == (2, "bye\n")
    assert "gone" not in names_of(pouch)
    r = pouch("inspect", "gone")
    assert r.returncode == 1 and r.stderr.startswith("Error: Fetch object error: ")


def test_run_with_stdin_piped(pouch: Pouch, pulled: str) -> None:
    r = pouch("run", "--net", "none", "--rm", "-i", pulled, "cat", input="hi\nthere\n")
    assert (r.returncode, r.stdout, r.stderr) == (0, "hi\nthere\n", "")
    r = pouch("run", "--net", "none", "--rm", "-i", pulled, "sh", "-c", "wc -l; exit 4", input="a\nb\nc\n")
    assert (r.returncode, r.stdout.strip()) == (4, "3")


def test_run_flags_reach_the_container(pouch: Pouch, pulled: str) -> None:
    r = pouch(
        "run", "--net", "none", "--rm", "-e", "GREETING=hi there", "-w", "/tmp", "-u", "nobody",
        "--hostname", "boxy", "-l", "team=cli", pulled, "sh", "-c", 'echo "$GREETING"; pwd; id -u; hostname',
    )  # fmt: skip
    assert (r.returncode, r.stdout, r.stderr) == (0, "hi there\n/tmp\n65534\nboxy\n", "")


def test_detached_run_ps_logs_exec_stop_rm(pouch: Pouch, pulled: str) -> None:
    r = pouch(
        "run", "-d", "--net", "none", "--name", "web", "--restart", "no", "-m", "64m", pulled,
        "sh", "-c", "echo started; echo oops >&2; while true; do sleep 1; done",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    container_id = r.stdout.strip()
    assert ID64.fullmatch(container_id), r.stdout
    try:
        r = pouch("ps")
        assert r.returncode == 0
        header, *rows = r.stdout.splitlines()
        assert re.fullmatch(r"Name +ID +Status +Created +Image +Runtime", header)
        assert header.startswith("Name   ") and "   ID   " in header
        row = next(line for line in rows if line.startswith("web "))
        assert re.fullmatch(
            rf"web +{container_id[:6]} +Up \d+ seconds? +\d+ seconds? ago +{re.escape(pulled)} +\S+", row
        ), row
        assert container_id[:6] in pouch("ps", "-q").stdout.split()
        assert container_id in pouch("ps", "-q", "--no-trunc").stdout.split()
        assert pouch("ps", "-q", "-f", "name=web").stdout.split() == [container_id[:6]]
        assert pouch("ps", "-q", "-f", "name=nosuchname").stdout == ""

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = pouch("logs", "web")
            if r.stdout and r.stderr:
                break
            time.sleep(0.2)
        assert (r.returncode, r.stdout, r.stderr) == (0, "started\n", "oops\n")
        r = pouch("logs", "-t", "--tail", "1", "web")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (started|oops)\n", r.stdout + r.stderr)
        r = pouch("logs", "--since", "10m", "--until", "2099-01-01T00:00:00Z", "web")
        assert (r.returncode, r.stdout) == (0, "started\n"), r.stderr

        r = pouch("exec", "web", "sh", "-c", "echo in; echo ex >&2; exit 5")
        assert (r.returncode, r.stdout, r.stderr) == (5, "in\n", "ex\n")
        r = pouch("exec", "-e", "X=1", "-w", "/etc", "web", "sh", "-c", 'echo "$X $(pwd)"')
        assert (r.returncode, r.stdout) == (0, "1 /etc\n"), r.stderr
        r = pouch("exec", "-i", "web", "cat", input="via exec\n")
        assert (r.returncode, r.stdout) == (0, "via exec\n"), r.stderr
        r = pouch("exec", "-d", "web", "sleep", "1")
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")

        r = pouch("top", "web")
        assert r.returncode == 0, r.stderr
        assert "PID" in r.stdout.splitlines()[0] and "    " in r.stdout.splitlines()[0]
        assert any("sleep" in line or "sh -c" in line for line in r.stdout.splitlines()[1:])

        r = pouch("stats", "--no-stream", "web")
        assert r.returncode == 0, r.stderr
        header, row = r.stdout.splitlines()
        assert header.split("   ") == ["CONTAINER ID", "NAME", "CPU %", "MEM %", "MEM USAGE / LIMIT", "NET I/O",
                                       "BLOCK I/O", "PIDS"]  # fmt: skip
        assert row.startswith(container_id[:12] + "   web   ")

        r = pouch("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NetworkMode}} {{.ID}}", "web")
        assert (r.returncode, r.stdout) == (0, f"{64 * 1024 * 1024} none {container_id}\n")
        r = pouch("inspect", "web")
        assert r.returncode == 0 and r.stdout.startswith("[\n    {\n        ")
        (info,) = json.loads(r.stdout)
        assert info["Id"] == container_id and list(info) == sorted(info)

        r = pouch("update", "--restart", "always", "-l", "tier=front", "web")
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
        r = pouch("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}", "web")
        assert r.stdout == "always\n"

        assert pouch("pause", "web").stdout == "web\n"
        r = pouch("ps", "-f", "name=web")
        assert "(paused)" in r.stdout.splitlines()[1]
        assert pouch("unpause", "web").stdout == "web\n"

        r = pouch("stop", "-t", "1", "web")
        assert (r.returncode, r.stdout) == (0, "web\n"), r.stderr
        assert pouch("inspect", "-f", "{{.State.Running}}", "web").stdout == "false\n"
        assert "web" in names_of(pouch) and container_id[:6] not in pouch("ps", "-q").stdout.split()
        assert container_id[:6] in pouch("ps", "-a", "-q").stdout.split()
    finally:
        r = pouch("rm", "-f", "web")
    assert (r.returncode, r.stdout) == (0, "web\n"), r.stderr
    assert container_id[:6] not in pouch("ps", "-a", "-q").stdout.split()


def test_create_start_attach_restart_rename_kill(pouch: Pouch, pulled: str) -> None:
    r = pouch("create", "--net", "none", "--name", "later", pulled, "sh", "-c", "echo ran; exit 7")
    assert r.returncode == 0, r.stderr
    assert ID64.fullmatch(r.stdout.strip())
    assert pouch("inspect", "-f", "{{.State.Status}}", "later").stdout == "created\n"
    r = pouch("start", "-a", "later")
    assert (r.returncode, r.stdout) == (7, "ran\n"), r.stderr
    assert pouch("rename", "later", "renamed").returncode == 0
    assert "renamed" in names_of(pouch) and "later" not in names_of(pouch)
    assert pouch("rm", "renamed").stdout == "renamed\n"

    r = pouch("run", "-d", "--net", "none", "--name", "sleeper", pulled, "sleep", "300")
    assert r.returncode == 0, r.stderr
    try:
        assert pouch("restart", "-t", "1", "sleeper").stdout == "sleeper\n"
        assert pouch("inspect", "-f", "{{.State.Running}} {{.RestartCount}}", "sleeper").stdout == "true 1\n"
        r = pouch("kill", "sleeper")
        assert (r.returncode, r.stdout) == (0, "sleeper\n"), r.stderr
        r = pouch("wait", "sleeper")
        assert (r.returncode, r.stdout) == (0, "137\n")
        assert pouch("start", "sleeper").stdout == "sleeper\n"
    finally:
        assert pouch("rm", "-f", "sleeper").returncode == 0


def test_unknown_containers_are_one_error_line_each(pouch: Pouch) -> None:
    commands = [
        ["inspect", "nosuch"],
        ["logs", "nosuch"],
        ["exec", "nosuch", "true"],
        ["top", "nosuch"],
        ["rename", "nosuch", "other"],
        ["update", "-m", "10m", "nosuch"],
        ["start", "-a", "nosuch"],
    ]
    for args in commands:
        r = pouch(*args)
        assert r.returncode == 1, (args, r)
        assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1 and "nosuch" in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr
    r = pouch("stop", "nosuch1", "nosuch2")
    assert (r.returncode, r.stdout) == (1, "")
    lines = r.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("Error: ") for line in lines), r.stderr
    assert "nosuch1" in lines[0] and "nosuch2" in lines[1]
    r = pouch("start", "nosuch")
    assert r.returncode == 1 and r.stderr.startswith("Error: failed to start containers: ")
    r = pouch("run", "--net", "none", "127.0.0.1:1/nosuch/image:v1", "true")
    assert r.returncode == 1 and r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1


def test_conflicting_run_options(pouch: Pouch, pulled: str) -> None:
    r = pouch("run", "-d", "--rm", "--net", "none", "--name", "conflict", pulled, "true")
    assert (r.returncode, r.stderr) == (1, "Error: Conflicting options: --rm and -d\n")
    pouch("rm", "-f", "conflict")  # pouch refuses only after the create, as pouch does
    r = pouch("run", "-t", "-i", "--net", "none", pulled, "true", input="")
    assert (r.returncode, r.stderr) == (1, "Error: the input device is not a TTY\n")


def test_sigterm_to_a_foreground_run_reaches_the_container(daemon: PouchD, home: Path, pulled: str) -> None:
    proc = subprocess.Popen(
        [POUCH, "-H", daemon.host, "run", "--net", "none", "--rm", pulled, "sh", "-c",
         "trap 'echo got TERM; exit 9' TERM; echo ready; while true; do sleep 1; done"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert (proc.returncode, out, err) == (9, "got TERM\n", "")


def test_run_and_exec_over_tls(tmp_path: Path, registry: Registry, image: str, home: Path) -> None:
    """The hijacked streams over TLS, with the client certificate pouchd asks for (a TLS stream
    cannot be half-closed: no piped stdin here)."""
    ca = CA(tmp_path / "ca")
    server, client = ca.issue("server", "pouchd", server=True), ca.issue("admin", "admin")
    flags = ["--tlscert", str(server.cert), "--tlskey", str(server.key), "--tlscacert", str(ca.pem), "--tlsverify"]
    (tmp_path / "d").mkdir()
    with PouchD(tmp_path / "d", *flags, "--insecure-registries", registry.address).start() as d:
        tls = ["--tlsverify", "--tlscacert", str(ca.pem), "--tlscert", str(client.cert), "--tlskey", str(client.key)]

        def pouch(*args: str) -> subprocess.CompletedProcess[str]:
            return run_pouch(*tls, *args, host=f"tcp://127.0.0.1:{d.port}", env={"HOME": str(home)}, timeout=120)

        r = pouch("run", "--net", "none", "--rm", image, "sh", "-c", "echo over tls; exit 6")
        assert (r.returncode, r.stdout.splitlines()[-1:]) == (6, ["over tls"]), r.stderr  # after the pull's lines
        assert pouch("run", "-d", "--net", "none", "--name", "tls", image, "sleep", "300").returncode == 0
        r = pouch("exec", "tls", "sh", "-c", "echo exec; echo err >&2; exit 3")
        assert (r.returncode, r.stdout, r.stderr) == (3, "exec\n", "err\n")
        assert pouch("rm", "-f", "tls").stdout == "tls\n"


def test_run_and_exec_on_a_terminal(daemon: PouchD, home: Path, pulled: str) -> None:
    typed = b"stty size; echo $((6*7)); exit 4\r"
    code, text = on_a_terminal(
        [POUCH, "-H", daemon.host, "run", "-it", "--rm", "--net", "none", pulled, "sh"], home, typed
    )
    assert code == 4, text
    assert "\n33 111\n42\n" in text  # the terminal's size reached the container; keys typed went in raw
    r = run_pouch("run", "-d", "--net", "none", "--name", "termy", pulled, "sleep", "300", host=daemon.host)
    assert r.returncode == 0, r.stderr
    try:
        code, text = on_a_terminal([POUCH, "-H", daemon.host, "exec", "-it", "termy", "sh"], home, typed)
        assert code == 4 and "\n33 111\n42\n" in text, text
    finally:
        run_pouch("rm", "-f", "termy", host=daemon.host)


def test_the_detach_keys_leave_run_and_exec_with_the_container_running(daemon: PouchD, home: Path, pulled: str) -> None:
    """ctrl-p ctrl-q typed on a terminal (or ``--detach-keys``) ends ``run -it`` and ``exec -it``
    at once with 0, as the Docker CLI does; the container and the exec'd shell run on."""

    def running(name: str) -> bool:
        r = run_pouch("inspect", name, host=daemon.host)
        return bool(json.loads(r.stdout)[0]["State"]["Running"])

    base = [POUCH, "-H", daemon.host]
    try:
        code, text = on_a_terminal([*base, "run", "-it", "--name", "away", "--net", "none", pulled, "sh"], home,
                                   [b"\x10", b"\x11"], timeout=30)  # fmt: skip
        assert code == 0 and running("away"), text
        # both keys in one write: found all the same
        code, text = on_a_terminal([*base, "exec", "-it", "away", "sh"], home, b"\x10\x11", timeout=30)
        assert code == 0 and running("away"), text
        code, text = on_a_terminal(
            [*base, "run", "-it", "--detach-keys", "ctrl-x,q", "--name", "away2", "--net", "none", pulled, "sh"],
            home, b"\x18q", timeout=30,
        )  # fmt: skip
        assert code == 0 and running("away2"), text
        r = run_pouch("run", "-it", "--detach-keys", "ctrl-", pulled, "sh", host=daemon.host)
        assert r.returncode != 0 and r.stderr.startswith("Error: Invalid detach keys (ctrl-)"), r.stderr
    finally:
        run_pouch("rm", "-f", "away", "away2", host=daemon.host)


def test_logs_follow_ends_with_the_container(pouch: Pouch, pulled: str) -> None:
    r = pouch(
        "run",
        "-d",
        "--net",
        "none",
        "--name",
        "ticker",
        pulled,
        "sh",
        "-c",
        "for i in 1 2 3; do echo tick $i; sleep 1; done",
    )
    assert r.returncode == 0, r.stderr
    try:
        r = pouch("logs", "-f", "ticker", timeout=30)
        assert (r.returncode, r.stdout) == (0, "tick 1\ntick 2\ntick 3\n"), r.stderr
    finally:
        pouch("rm", "-f", "ticker")
