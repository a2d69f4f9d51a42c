"""What the container tests share: a loopback registry serving the busybox test image, and
requests as pouch's Go client sends them (JSON bodies without a Content-Type, hijacked attach and
exec on a raw socket)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import socket
import struct
import termios
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import PouchD
from registry import Registry, missing_tools

from pouch_testing.containerd import Containerd
from pouch_testing.images import TestImage, build_busybox_image, busybox_missing, push

#: Why the container tests cannot run here (None: they can).
MISSING = Containerd.available() or busybox_missing() or missing_tools(htpasswd=False)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with Registry(tmp_path_factory.mktemp("registry")) as reg:
        yield reg


@pytest.fixture(scope="module")
def image_ref(registry: Registry) -> str:
    img: TestImage = build_busybox_image(tag_name="test/busybox:v1")
    push(img, registry.address, "test/busybox", "v1")
    return f"{registry.address}/test/busybox:v1"


def pull_into(d: PouchD, ref: str) -> None:
    name, _, tag = ref.rpartition(":")
    r = d.client(timeout=60).post("/v1.24/images/create", params={"fromImage": name, "tag": tag})
    assert r.status_code == 200 and b'"error"' not in r.content, r.text


def remove_all(d: PouchD) -> None:
    with d.client(timeout=30) as c:
        for item in c.get("/v1.24/containers/json", params={"all": 1}).json():
            c.delete(f"/v1.24/containers/{item['Id']}", params={"force": 1})


def raw_post(d: PouchD, path: str, body: Any = None, timeout: float = 30) -> httpx.Response:
    """A POST as pouch's Go client sends it: a JSON body and no Content-Type."""
    content = json.dumps(body).encode() if body is not None else b""
    with d.client(timeout=timeout) as c:
        request = c.build_request("POST", path, content=content)
        assert "Content-Type" not in request.headers
        return c.send(request)


def create(d: PouchD, image: str, *cmd: str, name: str | None = None, **config: Any) -> str:
    host_config = {"NetworkMode": "none", **config.pop("HostConfig", {})}
    body = {"Image": image, "Cmd": list(cmd), "HostConfig": host_config, **config}
    r = raw_post(d, "/v1.24/containers/create" + (f"?name={name}" if name else ""), body)
    assert r.status_code == 201, r.text
    answer = r.json()
    assert len(answer["Id"]) == 64 and answer["Warnings"] == []
    return str(answer["Id"])


def start(d: PouchD, cid: str) -> None:
    r = raw_post(d, f"/v1.24/containers/{cid}/start")
    assert r.status_code == 204, r.text


def wait(d: PouchD, cid: str) -> int:
    r = raw_post(d, f"/v1.24/containers/{cid}/wait", timeout=60)
    assert r.status_code == 200, r.text
    return int(r.json()["StatusCode"])


def inspect(d: PouchD, cid: str) -> dict[str, Any]:
    with d.client() as c:
        r = c.get(f"/v1.24/containers/{cid}/json")
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def demux(data: bytes) -> list[tuple[int, bytes]]:
    """Docker's stdcopy frames: (stream, payload) in order."""
    frames, i = [], 0
    while i < len(data):
        kind, size = data[i], struct.unpack(">I", data[i + 4 : i + 8])[0]
        frames.append((kind, data[i + 8 : i + 8 + size]))
        i += 8 + size
    return frames


def joined(frames: list[tuple[int, bytes]], kind: int) -> bytes:
    return b"".join(p for k, p in frames if k == kind)


def logs(d: PouchD, cid: str, **params: Any) -> bytes:
    with d.client(timeout=30) as c:
        r = c.get(f"/v1.24/containers/{cid}/logs", params={"stdout": 1, "stderr": 1, **params})
    assert r.status_code == 200, r.text
    return r.content


class Hijacked:
    """A hijacked connection as the Go clients make it: the request, the answer's head, then raw
    bytes both ways."""

    def __init__(self, d: PouchD, path: str, body: Any = None, upgrade: bool = True, text_plain: bool = False) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(str(d.sock))
        content = json.dumps(body).encode() if body is not None else b""
        head = f"POST {path} HTTP/1.1\r\nHost: d\r\nContent-Length: {len(content)}\r\n"
        if upgrade:
            head += "Connection: Upgrade\r\nUpgrade: tcp\r\n"
        if text_plain:
            head += "Content-Type: text/plain\r\n"
        self.sock.sendall(head.encode() + b"\r\n" + content)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(4096)
            assert chunk, f"connection closed before the head: {buf!r}"
            buf += chunk
        self.head, _, self.rest = buf.partition(b"\r\n\r\n")

    def read_all(self) -> bytes:
        data = self.rest
        while chunk := self.sock.recv(65536):
            data += chunk
        self.sock.close()
        return data


def on_a_terminal(
    argv: list[str],
    home: Path,
    typed: bytes | Sequence[bytes] = (),
    timeout: float = 60,
    env: Mapping[str, str] | None = None,
    size: tuple[int, int] = (33, 111),
) -> tuple[int, str]:
    """Run ``argv`` on a new pseudo-terminal of ``size`` rows and columns (``HOME`` set to ``home``,
    ``env`` added), type ``typed`` once a shell's prompt (``#``) shows (a sequence of pieces: one write each,
    0.2 s apart, as keys are typed); its exit code and everything it wrote."""
    pieces = [typed] if isinstance(typed, bytes) else list(typed)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, on the terminal
        os.environ["HOME"] = str(home)
        os.environ.update(env or {})
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    output, sent = b"", not pieces
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            readable, _, _ = select.select([fd], [], [], 0.2)
            if readable:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # EIO: the child has closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
                if not sent and b"#" in output:  # the shell's prompt
                    for i, piece in enumerate(pieces):
                        if i:
                            time.sleep(0.2)
                        os.write(fd, piece)
                    sent = True
    finally:
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace").replace("\r\n", "\n")
