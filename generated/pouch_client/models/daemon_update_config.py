from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="DaemonUpdateConfig")


@_dataclass(slots=True)
class DaemonUpdateConfig:
    """The parts of the daemon's configuration that may change while it runs; at least one must be set.

    Attributes:
        labels (list[str] | None | Unset): labels to merge into the daemon's labels, `key=value`; at most 256 (the
            daemon holds at most 256 labels, of at most 65536 characters together: an update that would take it beyond
            either is refused); `null`, as pouch's Go CLI sends it when it has no labels, is the same as no `Labels`
            Example: ['storage=ssd', 'zone=hangzhou'].
        image_proxy (None | str | Unset): new proxy for pulling and pushing images,
            `[http://|https://][user@]host[:port][/path]` (no scheme: `http://`; at most 2048 characters); `null` or `""` is
            the same as no `ImageProxy` Example: http://proxy.example.com:8080.
    """

    labels: list[str] | None | Unset = UNSET
    image_proxy: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        labels: list[str] | None | Unset
        if isinstance(self.labels, Unset):
            labels = UNSET
        elif isinstance(self.labels, list):
            labels = self.labels

        else:
            labels = self.labels

        image_proxy: None | str | Unset
        if isinstance(self.image_proxy, Unset):
            image_proxy = UNSET
        else:
            image_proxy = self.image_proxy

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if labels is not UNSET:
            field_dict["Labels"] = labels
        if image_proxy is not UNSET:
            field_dict["ImageProxy"] = image_proxy

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_labels(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                labels_type_0 = cast(list[str], data)

                return labels_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        labels = _parse_labels(d.pop("Labels", UNSET))

        def _parse_image_proxy(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image_proxy = _parse_image_proxy(d.pop("ImageProxy", UNSET))

        daemon_update_config = cls(
            labels=labels,
            image_proxy=image_proxy,
        )

        daemon_update_config.additional_properties = d
        return daemon_update_config

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
