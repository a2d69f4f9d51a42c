"""``pouch updatedaemon``: change the daemon's labels and image proxy (pouch's cli/update_daemon.go).

Online (the default) it calls /daemon/update on the running daemon. With ``--offline`` it edits
the daemon's JSON config file instead (keys are pouchd's flag names), for the next start.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pouch_cli.args import Param
from pouch_cli.client import call, client_options
from pouch_cli.errors import CLIError
from pouch_client.api.daemon import daemon_update
from pouch_client.models.daemon_update_config import DaemonUpdateConfig
from pouch_client.types import UNSET
from pouch_common.fileutil import atomic_write_json
from pouch_common.labels import label_problem, labels_limit_problem, merge_labels
from pouch_common.limits import MAX_IMAGE_PROXY_LENGTH
from pouch_common.paths import default_config_file

if TYPE_CHECKING:
    import argparse

HELP = "Update the daemon's labels and image proxy; the change is kept across restarts."
EXAMPLE = (
    "Examples:\n"
    "  $ pouch updatedaemon --label zone=hangzhou --label ssd=true\n"
    "  $ pouch updatedaemon --image-proxy http://proxy.example.com:8080\n"
    "  $ pouch updatedaemon --offline --config-file /etc/pouch/config.json --label zone=hangzhou"
)


def check_labels(labels: Sequence[str]) -> list[str]:
    """Each label must be one the daemon takes (pouch_common/labels.py), checked before anything is sent
    or written."""
    for label in labels:
        problem = label_problem(label)
        if problem is not None:
            raise CLIError(problem)
    return list(labels)


def update_config_file(path: str, labels: list[str], image_proxy: str | None) -> None:
    """Merge ``labels`` into the file's "label" list and set "image-proxy"; other keys are kept.

    The file must exist (as pouch requires), so that a mistyped path is reported rather than a
    new, unused file created. It is replaced atomically and keeps its permissions.
    """
    if not labels and image_proxy is None:
        raise CLIError("failed to update daemon config file: daemon update config cannot be empty")
    target = Path(path).resolve()  # write through a symlink, not over it
    try:
        raw = target.read_bytes()
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        raise CLIError(f"failed to update daemon config file: {path} does not exist") from None
    except OSError as e:
        raise CLIError(f"failed to update daemon config file: cannot read {path}: {e.strerror or e}") from None
    config: Any = {}
    if raw.strip():  # an empty file is an empty configuration, as for pouch
        try:
            config = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as e:
            raise CLIError(f"failed to update daemon config file: {path} is not valid JSON: {e}") from None
    if not isinstance(config, dict):
        raise CLIError(f"failed to update daemon config file: {path} must hold a JSON object")
    if labels:
        current = config.get("label", [])
        if isinstance(current, str):  # pouchd accepts a single string for a list option
            current = [current]
        if not isinstance(current, list) or not all(isinstance(x, str) for x in current):
            raise CLIError(f'failed to update daemon config file: "label" in {path} must be a list of strings')
        merged = merge_labels(current, labels)
        # The daemon's limits in all: a file that breaks them would stop pouchd at its next start.
        problem = labels_limit_problem(merged, before=current)
        if problem is not None:
            raise CLIError(f"failed to update daemon config file: {problem}")
        config["label"] = merged
    if image_proxy is not None:
        if len(image_proxy) > MAX_IMAGE_PROXY_LENGTH:
            raise CLIError(
                f"failed to update daemon config file: image proxy longer than {MAX_IMAGE_PROXY_LENGTH} characters"
            )
        config["image-proxy"] = image_proxy
    try:
        atomic_write_json(target, config, mode)
    except OSError as e:
        raise CLIError(f"failed to update daemon config file: cannot write {path}: {e.strerror or e}") from None


PARAMS = (
    Param(
        ("--label",),
        "Label to merge into the daemon's labels; a label with the same key is replaced (repeatable).",
        metavar="KEY=VALUE",
        dest="labels",
        repeat=True,
    ),
    Param(("--image-proxy",), "New proxy for pulling images.", metavar="URL"),
    Param(("--offline",), "Only edit the daemon's config file (used at its next start)."),
    Param(
        ("--config-file",), "Config file edited with --offline [default: pouchd's default config file].", metavar="FILE"
    ),
)


def run(args: argparse.Namespace) -> None:
    new_labels = check_labels(args.labels)
    if args.offline:
        update_config_file(args.config_file or default_config_file(), new_labels, args.image_proxy)
        return
    image_proxy = args.image_proxy
    body = DaemonUpdateConfig(labels=new_labels or UNSET, image_proxy=UNSET if image_proxy is None else image_proxy)
    # Nothing to send is the daemon's to refuse: it answers `daemon update config cannot be empty`.
    call(client_options(args), "failed to update daemon", daemon_update.sync_detailed, body=body)
