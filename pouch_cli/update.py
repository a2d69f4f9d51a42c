"""``pouch update [OPTIONS] CONTAINER``: change a container's resources, restart policy,
environment or labels (pouch's cli/update.go). Silent on success.

The body is pouch's UpdateConfig, with only what was given: resources (``-m``, ``--memory-swap``,
``--cpu-shares``, ``--cpu-period``, ``--cpu-quota``, ``--cpuset-cpus``, ``--cpuset-mems``,
``--blkio-weight``), ``RestartPolicy`` (``--restart``; pouch's client sends ``no`` when it is not
given, which would reset the policy: it is left out here), ``Env`` (``-e``), ``Label`` (``-l``)
and ``SpecAnnotation``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pouch_cli.args import Param
from pouch_cli.client import client_options
from pouch_cli.container_common import call_op, parse_int
from pouch_cli.container_flags import (
    parse_key_values,
    parse_memory,
    parse_memory_swap,
    parse_restart_policy,
    split_commas,
)

if TYPE_CHECKING:
    import argparse


def update_body(args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, value in (
        ("BlkioWeight", parse_int(args.blkio_weight, "--blkio-weight")),
        ("CpuPeriod", parse_int(args.cpu_period, "--cpu-period")),
        ("CpuShares", parse_int(args.cpu_shares, "--cpu-shares")),
        ("CpuQuota", parse_int(args.cpu_quota, "--cpu-quota")),
        ("CpusetCpus", args.cpuset_cpus),
        ("CpusetMems", args.cpuset_mems),
        ("Memory", parse_memory(args.memory)),
        ("MemorySwap", parse_memory_swap(args.memory_swap)),
        ("Env", split_commas(args.env)),
        ("Label", split_commas(args.label)),
        ("SpecAnnotation", parse_key_values(split_commas(args.annotation), "annotation")),
    ):
        if value not in (None, "", 0, [], {}):
            body[key] = value
    if args.restart:
        body["RestartPolicy"] = parse_restart_policy(args.restart)
    return body


HELP = (
    "Update a container's configurations, including memory, cpu and restart policy. "
    "You can update a container when it is running."
)
EXAMPLE = """Example:
  $ pouch run -d -m 20m --name test-update registry.hub.docker.com/library/busybox:latest
  8649804cb63ff9713a2734d99728b9d6d5d1e4d2fbafb2b4dbdf79c6bbaef812
  $ pouch update -m 30m --restart always test-update"""
PARAMS = (
    Param(("--blkio-weight",), "Block IO (relative weight), between 10 and 1000, or 0 to disable.", metavar="N"),
    Param(("--cpu-period",), "Limit CPU CFS period, in [1000(1ms),1000000(1s)].", metavar="N"),
    Param(("--cpu-shares",), "CPU shares (relative weight).", metavar="N"),
    Param(("--cpu-quota",), "Limit CPU CFS quota.", metavar="N"),
    Param(("--cpuset-cpus",), "CPUs in cpuset which to allow execution (0-3, 0, 1).", metavar="CPUS"),
    Param(("--cpuset-mems",), "MEMs in cpuset which to allow execution (0-3, 0, 1).", metavar="MEMS"),
    Param(("-m", "--memory"), "Container memory limit.", metavar="SIZE"),
    Param(("--memory-swap",), "Container swap limit.", metavar="SIZE"),
    Param(
        ("-e", "--env"),
        "Update environment variables ('A=' empties A, a bare 'A' removes it) (repeatable).",
        metavar="KEY=VALUE",
        repeat=True,
    ),
    Param(("-l", "--label"), "Update labels for container (repeatable).", metavar="LABEL", repeat=True),
    Param(("--restart",), "Restart policy to apply when container exits.", metavar="POLICY"),
    Param(("--annotation",), "Update annotation for runtime spec (repeatable).", metavar="KV", repeat=True),
    Param(("container",), "The container: name or ID (prefix).", metavar="CONTAINER", required=True),
)


def run(args: argparse.Namespace) -> None:
    from pouch_client.api.container import container_update
    from pouch_client.models.update_config import UpdateConfig

    body = update_body(args)
    call_op(
        client_options(args), "", container_update.sync_detailed, id=args.container, body=UpdateConfig.from_dict(body)
    )
