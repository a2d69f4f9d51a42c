from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthConfig")


@_dataclass(slots=True)
class AuthConfig:
    """Credentials for a registry. Each field has a maximum length, far above what registries use, so that what a login
    costs the daemon is bounded whatever is sent (400 beyond).

        Attributes:
            username (str | Unset): user name (at most 1024 characters)
            password (str | Unset): password (at most 16384 characters)
            auth (str | Unset): base64 of `username:password`, an alternative to Username and Password (at most 24576
                characters: the base64 of the longest user name and password)
            server_address (str | Unset): registry to log in to; empty means the default registry (at most 2048 characters)
            identity_token (str | Unset): token from an earlier login, used instead of the password (at most 16384
                characters)
            registry_token (str | Unset): bearer token to present to the registry (at most 16384 characters)
    """

    username: str | Unset = UNSET
    password: str | Unset = UNSET
    auth: str | Unset = UNSET
    server_address: str | Unset = UNSET
    identity_token: str | Unset = UNSET
    registry_token: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        username = self.username

        password = self.password

        auth = self.auth

        server_address = self.server_address

        identity_token = self.identity_token

        registry_token = self.registry_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if username is not UNSET:
            field_dict["Username"] = username
        if password is not UNSET:
            field_dict["Password"] = password
        if auth is not UNSET:
            field_dict["Auth"] = auth
        if server_address is not UNSET:
            field_dict["ServerAddress"] = server_address
        if identity_token is not UNSET:
            field_dict["IdentityToken"] = identity_token
        if registry_token is not UNSET:
            field_dict["RegistryToken"] = registry_token

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        username = d.pop("Username", UNSET)

        password = d.pop("Password", UNSET)

        auth = d.pop("Auth", UNSET)

        server_address = d.pop("ServerAddress", UNSET)

        identity_token = d.pop("IdentityToken", UNSET)

        registry_token = d.pop("RegistryToken", UNSET)

        auth_config = cls(
            username=username,
            password=password,
            auth=auth,
            server_address=server_address,
            identity_token=identity_token,
            registry_token=registry_token,
        )

        auth_config.additional_properties = d
        return auth_config

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
