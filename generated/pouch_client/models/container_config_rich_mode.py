from typing import Literal

ContainerConfigRichMode = Literal["dumb-init", "sbin-init", "systemd"]

CONTAINER_CONFIG_RICH_MODE_VALUES: set[ContainerConfigRichMode] = {
    "dumb-init",
    "sbin-init",
    "systemd",
}


def check_container_config_rich_mode(value: str) -> ContainerConfigRichMode:
    if value in CONTAINER_CONFIG_RICH_MODE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CONTAINER_CONFIG_RICH_MODE_VALUES!r}"
    )
