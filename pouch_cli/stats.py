"""``pouch stats [--no-stream] CONTAINER...``: containers' resource usage (pouch's cli/stats.go,
cli/stats_helpers.go).

One table, ``CONTAINER ID  NAME  CPU %  MEM %  MEM USAGE / LIMIT  NET I/O  BLOCK I/O  PIDS`` (Go's
tabwriter, padding 3), computed as pouch's helpers do: CPU % from the change of the container's
and the system's CPU time since the previous sample times the CPUs online, memory without the
page cache, network and block I/O summed, in docker's units (``2.559MiB / 15.23GiB``,
``7.32kB / 0B``). ``--no-stream`` prints one sample (``GET /containers/<c>/stats?stream=false``);
otherwise each container's stream is read as it comes and the table redrawn every half second
after clearing the screen, until Ctrl-C.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from pouch_cli.args import Param
from pouch_cli.client import ClientOptions, build_client, client_options, describe_transport_error, error_message
from pouch_cli.container_common import combine
from pouch_cli.errors import CLIError
from pouch_cli.formatting import human_size_binary
from pouch_cli.progress import table

if TYPE_CHECKING:
    import argparse

HEADER = ("CONTAINER ID", "NAME", "CPU %", "MEM %", "MEM USAGE / LIMIT", "NET I/O", "BLOCK I/O", "PIDS")
_DECIMAL = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


def human_size(size: float, precision: int = 3) -> str:
    """go-units' HumanSizeWithPrecision: decimal units, ``%.<precision>g`` (``7.32kB``)."""
    i = 0
    while size >= 1000 and i < len(_DECIMAL) - 1:
        size /= 1000
        i += 1
    return f"{size:.{precision}g}{_DECIMAL[i]}"


def _num(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _system_usage(cpu: dict[str, Any]) -> float:
    # pouch's Go type reads the misspelt "syetem_cpu_usage"; Docker's name is read as well.
    return _num(cpu.get("syetem_cpu_usage") or cpu.get("system_cpu_usage"))


def stats_entry(sample: dict[str, Any]) -> dict[str, Any]:
    """The figures of one ContainerStats sample, as pouch's ``collect``."""
    cpu = sample.get("cpu_stats") or {}
    pre = sample.get("precpu_stats") or {}
    usage = cpu.get("cpu_usage") or {}
    pre_usage = pre.get("cpu_usage") or {}
    cpu_percent = 0.0
    if usage:
        cpu_delta = _num(usage.get("total_usage")) - _num(pre_usage.get("total_usage"))
        system_delta = _system_usage(cpu) - _system_usage(pre)
        online = _num(cpu.get("online_cpus")) or float(len(usage.get("percpu_usage") or []))
        if system_delta > 0 and cpu_delta > 0:
            cpu_percent = cpu_delta / system_delta * online * 100.0
    memory = sample.get("memory_stats") or {}
    detail = memory.get("stats") or {}
    mem = _num(memory.get("usage")) - _num(detail.get("cache")) if detail else 0.0
    limit = _num(memory.get("limit"))
    blk_read = blk_write = 0.0
    for entry in (sample.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []:
        op = str(entry.get("op") or "").lower()
        if op == "read":
            blk_read += _num(entry.get("value"))
        elif op == "write":
            blk_write += _num(entry.get("value"))
    networks = (sample.get("networks") or {}).values()
    return {
        "id": str(sample.get("id") or ""),
        # pouchd gives Docker's "/web" (the Docker CLI drops the first character); pouch prints "web".
        "name": str(sample.get("name") or "").removeprefix("/"),
        "cpu": cpu_percent,
        "mem": mem,
        "limit": limit,
        "mem_percent": mem / limit * 100.0 if limit else 0.0,
        "rx": sum(_num(n.get("rx_bytes")) for n in networks),
        "tx": sum(_num(n.get("tx_bytes")) for n in networks),
        "blk_read": blk_read,
        "blk_write": blk_write,
        "pids": int(_num((sample.get("pids_stats") or {}).get("current"))),
    }


def format_row(e: dict[str, Any]) -> tuple[str, ...]:
    return (
        e["id"][:12],
        e["name"],
        f"{e['cpu']:.2f}%",
        f"{e['mem_percent']:.2f}%",
        f"{human_size_binary(e['mem'])} / {human_size_binary(e['limit'])}",
        f"{human_size(e['rx'])} / {human_size(e['tx'])}",
        f"{human_size(e['blk_read'])} / {human_size(e['blk_write'])}",
        str(e["pids"]),
    )


def format_stats(entries: Sequence[dict[str, Any]]) -> str:
    return table([HEADER, *(format_row(e) for e in entries)])


def iter_json(chunks: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """JSON objects written one after another (newlines between them or not)."""
    decoder = json.JSONDecoder()
    text = ""
    for chunk in chunks:
        text += chunk.decode("utf-8", "replace")
        while True:
            text = text.lstrip()
            if not text:
                break
            try:
                obj, end = decoder.raw_decode(text)
            except ValueError:
                break  # incomplete: wait for more
            text = text[end:]
            if isinstance(obj, dict):
                yield obj


class _Collector:
    """One container's samples, read by a thread of its own."""

    def __init__(self, opts: ClientOptions, name: str, stream: bool) -> None:
        self.opts, self.name, self.stream = opts, name, stream
        self.entry: dict[str, Any] | None = None
        self.error: str | None = None
        self.first = threading.Event()

    def run(self) -> None:
        from urllib.parse import quote

        path = f"/containers/{quote(self.name, safe='')}/stats"
        try:
            timeout = httpx.Timeout(self.opts.timeout, read=None if self.stream else self.opts.timeout)
            client = build_client(self.opts).with_timeout(timeout)
            params = {"stream": "true" if self.stream else "false"}
            with client, client.get_httpx_client().stream("GET", path, params=params) as response:
                if response.status_code >= 400:
                    response.read()
                    self.error = error_message(response.status_code, response.content)
                    return
                for sample in iter_json(response.iter_raw()):
                    self.entry = stats_entry(sample)
                    self.first.set()
                    if not self.stream:
                        return
            if self.entry is None:
                self.error = "no stats from the daemon"
        except httpx.TransportError as e:
            self.error = describe_transport_error(self.opts, e)
        except CLIError as e:
            self.error = str(e)
        finally:
            self.first.set()

    def failure(self) -> str | None:
        return None if self.error is None else f"failed to stats container {self.name}, err = {self.error}"


HELP = "Display a live stream of container(s) resource usage statistics."
EXAMPLE = """Example:
  $ pouch stats --no-stream b25ae a0067
  CONTAINER ID   NAME      CPU %   MEM %   MEM USAGE / LIMIT     NET I/O       BLOCK I/O     PIDS
  b25ae88e5b70   web       0.11%   0.02%   2.559MiB / 15.23GiB   7.32kB / 0B   0B / 0B       4
  a00670c2bdff   cache     0.11%   0.02%   2.887MiB / 15.23GiB   13.3kB / 0B   14.7MB / 0B   4"""
PARAMS = (Param(("--no-stream",), "Disable streaming stats and only pull the first result."),)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("containers", nargs="+", metavar="CONTAINER", help="Containers: name or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    opts = client_options(args)
    collectors = [_Collector(opts, name, not args.no_stream) for name in args.containers]
    for c in collectors:
        threading.Thread(target=c.run, daemon=True).start()
    for c in collectors:
        c.first.wait()
    errors = [f for f in (c.failure() for c in collectors) if f]
    if errors:
        raise CLIError(combine(errors))
    while True:
        errors = [f for f in (c.failure() for c in collectors) if f]
        if errors:
            raise CLIError(combine(errors))
        text = format_stats([c.entry for c in collectors if c.entry is not None])
        if not args.no_stream:
            text = "\033[2J\033[H" + text
        sys.stdout.write(text)
        sys.stdout.flush()
        if args.no_stream:
            return
        time.sleep(0.5)
