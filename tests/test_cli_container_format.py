"""The pouch CLI's container commands, their pure parts: flags to request bodies (pouch's
cli/container.go, apis/opts), ps/top/stats tables (cli/ps.go, cli/top.go, cli/stats_helpers.go),
stdcopy demultiplexing, ``--since``/``--until`` (pkg/utils/timeutils.go), and the hijacked
connection against a socket that answers as pouchd would. No daemon here: tests/test_cli_containers.py
runs the commands end to end."""

from __future__ import annotations

import argparse
import os
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pouch_cli import exec as exec_cmd
from pouch_cli import ps, stats, top, update
from pouch_cli.attach import Demuxer, demux_all, hijack, write_output
from pouch_cli.client import ClientOptions
from pouch_cli.container_common import for_each, format_interval, time_ago
from pouch_cli.container_flags import (
    create_body,
    parse_devices,
    parse_networks,
    parse_restart_policy,
    parse_ulimits,
    ram_in_bytes,
    read_env_files,
)
from pouch_cli.errors import CLIError
from pouch_cli.events import NS
from pouch_cli.logs import log_params, unix_timestamp
from pouch_cli.main import GLOBAL_PARAMS, load_command, make_parser

ID = "90719b5f9a455b3314a49e72e3ecb9962f215e0f90153aa8911882acf2ba2c84"


def parse(command: str, *argv: str) -> argparse.Namespace:
    """``argv`` parsed as ``pouch <command>`` parses it."""
    module = load_command(command)
    parser = make_parser(f"pouch {command}", module.HELP, module.PARAMS, inherited=GLOBAL_PARAMS[:-1])
    extend = getattr(module, "extend_parser", None)
    if extend is not None:
        extend(parser)
    return parser.parse_args(list(argv))


def body_of(*argv: str, open_stdin: bool = False) -> dict[str, object]:
    args = parse("run", *argv)
    return create_body(args, args.image, args.command, open_stdin)


# --------------------------------------------------------------------------- run/create flags


def test_the_command_after_the_image_is_the_containers_own() -> None:
    args = parse("run", "--net", "none", "-e", "A=1", "busybox", "sh", "-c", "exit 3", "-e", "B")
    assert (args.image, args.command, args.env) == ("busybox", ["sh", "-c", "exit 3", "-e", "B"], ["A=1"])


def test_a_plain_run_body() -> None:
    assert body_of("--net", "none", "busybox", "echo", "hello") == {
        "Image": "busybox",
        "Cmd": ["echo", "hello"],
        "HostConfig": {"RestartPolicy": {"Name": "no"}, "NetworkMode": "none"},
        "NetworkingConfig": {"EndpointsConfig": {}},
    }
    # no --net: pouch's default network mode
    assert body_of("busybox")["HostConfig"] == {"RestartPolicy": {"Name": "no"}, "NetworkMode": "bridge"}


def test_flags_to_the_create_body() -> None:
    body = body_of(
        *("-e", "A=1", "-e", "B", "-w", "/tmp", "-u", "1000:1000", "-l", "a=b", "-l", "flag"),
        *("-v", "/src:/dst:ro", "--net", "host", "--restart", "on-failure:3", "-m", "20m"),
        *("--cpu-shares", "512", "--privileged", "--entrypoint", "/bin/sh -x", "--hostname", "box"),
        *("-t", "--memory-swap", "-1", "--sysctl", "net.ipv4.ip_forward=1", "--cap-add", "NET_ADMIN,SYS_TIME"),
        *("--log-opt", "max-size=1m", "--ulimit", "nofile=1024:2048", "--expose", "80", "--name", "web"),
        "busybox",
        open_stdin=True,
    )
    assert body == {
        "Image": "busybox",
        "Entrypoint": ["/bin/sh", "-x"],
        "Env": ["A=1", "B"],
        "WorkingDir": "/tmp",
        "User": "1000:1000",
        "Hostname": "box",
        "Labels": {"a": "b", "flag": ""},
        "Tty": True,
        "OpenStdin": True,
        "ExposedPorts": {"80/tcp": {}},
        "HostConfig": {
            "Binds": ["/src:/dst:ro"],
            "CpuShares": 512,
            "Memory": 20 * 1024 * 1024,
            "MemorySwap": -1,
            "Ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 2048}],
            "Privileged": True,
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3},
            "Sysctls": {"net.ipv4.ip_forward": "1"},
            "CapAdd": ["NET_ADMIN", "SYS_TIME"],
            "NetworkMode": "host",
            "LogConfig": {"Type": "json-file", "Config": {"max-size": "1m"}},
        },
        "NetworkingConfig": {"EndpointsConfig": {}},
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--cpu-shares", "lots"), 'invalid argument "lots" for "--cpu-shares" flag'),
        (("-m", "12q"), "invalid size: '12q'"),
        (("--restart", "sometimes"), "invalid restart policy: sometimes"),
        (("--restart", "always:2"), "maximum retry count can not be used with restart policy: always"),
        (("--sysctl", "novalue"), "invalid sysctl novalue: sysctl must be in format of key=value"),
        (("--log-driver", "none", "--log-opt", "a=b"), "don't allow to set logging opts for driver none"),
        (("--specific-id", "abc"), "invalid param specific ID"),
        (("--ip", "10.0.0.300"), "invalid IPv4 address: 10.0.0.300"),
    ],
)
def test_bad_flags_are_one_error(argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(CLIError) as e:
        body_of(*argv, "busybox")
    assert message in str(e.value)


def test_ram_in_bytes_is_go_units() -> None:
    assert ram_in_bytes("100") == 100
    assert ram_in_bytes("1k") == ram_in_bytes("1KiB") == ram_in_bytes("1kb") == 1024
    assert ram_in_bytes("20m") == ram_in_bytes("20 MB") == 20 * 1024**2
    assert ram_in_bytes("1.5g") == int(1.5 * 1024**3)
    for bad in ("", "m", "-1", "1x", "1.2.3"):
        with pytest.raises(CLIError):
            ram_in_bytes(bad)


def test_restart_policies() -> None:
    assert parse_restart_policy(None) == {"Name": "no"}
    assert parse_restart_policy("always") == {"Name": "always"}
    assert parse_restart_policy("unless-stopped") == {"Name": "unless-stopped"}
    assert parse_restart_policy("on-failure") == {"Name": "on-failure"}
    assert parse_restart_policy("on-failure:5") == {"Name": "on-failure", "MaximumRetryCount": 5}
    for bad in ("on-failure:x", "on-failure:-1", "on-failure:1:2", "never"):
        with pytest.raises(CLIError):
            parse_restart_policy(bad)


def test_networks_as_pouch_parses_them() -> None:
    assert parse_networks([], None, None) == ("bridge", {})
    assert parse_networks(["none"], None, None) == ("none", {})
    assert parse_networks(["container:abc"], None, None) == ("container:abc", {})
    mode, endpoints = parse_networks(["br0:10.0.0.5"], None, None)
    assert (mode, endpoints) == ("br0", {"br0": {"IPAddress": "10.0.0.5", "IPAMConfig": {"IPv4Address": "10.0.0.5"}}})
    assert parse_networks(["bridge"], "172.17.0.9", None) == (
        "bridge",
        {"bridge": {"IPAMConfig": {"IPv4Address": "172.17.0.9"}}},
    )
    with pytest.raises(CLIError, match="cannot be empty"):
        parse_networks([""], None, None)


def test_devices_and_ulimits() -> None:
    assert parse_devices(["/dev/zero:/dev/testDev:rwm", "/dev/null", "/dev/fuse:r"]) == [
        {"PathOnHost": "/dev/zero", "PathInContainer": "/dev/testDev", "CgroupPermissions": "rwm"},
        {"PathOnHost": "/dev/null", "PathInContainer": "/dev/null", "CgroupPermissions": "rwm"},
        {"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse", "CgroupPermissions": "r"},
    ]
    assert parse_ulimits(["nproc=10"]) == [{"Name": "nproc", "Soft": 10, "Hard": 10}]
    with pytest.raises(CLIError):
        parse_ulimits(["nofile=10:5"])


def test_env_files_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FROM_SHELL", "yes")
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    env_file = tmp_path / "env"
    env_file.write_text("# comment\n\nA=1\n  B=two words\nFROM_SHELL\nNOT_SET_ANYWHERE\n")
    assert read_env_files([str(env_file)], ["C=3"]) == [
        "A=1",
        "B=two words",
        "FROM_SHELL=yes",
        "NOT_SET_ANYWHERE",
        "C=3",
    ]
    env_file.write_text("BAD NAME=1\n")
    with pytest.raises(CLIError, match="white spaces"):
        read_env_files([str(env_file)], [])


def test_exec_body_as_pouch_fills_it() -> None:
    args = parse("exec", "-i", "-e", "A=1", "-u", "nobody", "-w", "/tmp", "web", "sh", "-c", "echo $A")
    assert exec_cmd.exec_body(args) == {
        "Cmd": ["sh", "-c", "echo $A"],
        "Tty": False,
        "Detach": False,
        "AttachStderr": True,
        "AttachStdout": True,
        "AttachStdin": True,
        "Privileged": False,
        "User": "nobody",
        "Env": ["A=1"],
        "WorkingDir": "/tmp",
    }
    detached = exec_cmd.exec_body(parse("exec", "-d", "-i", "web", "sleep", "9"))
    assert (detached["AttachStdin"], detached["AttachStdout"], detached["Detach"]) == (False, False, True)


def test_update_body_has_only_what_was_given() -> None:
    args = parse("update", "-m", "30m", "--cpu-shares", "256", "--restart", "always", "-l", "a=b", "web")
    assert update.update_body(args) == {
        "CpuShares": 256,
        "Memory": 30 * 1024**2,
        "Label": ["a=b"],
        "RestartPolicy": {"Name": "always"},
    }
    assert update.update_body(parse("update", "web")) == {}


# --------------------------------------------------------------------------- ps, top, stats


def test_time_intervals_are_pouchs() -> None:
    assert format_interval(0.5) == "0 second"
    assert format_interval(-3) == "0 second"
    assert format_interval(1) == "1 second"
    assert format_interval(59) == "59 seconds"
    assert format_interval(60) == "1 minute"
    assert format_interval(3 * 3600 + 5) == "3 hours"
    assert format_interval(8 * 86400) == "1 week"
    assert format_interval(31 * 86400) == "1 month"
    assert format_interval(800 * 86400) == "2 years"
    assert time_ago(100, now=105) == "5 seconds ago"


def _container(cid: str, name: str, created: int, status: str = "Up 2 seconds") -> dict[str, object]:
    return {
        "Id": cid,
        "Names": [name],
        "Status": status,
        "Created": created,
        "Image": "registry.hub.docker.com/library/busybox:latest",
        "HostConfig": {"Runtime": "runc"},
    }


def test_ps_table_newest_first() -> None:
    other = "5a0ede" + "0" * 58
    containers = [_container(ID, "foo1", 1000, "created"), _container(other, "foo2", 1010)]
    assert ps.format_ps(containers, now=1012) == (
        "Name   ID       Status         Created          Image                                            Runtime\n"
        "foo2   5a0ede   Up 2 seconds   2 seconds ago    registry.hub.docker.com/library/busybox:latest   runc\n"
        "foo1   90719b   created        12 seconds ago   registry.hub.docker.com/library/busybox:latest   runc\n"
    )
    assert ps.format_ps(containers, quiet=True) == "5a0ede\n90719b\n"
    assert ps.format_ps(containers, quiet=True, no_trunc=True) == f"{other}\n{ID}\n"
    wide = ps.format_ps(containers[:1], no_trunc=True, now=1000).splitlines()
    assert wide[1].startswith(f"foo1   {ID}   created   0 second ago   ")
    assert ps.format_ps([], now=0) == "Name   ID   Status   Created   Image   Runtime\n"


def test_ps_filters_are_pouchs() -> None:
    assert ps.parse_filters(["name=web", "status=exited,label=a=b", "name= db "]) == {
        "name": ["web", "db"],
        "status": ["exited"],
        "label": ["a=b"],
    }
    assert ps.parse_filters([]) == {}
    with pytest.raises(CLIError, match="Bad format of filter, expected name=value"):
        ps.parse_filters(["web"])
    with pytest.raises(CLIError, match=r"Invalid filter before, accepted filter key: \[id label name status\]"):
        ps.parse_filters(["before=x"])


def test_top_is_tabwriter_padding_4() -> None:
    text = top.format_top(
        ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"],
        [["root", "28725", "28714", "0", "10:00", "?", "00:00:00", "sh -c sleep 100"]],
    )
    assert text == (
        "UID     PID      PPID     C    STIME    TTY    TIME        CMD\n"
        "root    28725    28714    0    10:00    ?      00:00:00    sh -c sleep 100\n"
    )


def test_stats_figures_and_row() -> None:
    sample = {
        "id": ID,
        "name": "web",
        "cpu_stats": {"cpu_usage": {"total_usage": 3_000, "percpu_usage": [1, 2]}, "syetem_cpu_usage": 200_000},
        "precpu_stats": {"cpu_usage": {"total_usage": 1_000}, "syetem_cpu_usage": 100_000},
        "memory_stats": {"usage": 3_000_000, "limit": 16 * 1024**3, "stats": {"cache": 316_736}},
        "blkio_stats": {
            "io_service_bytes_recursive": [{"op": "Read", "value": 14_700_000}, {"op": "Write", "value": 0}]
        },
        "pids_stats": {"current": 4},
        "networks": {"eth0": {"rx_bytes": 7320, "tx_bytes": 0}},
    }
    entry = stats.stats_entry(sample)
    assert entry["cpu"] == pytest.approx(4.0)  # 2000/100000 * 2 CPUs * 100
    assert stats.format_row(entry) == (
        ID[:12],
        "web",
        "4.00%",
        "0.02%",
        "2.559MiB / 16GiB",
        "7.32kB / 0B",
        "14.7MB / 0B",
        "4",
    )
    empty = stats.format_row(stats.stats_entry({"id": ID, "name": "idle"}))
    assert empty[2:] == ("0.00%", "0.00%", "0B / 0B", "0B / 0B", "0B / 0B", "0")
    assert stats.format_stats([]).startswith("CONTAINER ID   NAME   CPU %   MEM %   MEM USAGE / LIMIT   NET I/O")


def test_stats_stream_objects_one_after_another() -> None:
    chunks = [b'{"id":"a"}\n{"id"', b':"b"}{"id":"c"}', b"  "]
    assert [o["id"] for o in stats.iter_json(chunks)] == ["a", "b", "c"]


def test_for_each_prints_the_names_done_and_collects_the_failures(capsys: pytest.CaptureFixture[str]) -> None:
    def act(name: str) -> None:
        if name.startswith("bad"):
            raise CLIError(f"container {name}: not found")

    with pytest.raises(CLIError) as e:
        for_each(["a", "bad1", "b", "bad2"], act)
    assert capsys.readouterr().out == "a\nb\n"
    assert str(e.value) == "container bad1: not found\nError: container bad2: not found"
    for_each(["c"], lambda name: "0")  # what act returns, when a string, is printed instead
    assert capsys.readouterr().out == "0\n"


# --------------------------------------------------------------------------- stdcopy


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxI", stream, len(data)) + data


def test_stdcopy_frames_split_anywhere() -> None:
    stream = frame(1, b"out\n") + frame(2, b"err\n") + frame(1, b"") + frame(1, b"more")
    for cut in range(len(stream) + 1):
        d = Demuxer()
        got = d.feed(stream[:cut]) + d.feed(stream[cut:])
        assert got == [(1, b"out\n"), (2, b"err\n"), (1, b"more")], cut
        assert not d.raw and d.leftover() == b""
    assert demux_all(stream) == (b"out\nmore", b"err\n")


def test_an_unframed_stream_is_copied_as_it_is() -> None:
    d = Demuxer()
    assert d.feed(b"hello\n") == [(1, b"hello\n")]
    assert d.raw
    assert d.feed(frame(2, b"x")) == [(1, frame(2, b"x"))]  # once raw, always raw


def test_a_frame_cut_short_is_left_over() -> None:
    d = Demuxer()
    assert d.feed(frame(1, b"abc")[:6]) == []
    assert d.leftover() == frame(1, b"abc")[:6]


def test_write_output_demuxes_unless_tty(tmp_path: Path) -> None:
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("wb") as o, err.open("wb") as e:
        write_output(iter([frame(1, b"a"), frame(2, b"b")[:5], frame(2, b"b")[5:]]), False, o, e)
    assert (out.read_bytes(), err.read_bytes()) == (b"a", b"b")
    with out.open("wb") as o, err.open("wb") as e:
        write_output(iter([b"\x01\x00raw"]), True, o, e)
    assert (out.read_bytes(), err.read_bytes()) == (b"\x01\x00raw", b"")


# --------------------------------------------------------------------------- --since / --until

NOW = 1_764_326_000 * NS + 123_456_789


def test_log_times_as_pouchs_get_unix_timestamp() -> None:
    assert unix_timestamp("10m", now_ns=NOW) == str(1_764_326_000 - 600)
    assert unix_timestamp("1h30m", now_ns=NOW) == str(1_764_326_000 - 5400)
    assert unix_timestamp("1764320000") == "1764320000"
    assert unix_timestamp("0") == "0"
    assert unix_timestamp("2025-11-28T10:00:00Z") == "1764324000.000000000"
    assert unix_timestamp("2025-11-28T10:00:00.5+08:00") == "1764295200.500000000"
    local = int(datetime(2025, 11, 28, 10, 0).astimezone().timestamp())
    assert unix_timestamp("2025-11-28T10:00") == f"{local}.000000000"
    assert (
        unix_timestamp("2025-11-28", "--until") == f"{int(datetime(2025, 11, 28).astimezone().timestamp())}.000000000"
    )
    assert int(float(unix_timestamp("2025-11-28T10:00:00Z"))) == int(datetime(2025, 11, 28, 10, tzinfo=UTC).timestamp())
    for bad in ("yesterday", "10x", "2025-13-01"):
        with pytest.raises(CLIError):
            unix_timestamp(bad)


def test_log_query_as_pouchs_client_sends_it() -> None:
    assert log_params() == {"stdout": "1", "stderr": "1", "tail": "all"}
    assert log_params(follow=True, tail="2", since="10m", timestamps=True, details=True, now_ns=NOW) == {
        "stdout": "1",
        "stderr": "1",
        "since": str(1_764_326_000 - 600),
        "timestamps": "1",
        "follow": "1",
        "details": "1",
        "tail": "2",
    }


# --------------------------------------------------------------------------- the hijacked connection


@pytest.fixture
def fake_daemon() -> Iterator[tuple[str, list[bytes], list[bytes]]]:
    """A unix socket that answers each connection with the next scripted answer; what each
    request sent (up to the client's end) is recorded."""
    directory = tempfile.mkdtemp(prefix="pc-", dir="/tmp")
    path = os.path.join(directory, "d.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    answers: list[bytes] = []
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(4096)
                conn.sendall(answers.pop(0))
                conn.shutdown(socket.SHUT_WR)
                while chunk := conn.recv(4096):
                    data += chunk
                received.append(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"unix://{path}", answers, received
    server.close()
    os.unlink(path)
    os.rmdir(directory)


def test_hijack_sends_pouchs_request_and_hands_over_the_stream(
    fake_daemon: tuple[str, list[bytes], list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    host, answers, received = fake_daemon
    monkeypatch.delenv("POUCH_API_VERSION", raising=False)
    answers.append(
        b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\n"
        b"Upgrade: tcp\r\n\r\n" + frame(1, b"hello\n")
    )
    conn = hijack(ClientOptions(host), "failed to attach container", "/containers/web/attach", {"stdin": "1"})
    conn.sendall(b"input")
    conn.close_write()
    chunks = []
    while data := conn.recv():
        chunks.append(data)
    conn.close()
    assert demux_all(b"".join(chunks)) == (b"hello\n", b"")
    deadline = time.monotonic() + 5
    while not received and time.monotonic() < deadline:  # the server's thread records it after our close
        time.sleep(0.01)
    request = received[0]
    head, _, rest = request.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v1.24/containers/web/attach?stdin=1 HTTP/1.1"
    assert {"Host: d", "Connection: Upgrade", "Upgrade: tcp", "Content-Type: text/plain"} <= set(lines)
    assert rest == b"input"


def test_hijack_refused_is_the_daemons_message(fake_daemon: tuple[str, list[bytes], list[bytes]]) -> None:
    host, answers, _ = fake_daemon
    body = b'{"message":"container nosuch: not found"}\n'
    answers.append(b"HTTP/1.1 404 Not Found\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    with pytest.raises(CLIError) as e:
        hijack(ClientOptions(host), "failed to attach container", "/containers/nosuch/attach")
    assert str(e.value) == "failed to attach container: container nosuch: not found"
    chunked = b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked += b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    answers.append(chunked)
    with pytest.raises(CLIError, match=r"^failed to start exec: container nosuch: not found$"):
        hijack(ClientOptions(host), "failed to start exec", "/exec/x/start", body=b"{}")


def test_hijack_without_a_daemon_is_one_line() -> None:
    with pytest.raises(CLIError, match=r"cannot connect to pouchd at unix:///nonexistent/p.sock: .*is pouchd running"):
        hijack(ClientOptions("unix:///nonexistent/p.sock"), "failed to attach container", "/containers/x/attach")


def test_security_options_send_a_seccomp_profile_as_its_json(tmp_path: Path) -> None:
    from pouch_cli.container_flags import security_options

    profile = tmp_path / "profile.json"
    profile.write_text('{"defaultAction": "SCMP_ACT_ALLOW",\n "syscalls": []}')
    inline = '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["a","b"],"action":"SCMP_ACT_ALLOW"}]}'
    assert security_options([f"seccomp={profile}", "no-new-privileges,apparmor=x", f"seccomp={inline}"]) == [
        'seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}',
        "no-new-privileges",
        "apparmor=x",
        f"seccomp={inline}",
    ]
    assert security_options(["seccomp=unconfined"]) == ["seccomp=unconfined"]
    with pytest.raises(CLIError, match="opening seccomp profile"):
        security_options([f"seccomp={tmp_path / 'missing.json'}"])
