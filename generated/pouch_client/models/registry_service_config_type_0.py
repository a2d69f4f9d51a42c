from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.index_configs import IndexConfigs


T = TypeVar("T", bound="RegistryServiceConfigType0")


@_dataclass(slots=True)
class RegistryServiceConfigType0:
    """The daemon's registry settings.

    Attributes:
        allow_nondistributable_artifacts_cid_rs (list[str] | Unset): IP ranges (CIDR) to which nondistributable
            artifacts may be pushed Example: ['127.0.0.0/8'].
        allow_nondistributable_artifacts_hostnames (list[str] | Unset): registry host names to which nondistributable
            artifacts may be pushed Example: ['registry.example.com:5000'].
        insecure_registry_cid_rs (list[str] | Unset): IP ranges (CIDR) of registries reached without TLS verification
            Example: ['127.0.0.0/8'].
        index_configs (IndexConfigs | Unset): Per-registry settings, keyed by registry name.
        mirrors (list[str] | Unset): mirrors of the official registry Example: ['https://mirror.example.com/'].
    """

    allow_nondistributable_artifacts_cid_rs: list[str] | Unset = UNSET
    allow_nondistributable_artifacts_hostnames: list[str] | Unset = UNSET
    insecure_registry_cid_rs: list[str] | Unset = UNSET
    index_configs: IndexConfigs | Unset = UNSET
    mirrors: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allow_nondistributable_artifacts_cid_rs: list[str] | Unset = UNSET
        if not isinstance(self.allow_nondistributable_artifacts_cid_rs, Unset):
            allow_nondistributable_artifacts_cid_rs = (
                self.allow_nondistributable_artifacts_cid_rs
            )

        allow_nondistributable_artifacts_hostnames: list[str] | Unset = UNSET
        if not isinstance(self.allow_nondistributable_artifacts_hostnames, Unset):
            allow_nondistributable_artifacts_hostnames = (
                self.allow_nondistributable_artifacts_hostnames
            )

        insecure_registry_cid_rs: list[str] | Unset = UNSET
        if not isinstance(self.insecure_registry_cid_rs, Unset):
            insecure_registry_cid_rs = self.insecure_registry_cid_rs

        index_configs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.index_configs, Unset):
            index_configs = self.index_configs.to_dict()

        mirrors: list[str] | Unset = UNSET
        if not isinstance(self.mirrors, Unset):
            mirrors = self.mirrors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if allow_nondistributable_artifacts_cid_rs is not UNSET:
            field_dict["AllowNondistributableArtifactsCIDRs"] = (
                allow_nondistributable_artifacts_cid_rs
            )
        if allow_nondistributable_artifacts_hostnames is not UNSET:
            field_dict["AllowNondistributableArtifactsHostnames"] = (
                allow_nondistributable_artifacts_hostnames
            )
        if insecure_registry_cid_rs is not UNSET:
            field_dict["InsecureRegistryCIDRs"] = insecure_registry_cid_rs
        if index_configs is not UNSET:
            field_dict["IndexConfigs"] = index_configs
        if mirrors is not UNSET:
            field_dict["Mirrors"] = mirrors

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.index_configs import IndexConfigs

        d = dict(src_dict)
        allow_nondistributable_artifacts_cid_rs = cast(
            list[str], d.pop("AllowNondistributableArtifactsCIDRs", UNSET)
        )

        allow_nondistributable_artifacts_hostnames = cast(
            list[str], d.pop("AllowNondistributableArtifactsHostnames", UNSET)
        )

        insecure_registry_cid_rs = cast(
            list[str], d.pop("InsecureRegistryCIDRs", UNSET)
        )

        _index_configs = d.pop("IndexConfigs", UNSET)
        index_configs: IndexConfigs | Unset
        if isinstance(_index_configs, Unset):
            index_configs = UNSET
        else:
            index_configs = IndexConfigs.from_dict(_index_configs)

        mirrors = cast(list[str], d.pop("Mirrors", UNSET))

        registry_service_config_type_0 = cls(
            allow_nondistributable_artifacts_cid_rs=allow_nondistributable_artifacts_cid_rs,
            allow_nondistributable_artifacts_hostnames=allow_nondistributable_artifacts_hostnames,
            insecure_registry_cid_rs=insecure_registry_cid_rs,
            index_configs=index_configs,
            mirrors=mirrors,
        )

        registry_service_config_type_0.additional_properties = d
        return registry_service_config_type_0

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
