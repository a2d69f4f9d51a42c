from typing import Literal

HostConfigRichMode = Literal["dumb-init", "sbin-init", "systemd"]

HOST_CONFIG_RICH_MODE_VALUES: set[HostConfigRichMode] = {
    "dumb-init",
    "sbin-init",
    "systemd",
}


def check_host_config_rich_mode(value: str) -> HostConfigRichMode:
    if value in HOST_CONFIG_RICH_MODE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {HOST_CONFIG_RICH_MODE_VALUES!r}"
    )
