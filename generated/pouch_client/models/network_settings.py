from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ip_address import IPAddress
    from ..models.network_settings_networks import NetworkSettingsNetworks
    from ..models.port_map import PortMap


T = TypeVar("T", bound="NetworkSettings")


@_dataclass(slots=True)
class NetworkSettings:
    """A container's network: its sandbox, ports and endpoints.

    Attributes:
        bridge (str | Unset): the bridge's name Example: pouch-br.
        sandbox_id (str | Unset): the network sandbox's ID Example:
            9d12daf2c33f5959c8bf90aa513e4f65b561738661003029ec84830cd503a0c3.
        hairpin_mode (bool | Unset): whether hairpin NAT is on Example: False.
        link_local_i_pv_6_address (str | Unset): the link-local IPv6 address Example: fe80::42:acff:fe11:1.
        link_local_i_pv_6_prefix_len (int | Unset): its prefix length Example: 64.
        ports (PortMap | Unset): Host bindings of a container's ports, by `<port>/<protocol>` (`80/tcp`).
        sandbox_key (str | Unset): the sandbox's network namespace Example: /var/run/pouch/netns/8ab54b426c38.
        secondary_ip_addresses (list[IPAddress] | None | Unset): secondary IPv4 addresses
        secondary_i_pv_6_addresses (list[IPAddress] | None | Unset): secondary IPv6 addresses
        networks (NetworkSettingsNetworks | Unset): the container's endpoint on each network, by network name
    """

    bridge: str | Unset = UNSET
    sandbox_id: str | Unset = UNSET
    hairpin_mode: bool | Unset = UNSET
    link_local_i_pv_6_address: str | Unset = UNSET
    link_local_i_pv_6_prefix_len: int | Unset = UNSET
    ports: PortMap | Unset = UNSET
    sandbox_key: str | Unset = UNSET
    secondary_ip_addresses: list[IPAddress] | None | Unset = UNSET
    secondary_i_pv_6_addresses: list[IPAddress] | None | Unset = UNSET
    networks: NetworkSettingsNetworks | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bridge = self.bridge

        sandbox_id = self.sandbox_id

        hairpin_mode = self.hairpin_mode

        link_local_i_pv_6_address = self.link_local_i_pv_6_address

        link_local_i_pv_6_prefix_len = self.link_local_i_pv_6_prefix_len

        ports: dict[str, Any] | Unset = UNSET
        if not isinstance(self.ports, Unset):
            ports = self.ports.to_dict()

        sandbox_key = self.sandbox_key

        secondary_ip_addresses: list[dict[str, Any]] | None | Unset
        if isinstance(self.secondary_ip_addresses, Unset):
            secondary_ip_addresses = UNSET
        elif isinstance(self.secondary_ip_addresses, list):
            secondary_ip_addresses = []
            for secondary_ip_addresses_type_0_item_data in self.secondary_ip_addresses:
                secondary_ip_addresses_type_0_item = (
                    secondary_ip_addresses_type_0_item_data.to_dict()
                )
                secondary_ip_addresses.append(secondary_ip_addresses_type_0_item)

        else:
            secondary_ip_addresses = self.secondary_ip_addresses

        secondary_i_pv_6_addresses: list[dict[str, Any]] | None | Unset
        if isinstance(self.secondary_i_pv_6_addresses, Unset):
            secondary_i_pv_6_addresses = UNSET
        elif isinstance(self.secondary_i_pv_6_addresses, list):
            secondary_i_pv_6_addresses = []
            for (
                secondary_i_pv_6_addresses_type_0_item_data
            ) in self.secondary_i_pv_6_addresses:
                secondary_i_pv_6_addresses_type_0_item = (
                    secondary_i_pv_6_addresses_type_0_item_data.to_dict()
                )
                secondary_i_pv_6_addresses.append(
                    secondary_i_pv_6_addresses_type_0_item
                )

        else:
            secondary_i_pv_6_addresses = self.secondary_i_pv_6_addresses

        networks: dict[str, Any] | Unset = UNSET
        if not isinstance(self.networks, Unset):
            networks = self.networks.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if bridge is not UNSET:
            field_dict["Bridge"] = bridge
        if sandbox_id is not UNSET:
            field_dict["SandboxID"] = sandbox_id
        if hairpin_mode is not UNSET:
            field_dict["HairpinMode"] = hairpin_mode
        if link_local_i_pv_6_address is not UNSET:
            field_dict["LinkLocalIPv6Address"] = link_local_i_pv_6_address
        if link_local_i_pv_6_prefix_len is not UNSET:
            field_dict["LinkLocalIPv6PrefixLen"] = link_local_i_pv_6_prefix_len
        if ports is not UNSET:
            field_dict["Ports"] = ports
        if sandbox_key is not UNSET:
            field_dict["SandboxKey"] = sandbox_key
        if secondary_ip_addresses is not UNSET:
            field_dict["SecondaryIPAddresses"] = secondary_ip_addresses
        if secondary_i_pv_6_addresses is not UNSET:
            field_dict["SecondaryIPv6Addresses"] = secondary_i_pv_6_addresses
        if networks is not UNSET:
            field_dict["Networks"] = networks

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ip_address import IPAddress
        from ..models.network_settings_networks import NetworkSettingsNetworks
        from ..models.port_map import PortMap

        d = dict(src_dict)
        bridge = d.pop("Bridge", UNSET)

        sandbox_id = d.pop("SandboxID", UNSET)

        hairpin_mode = d.pop("HairpinMode", UNSET)

        link_local_i_pv_6_address = d.pop("LinkLocalIPv6Address", UNSET)

        link_local_i_pv_6_prefix_len = d.pop("LinkLocalIPv6PrefixLen", UNSET)

        _ports = d.pop("Ports", UNSET)
        ports: PortMap | Unset
        if isinstance(_ports, Unset):
            ports = UNSET
        else:
            ports = PortMap.from_dict(_ports)

        sandbox_key = d.pop("SandboxKey", UNSET)

        def _parse_secondary_ip_addresses(
            data: object,
        ) -> list[IPAddress] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                secondary_ip_addresses_type_0 = []
                _secondary_ip_addresses_type_0 = data
                for (
                    secondary_ip_addresses_type_0_item_data
                ) in _secondary_ip_addresses_type_0:
                    secondary_ip_addresses_type_0_item = IPAddress.from_dict(
                        secondary_ip_addresses_type_0_item_data
                    )

                    secondary_ip_addresses_type_0.append(
                        secondary_ip_addresses_type_0_item
                    )

                return secondary_ip_addresses_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[IPAddress] | None | Unset, data)

        secondary_ip_addresses = _parse_secondary_ip_addresses(
            d.pop("SecondaryIPAddresses", UNSET)
        )

        def _parse_secondary_i_pv_6_addresses(
            data: object,
        ) -> list[IPAddress] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                secondary_i_pv_6_addresses_type_0 = []
                _secondary_i_pv_6_addresses_type_0 = data
                for (
                    secondary_i_pv_6_addresses_type_0_item_data
                ) in _secondary_i_pv_6_addresses_type_0:
                    secondary_i_pv_6_addresses_type_0_item = IPAddress.from_dict(
                        secondary_i_pv_6_addresses_type_0_item_data
                    )

                    secondary_i_pv_6_addresses_type_0.append(
                        secondary_i_pv_6_addresses_type_0_item
                    )

                return secondary_i_pv_6_addresses_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[IPAddress] | None | Unset, data)

        secondary_i_pv_6_addresses = _parse_secondary_i_pv_6_addresses(
            d.pop("SecondaryIPv6Addresses", UNSET)
        )

        _networks = d.pop("Networks", UNSET)
        networks: NetworkSettingsNetworks | Unset
        if isinstance(_networks, Unset):
            networks = UNSET
        else:
            networks = NetworkSettingsNetworks.from_dict(_networks)

        network_settings = cls(
            bridge=bridge,
            sandbox_id=sandbox_id,
            hairpin_mode=hairpin_mode,
            link_local_i_pv_6_address=link_local_i_pv_6_address,
            link_local_i_pv_6_prefix_len=link_local_i_pv_6_prefix_len,
            ports=ports,
            sandbox_key=sandbox_key,
            secondary_ip_addresses=secondary_ip_addresses,
            secondary_i_pv_6_addresses=secondary_i_pv_6_addresses,
            networks=networks,
        )

        network_settings.additional_properties = d
        return network_settings

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
