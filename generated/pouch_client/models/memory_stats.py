from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.memory_stats_stats import MemoryStatsStats


T = TypeVar("T", bound="MemoryStats")


@_dataclass(slots=True)
class MemoryStats:
    """A container's memory usage.

    Attributes:
        usage (int | Unset): bytes in use
        max_usage (int | Unset): the most bytes ever in use
        stats (MemoryStatsStats | Unset): the cgroup's memory.stat counters
        failcnt (int | Unset): times the limit was hit
        limit (int | Unset): the limit in bytes
    """

    usage: int | Unset = UNSET
    max_usage: int | Unset = UNSET
    stats: MemoryStatsStats | Unset = UNSET
    failcnt: int | Unset = UNSET
    limit: int | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        usage = self.usage

        max_usage = self.max_usage

        stats: dict[str, Any] | Unset = UNSET
        if not isinstance(self.stats, Unset):
            stats = self.stats.to_dict()

        failcnt = self.failcnt

        limit = self.limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if usage is not UNSET:
            field_dict["usage"] = usage
        if max_usage is not UNSET:
            field_dict["max_usage"] = max_usage
        if stats is not UNSET:
            field_dict["stats"] = stats
        if failcnt is not UNSET:
            field_dict["failcnt"] = failcnt
        if limit is not UNSET:
            field_dict["limit"] = limit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.memory_stats_stats import MemoryStatsStats

        d = dict(src_dict)
        usage = d.pop("usage", UNSET)

        max_usage = d.pop("max_usage", UNSET)

        _stats = d.pop("stats", UNSET)
        stats: MemoryStatsStats | Unset
        if isinstance(_stats, Unset):
            stats = UNSET
        else:
            stats = MemoryStatsStats.from_dict(_stats)

        failcnt = d.pop("failcnt", UNSET)

        limit = d.pop("limit", UNSET)

        memory_stats = cls(
            usage=usage,
            max_usage=max_usage,
            stats=stats,
            failcnt=failcnt,
            limit=limit,
        )

        memory_stats.additional_properties = d
        return memory_stats

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
