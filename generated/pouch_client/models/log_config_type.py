from typing import Literal

LogConfigType = Literal[
    "",
    "awslogs",
    "etwlogs",
    "fluentd",
    "gelf",
    "journald",
    "json-file",
    "none",
    "splunk",
    "syslog",
]

LOG_CONFIG_TYPE_VALUES: set[LogConfigType] = {
    "",
    "awslogs",
    "etwlogs",
    "fluentd",
    "gelf",
    "journald",
    "json-file",
    "none",
    "splunk",
    "syslog",
}


def check_log_config_type(value: str) -> LogConfigType:
    if value in LOG_CONFIG_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LOG_CONFIG_TYPE_VALUES!r}"
    )
