from typing import Literal

SystemInfoCgroupDriver = Literal["cgroupfs", "systemd"]

SYSTEM_INFO_CGROUP_DRIVER_VALUES: set[SystemInfoCgroupDriver] = {
    "cgroupfs",
    "systemd",
}


def check_system_info_cgroup_driver(value: str) -> SystemInfoCgroupDriver:
    if value in SYSTEM_INFO_CGROUP_DRIVER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SYSTEM_INFO_CGROUP_DRIVER_VALUES!r}"
    )
