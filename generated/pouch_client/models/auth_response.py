from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthResponse")


@_dataclass(slots=True)
class AuthResponse:
    """The outcome of a successful login.

    Attributes:
        status (str): outcome, `Login Succeeded`
        identity_token (str | Unset): token to use instead of the password from now on, when the registry gives one
    """

    status: str
    identity_token: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        identity_token = self.identity_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Status": status,
            }
        )
        if identity_token is not UNSET:
            field_dict["IdentityToken"] = identity_token

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        status = d.pop("Status")

        identity_token = d.pop("IdentityToken", UNSET)

        auth_response = cls(
            status=status,
            identity_token=identity_token,
        )

        auth_response.additional_properties = d
        return auth_response

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
