from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.endpoint_ipam_config import EndpointIPAMConfig
    from ..models.endpoint_settings_driver_opts_type_0 import (
        EndpointSettingsDriverOptsType0,
    )


T = TypeVar("T", bound="EndpointSettings")


@_dataclass(slots=True)
class EndpointSettings:
    """A container's endpoint on one network: its configuration and, once connected, its addresses.

    Attributes:
        ipam_config (EndpointIPAMConfig | Unset): Addresses asked for an endpoint.
        links (list[str] | Unset): links on this network Example: ['container_1', 'container_2'].
        aliases (list[str] | Unset): names the container has on this network Example: ['server_x', 'server_y'].
        network_id (str | Unset): the network's ID Example:
            08754567f1f40222263eab4102e1c733ae697e8e354aa9cd6e18d7402835292a.
        endpoint_id (str | Unset): the endpoint's ID Example:
            b88f5b905aabf2893f3cbc4ee42d1ea7980bbc0a92e2c8922b1e1795298afb0b.
        gateway (str | Unset): the IPv4 gateway Example: 172.17.0.1.
        ip_address (str | Unset): the IPv4 address Example: 172.17.0.4.
        ip_prefix_len (int | Unset): the IPv4 prefix length Example: 16.
        i_pv_6_gateway (str | Unset): the IPv6 gateway Example: 2001:db8:2::100.
        global_i_pv_6_address (str | Unset): the global IPv6 address Example: 2001:db8::5689.
        global_i_pv_6_prefix_len (int | Unset): the global IPv6 prefix length Example: 64.
        mac_address (str | Unset): the MAC address on this network Example: 02:42:ac:11:00:04.
        driver_opts (EndpointSettingsDriverOptsType0 | None | Unset): options for the network driver Example:
            {'com.example.some-label': 'some-value', 'com.example.some-other-label': 'some-other-value'}.
    """

    ipam_config: EndpointIPAMConfig | Unset = UNSET
    links: list[str] | Unset = UNSET
    aliases: list[str] | Unset = UNSET
    network_id: str | Unset = UNSET
    endpoint_id: str | Unset = UNSET
    gateway: str | Unset = UNSET
    ip_address: str | Unset = UNSET
    ip_prefix_len: int | Unset = UNSET
    i_pv_6_gateway: str | Unset = UNSET
    global_i_pv_6_address: str | Unset = UNSET
    global_i_pv_6_prefix_len: int | Unset = UNSET
    mac_address: str | Unset = UNSET
    driver_opts: EndpointSettingsDriverOptsType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.endpoint_settings_driver_opts_type_0 import (
            EndpointSettingsDriverOptsType0,
        )

        ipam_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.ipam_config, Unset):
            ipam_config = self.ipam_config.to_dict()

        links: list[str] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = self.links

        aliases: list[str] | Unset = UNSET
        if not isinstance(self.aliases, Unset):
            aliases = self.aliases

        network_id = self.network_id

        endpoint_id = self.endpoint_id

        gateway = self.gateway

        ip_address = self.ip_address

        ip_prefix_len = self.ip_prefix_len

        i_pv_6_gateway = self.i_pv_6_gateway

        global_i_pv_6_address = self.global_i_pv_6_address

        global_i_pv_6_prefix_len = self.global_i_pv_6_prefix_len

        mac_address = self.mac_address

        driver_opts: dict[str, Any] | None | Unset
        if isinstance(self.driver_opts, Unset):
            driver_opts = UNSET
        elif isinstance(self.driver_opts, EndpointSettingsDriverOptsType0):
            driver_opts = self.driver_opts.to_dict()
        else:
            driver_opts = self.driver_opts

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if ipam_config is not UNSET:
            field_dict["IPAMConfig"] = ipam_config
        if links is not UNSET:
            field_dict["Links"] = links
        if aliases is not UNSET:
            field_dict["Aliases"] = aliases
        if network_id is not UNSET:
            field_dict["NetworkID"] = network_id
        if endpoint_id is not UNSET:
            field_dict["EndpointID"] = endpoint_id
        if gateway is not UNSET:
            field_dict["Gateway"] = gateway
        if ip_address is not UNSET:
            field_dict["IPAddress"] = ip_address
        if ip_prefix_len is not UNSET:
            field_dict["IPPrefixLen"] = ip_prefix_len
        if i_pv_6_gateway is not UNSET:
            field_dict["IPv6Gateway"] = i_pv_6_gateway
        if global_i_pv_6_address is not UNSET:
            field_dict["GlobalIPv6Address"] = global_i_pv_6_address
        if global_i_pv_6_prefix_len is not UNSET:
            field_dict["GlobalIPv6PrefixLen"] = global_i_pv_6_prefix_len
        if mac_address is not UNSET:
            field_dict["MacAddress"] = mac_address
        if driver_opts is not UNSET:
            field_dict["DriverOpts"] = driver_opts

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.endpoint_ipam_config import EndpointIPAMConfig
        from ..models.endpoint_settings_driver_opts_type_0 import (
            EndpointSettingsDriverOptsType0,
        )

        d = dict(src_dict)
        _ipam_config = d.pop("IPAMConfig", UNSET)
        ipam_config: EndpointIPAMConfig | Unset
        if isinstance(_ipam_config, Unset):
            ipam_config = UNSET
        else:
            ipam_config = EndpointIPAMConfig.from_dict(_ipam_config)

        links = cast(list[str], d.pop("Links", UNSET))

        aliases = cast(list[str], d.pop("Aliases", UNSET))

        network_id = d.pop("NetworkID", UNSET)

        endpoint_id = d.pop("EndpointID", UNSET)

        gateway = d.pop("Gateway", UNSET)

        ip_address = d.pop("IPAddress", UNSET)

        ip_prefix_len = d.pop("IPPrefixLen", UNSET)

        i_pv_6_gateway = d.pop("IPv6Gateway", UNSET)

        global_i_pv_6_address = d.pop("GlobalIPv6Address", UNSET)

        global_i_pv_6_prefix_len = d.pop("GlobalIPv6PrefixLen", UNSET)

        mac_address = d.pop("MacAddress", UNSET)

        def _parse_driver_opts(
            data: object,
        ) -> EndpointSettingsDriverOptsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                driver_opts_type_0 = EndpointSettingsDriverOptsType0.from_dict(data)

                return driver_opts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EndpointSettingsDriverOptsType0 | None | Unset, data)

        driver_opts = _parse_driver_opts(d.pop("DriverOpts", UNSET))

        endpoint_settings = cls(
            ipam_config=ipam_config,
            links=links,
            aliases=aliases,
            network_id=network_id,
            endpoint_id=endpoint_id,
            gateway=gateway,
            ip_address=ip_address,
            ip_prefix_len=ip_prefix_len,
            i_pv_6_gateway=i_pv_6_gateway,
            global_i_pv_6_address=global_i_pv_6_address,
            global_i_pv_6_prefix_len=global_i_pv_6_prefix_len,
            mac_address=mac_address,
            driver_opts=driver_opts,
        )

        endpoint_settings.additional_properties = d
        return endpoint_settings

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
