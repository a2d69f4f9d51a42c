"""What pouchd learnt of its containerd and runc at start, for /info (no gRPC here: the system
manager reads it, and must not load grpc with it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineFacts:
    containerd_version: str
    containerd_revision: str
    runc_commit: str  # "" when runc cannot be asked
    snapshotter: str
    external: bool  # a containerd pouchd did not start and does not supervise
