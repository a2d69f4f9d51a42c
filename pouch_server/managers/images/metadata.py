"""What pouchd shows of an image, read from containerd's content store: the target (an index or a
manifest), the platform's manifest, its config; and pouch's ``ImageInfo`` and history built from
them (pouch's daemon/mgr/image.go containerdImageToImageInfo and ImageHistory).

Manifests and configs are small JSON documents, read whole (bounded as a pull bounds them:
:class:`~.distribution.PullLimits`); layers are never read here.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pouch_server.ctrd.client import ContainerdClient
from pouch_server.errors import APIError
from pouch_server.gojson import ZERO_TIME  # what pouch shows for a time it does not have
from pouch_server.managers.images import content
from pouch_server.managers.images.distribution import (
    HOST_PLATFORM,
    Descriptor,
    Platform,
    PullLimits,
    choose_manifest,
    parse_index,
    parse_manifest,
)


@dataclass(frozen=True)
class ImageDetails:
    """One image as containerd holds it, for the platform pouchd runs."""

    id: str  # the config's digest
    target: Descriptor  # the record's target: an index or a manifest
    manifest: Descriptor  # the platform's manifest
    config: Mapping[str, Any]
    layers: tuple[Descriptor, ...]
    size: int  # the target, the platform's manifest, the config and the compressed layers (pouch's Size)

    @property
    def diff_ids(self) -> list[str]:
        rootfs = self.config.get("rootfs") or {}
        ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
        return [str(d) for d in ids] if isinstance(ids, list) else []

    @property
    def created(self) -> str:
        value = self.config.get("created")
        return str(value) if isinstance(value, str) and value else ZERO_TIME


async def describe(client: ContainerdClient, target: Descriptor, platform: Platform = HOST_PLATFORM) -> ImageDetails:
    """The image whose record points at ``target``, for ``platform``, read from the content store."""
    limits = PullLimits()
    size = 0
    manifest_desc = target
    if target.kind == "index":
        index = parse_index(await content.read(client, target.digest, limit=limits.max_manifest), target)
        manifest_desc = choose_manifest(index, target, platform)
        size += target.size
    elif target.kind != "manifest":
        raise APIError(500, f"unsupported image media type {target.media_type}")
    manifest = parse_manifest(
        await content.read(client, manifest_desc.digest, limit=limits.max_manifest), manifest_desc
    )
    data = await content.read(client, manifest.config.digest, limit=limits.max_config)
    try:
        config = json.loads(data)
    except ValueError:
        config = None
    if not isinstance(config, dict):
        raise APIError(500, f"image config {manifest.config.digest} is not a JSON object")
    size += manifest_desc.size + manifest.config.size + sum(layer.size for layer in manifest.layers)
    return ImageDetails(
        id=manifest.config.digest,
        target=target,
        manifest=manifest_desc,
        config=config,
        layers=manifest.layers,
        size=size,
    )


# --- pouch's answers ------------------------------------------------------------------------
_CONFIG_KEYS = ("User", "Env", "Entrypoint", "Cmd", "WorkingDir", "Labels", "StopSignal", "Volumes")


def container_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The part of the image's config pouch shows as ``Config`` (image.go: the OCI ImageConfig's
    fields that a container takes over), unset ones left out."""
    image_config = config.get("config") or {}
    out: dict[str, Any] = {"Image": ""}  # ContainerConfig's one required field: Go always writes it
    if not isinstance(image_config, dict):
        return out
    for key in _CONFIG_KEYS:
        value = image_config.get(key)
        if value not in (None, "", [], {}):
            out[key] = value
    exposed = image_config.get("ExposedPorts")
    if isinstance(exposed, dict) and exposed:
        out["ExposedPorts"] = exposed
    return out


def image_info(
    details: ImageDetails, repo_tags: list[str], repo_digests: list[str], *, summary: bool = True
) -> dict[str, Any]:
    """pouch's ``ImageInfo`` of an image (the list and inspect answers), plus Docker's ``Created``,
    which the Docker clients read: Unix seconds in a list (``summary``), the RFC 3339 text in an
    inspect answer (Docker's two types differ there)."""
    config = details.config
    return {
        "Id": details.id,
        "RepoTags": repo_tags,
        "RepoDigests": repo_digests,
        "CreatedAt": details.created,
        "Created": _seconds(details.created) if summary else details.created,
        "Size": details.size,
        "Os": str(config.get("os") or ""),
        "Architecture": str(config.get("architecture") or ""),
        "Config": container_config(config),
        "RootFS": {"Type": "layers", "Layers": details.diff_ids},
    }


def _time(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _seconds(text: str) -> int:
    when = _time(text)
    return int(when.timestamp()) if when is not None and when.year > 1 else 0


def _nanoseconds(text: str) -> int:
    """RFC 3339 with up to nanoseconds (Go's), as Unix nanoseconds: what pouch's history shows."""
    when = _time(_truncate_fraction(text))
    if when is None or when.year <= 1:
        return 0
    nanos = _fraction_nanos(text)
    return int(when.replace(microsecond=0).timestamp()) * 1_000_000_000 + nanos


def _truncate_fraction(text: str) -> str:
    """Python reads at most microseconds: keep six digits of a longer fraction."""
    head, dot, rest = text.partition(".")
    if not dot:
        return text
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}" if digits else f"{head}{rest[digits:]}"


def _fraction_nanos(text: str) -> int:
    _, dot, rest = text.partition(".")
    if not dot:
        return 0
    digits = rest[: len(rest) - len(rest.lstrip("0123456789"))]
    return int((digits + "000000000")[:9]) if digits else 0


def history(details: ImageDetails) -> list[dict[str, Any]]:
    """pouch's image history: newest first; the config's ``history`` entries matched to the
    layers (an empty-layer entry has no layer, and size 0); ``ID`` is the image's on the newest
    entry and ``<missing>`` on the others; ``Created`` in Unix nanoseconds (image.go ImageHistory)."""
    entries = details.config.get("history") or []
    layers = list(details.layers)
    out: list[dict[str, Any]] = []
    index = 0
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        empty = bool(entry.get("empty_layer"))
        size = 0
        if not empty and index < len(layers):
            size = layers[index].size
            index += 1
        out.append(
            {
                "ID": "<missing>",
                "Created": _nanoseconds(str(entry.get("created") or "")),
                "CreatedBy": str(entry.get("created_by") or ""),
                "Author": str(entry.get("author") or ""),
                "Comment": str(entry.get("comment") or ""),
                "EmptyLayer": empty,
                "Size": size,
            }
        )
    out.reverse()
    if out:
        out[0]["ID"] = details.id
    return out
