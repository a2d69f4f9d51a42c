from typing import Literal

HostConfigIsolation = Literal["", "default", "hyperv", "process"]

HOST_CONFIG_ISOLATION_VALUES: set[HostConfigIsolation] = {
    "",
    "default",
    "hyperv",
    "process",
}


def check_host_config_isolation(value: str) -> HostConfigIsolation:
    if value in HOST_CONFIG_ISOLATION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {HOST_CONFIG_ISOLATION_VALUES!r}"
    )
