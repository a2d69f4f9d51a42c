from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ..models.log_config_type import LogConfigType, check_log_config_type
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.log_config_config import LogConfigConfig


T = TypeVar("T", bound="LogConfig")


@_dataclass(slots=True)
class LogConfig:
    """A container's logging: the driver and its options.

    Attributes:
        type_ (LogConfigType | Unset): the logging driver; empty (the Docker CLI's `"Type": ""`), the daemon's default:
            pouch's validation skips a zero value, so `""` is taken beside pouch's names
        config (LogConfigConfig | Unset): the driver's options
    """

    type_: LogConfigType | Unset = UNSET
    config: LogConfigConfig | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["Type"] = type_
        if config is not UNSET:
            field_dict["Config"] = config

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.log_config_config import LogConfigConfig

        d = dict(src_dict)
        _type_ = d.pop("Type", UNSET)
        type_: LogConfigType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = check_log_config_type(_type_)

        _config = d.pop("Config", UNSET)
        config: LogConfigConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = LogConfigConfig.from_dict(_config)

        log_config = cls(
            type_=type_,
            config=config,
        )

        log_config.additional_properties = d
        return log_config

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
