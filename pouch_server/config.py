"""pouchd's configuration: command-line flags merged with the JSON config file.

The file is keyed by the long flag names (``"home-dir"``, ``"label"``, ...), as pouchd's is.
A key given both in the file and as a flag is an error that names it, never a silent choice.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pouch_common import paths
from pouch_common.labels import label_problem, labels_limit_problem
from pouch_common.limits import MAX_IMAGE_PROXY_LENGTH
from pouch_common.registry import DEFAULT_REGISTRY
from pouch_common.version import __version__


class ConfigError(Exception):
    """The configuration cannot be used; the message says why, in one line."""


@dataclass
class RuntimeSpec:
    """One OCI runtime known to the daemon (``--add-runtime name=path``)."""

    path: str
    runtime_args: list[str] | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"path": self.path, "runtimeArgs": self.runtime_args}


@dataclass
class DaemonConfig:
    """Everything pouchd was started with. Mutable parts (labels, image proxy) change via
    /daemon/update and are kept by :class:`pouch_server.managers.daemon.DaemonStateStore`."""

    listen: list[str] = field(default_factory=lambda: [paths.default_host()])
    home_dir: str = field(default_factory=paths.default_home_dir)
    debug: bool = False
    config_file: str | None = None
    labels: list[str] = field(default_factory=list)
    default_runtime: str = "runc"
    runtimes: dict[str, RuntimeSpec] = field(default_factory=dict)
    snapshotter: str = "overlayfs"
    log_driver: str = "json-file"
    cgroup_driver: str = "cgroupfs"
    default_registry: str = DEFAULT_REGISTRY
    image_proxy: str = ""
    insecure_registries: list[str] = field(default_factory=list)
    registry_mirrors: list[str] = field(default_factory=list)
    pidfile: str | None = None
    tlscert: str | None = None
    tlskey: str | None = None
    tlscacert: str | None = None
    tlsverify: bool = False
    manager_whitelist: list[str] = field(default_factory=list)
    group: str | None = None
    max_body_size: int = 1024 * 1024
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    # Not a pouchd flag: on in tests so that every response is checked against the spec.
    validate_responses: bool = False


# flag name (and config file key) -> (DaemonConfig attribute, kind)
_OPTIONS: dict[str, tuple[str, str]] = {
    "listen": ("listen", "list"),
    "home-dir": ("home_dir", "str"),
    "debug": ("debug", "bool"),
    "label": ("labels", "list"),
    "default-runtime": ("default_runtime", "str"),
    "add-runtime": ("runtimes", "runtimes"),
    "snapshotter": ("snapshotter", "str"),
    "log-driver": ("log_driver", "str"),
    "cgroup-driver": ("cgroup_driver", "str"),
    "default-registry": ("default_registry", "str"),
    "image-proxy": ("image_proxy", "str"),
    "insecure-registries": ("insecure_registries", "csv"),
    "registry-mirrors": ("registry_mirrors", "csv"),
    "pidfile": ("pidfile", "str"),
    "tlscert": ("tlscert", "str"),
    "tlskey": ("tlskey", "str"),
    "tlscacert": ("tlscacert", "str"),
    "tlsverify": ("tlsverify", "bool"),
    "manager-whitelist": ("manager_whitelist", "csv"),
    "group": ("group", "str"),
    "max-body-size": ("max_body_size", "size"),
    "header-timeout": ("header_timeout", "seconds"),
    "body-timeout": ("body_timeout", "seconds"),
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pouchd",
        description="pouchd serves the system API of the Pouch Engine (v1.24) on unix sockets and TCP.",
        epilog="example: pouchd -l unix:///run/pouchd.sock -l tcp://127.0.0.1:4243 --label zone=a",
    )
    # Every default is None so that we can tell a flag that was given from one that was not.
    p.add_argument("-l", "--listen", action="append", metavar="ADDR",
                   help="address to listen on, unix:///path or tcp://host:port (repeatable; "
                   f"default {paths.default_host()})")
    p.add_argument("--home-dir", metavar="DIR", help=f"daemon state directory (default {paths.default_home_dir()})")
    p.add_argument("-D", "--debug", action="store_const", const=True, help="debug logging, one line per request")
    p.add_argument("--config-file", metavar="FILE",
                   help=f"JSON config file keyed by flag names (default {paths.default_config_file()}, "
                   "used if present)")
    p.add_argument("--label", action="append", metavar="KEY=VALUE", help="daemon label (repeatable)")
    p.add_argument("--default-runtime", metavar="NAME", help="default OCI runtime (default runc)")
    p.add_argument("--add-runtime", action="append", metavar="NAME=PATH", help="register an OCI runtime (repeatable)")
    p.add_argument("--snapshotter", metavar="NAME", help="storage driver (default overlayfs)")
    p.add_argument("--log-driver", metavar="NAME", help="default log driver (default json-file)")
    p.add_argument("--cgroup-driver", metavar="NAME", help="cgroupfs or systemd (default cgroupfs)")
    p.add_argument("--default-registry", metavar="HOST", help=f"default registry (default {DEFAULT_REGISTRY})")
    p.add_argument("--image-proxy", metavar="URL", help="proxy used to pull images")
    p.add_argument("--insecure-registries", action="append", metavar="HOST[,HOST]",
                   help="registries reached over plain HTTP or unverified TLS (repeatable, comma separated)")
    p.add_argument("--registry-mirrors", action="append", metavar="URL[,URL]", help="registry mirrors (repeatable)")
    p.add_argument("--pidfile", metavar="FILE", help="write the daemon's PID to this file")
    p.add_argument("--tlscert", metavar="FILE", help="TLS certificate for tcp listeners (PEM)")
    p.add_argument("--tlskey", metavar="FILE", help="TLS key for tcp listeners (PEM)")
    p.add_argument("--tlscacert", metavar="FILE", help="CA that signs trusted client certificates (PEM)")
    p.add_argument("--tlsverify", action="store_const", const=True,
                   help="require a client certificate signed by --tlscacert")
    p.add_argument("--manager-whitelist", action="append", metavar="CN[,CN]",
                   help="client certificate common names allowed to call (others get 403)")
    p.add_argument("-G", "--group", metavar="GROUP",
                   help="group that owns the unix sockets (name or gid); members may use the daemon")
    p.add_argument("--max-body-size", metavar="SIZE",
                   help="largest request body accepted, e.g. 1048576, 512k, 1m (default 1m); larger gets 413")
    p.add_argument("--header-timeout", metavar="SECONDS",
                   help="time a client has to send a request's headers (default 10)")
    p.add_argument("--body-timeout", metavar="SECONDS",
                   help="time a client has to send a request's body (default 30)")
    p.add_argument("--validate-responses", action="store_const", const=True, help=argparse.SUPPRESS)
    p.add_argument("-v", "--version", action="version", version=f"pouchd version {__version__}")
    return p


def _split_csv(values: list[str]) -> list[str]:
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _parse_runtimes(value: Any, source: str) -> dict[str, RuntimeSpec]:
    out: dict[str, RuntimeSpec] = {}
    if isinstance(value, dict):  # config file: {"name": {"path": "..."}} or {"name": "path"}
        for name, spec in value.items():
            if isinstance(spec, str):
                out[name] = RuntimeSpec(spec)
            elif isinstance(spec, dict) and isinstance(spec.get("path", ""), str):
                args = spec.get("runtimeArgs")
                out[name] = RuntimeSpec(spec.get("path") or name, list(args) if args else None)
            else:
                raise ConfigError(f"invalid add-runtime entry for {name!r} in {source}")
        return out
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, str) or "=" not in item or not item.split("=", 1)[0]:
                raise ConfigError(f"invalid add-runtime {item!r} in {source}: want NAME=PATH")
            name, path = item.split("=", 1)
            out[name] = RuntimeSpec(path or name)
        return out
    raise ConfigError(f"invalid add-runtime in {source}")


def _coerce(key: str, kind: str, value: Any, source: str) -> Any:
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{key} in {source} must be true or false")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{key} in {source} must be a string")
        return value
    if kind in ("list", "csv"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} in {source} must be a list of strings")
        return _split_csv(value) if kind == "csv" else list(value)
    if kind == "runtimes":
        return _parse_runtimes(value, source)
    if kind == "size":
        return parse_size(key, value, source)
    if kind == "seconds":
        return parse_seconds(key, value, source)
    raise AssertionError(kind)


_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}


def parse_size(key: str, value: Any, source: str) -> int:
    """Bytes from ``1048576``, ``512k``, ``1m`` (binary units, as docker's flags)."""
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    elif isinstance(value, str):
        text = value.strip().lower()
        digits = text.rstrip("kmgb")
        unit = text[len(digits):]
        if not digits.isdigit() or unit not in _SIZE_UNITS:
            raise ConfigError(f"invalid {key} {value!r} in {source}: want bytes, e.g. 1048576, 512k or 1m")
        n = int(digits) * _SIZE_UNITS[unit]
    else:
        raise ConfigError(f"{key} in {source} must be a size")
    if n <= 0:
        raise ConfigError(f"{key} in {source} must be positive")
    return n


def parse_seconds(key: str, value: Any, source: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"invalid {key} {value!r} in {source}: want seconds") from None
    if not 0 < seconds < 86400:
        raise ConfigError(f"{key} in {source} must be between 0 and 86400 seconds")
    return seconds


def load_config(argv: list[str] | None = None) -> DaemonConfig:
    """Parse flags, read the config file if there is one, merge, validate."""
    args = build_parser().parse_args(argv)
    given: dict[str, Any] = {}
    for key in _OPTIONS:
        value = getattr(args, key.replace("-", "_"))
        if value is not None:
            given[key] = value

    explicit_file = args.config_file is not None
    config_file = args.config_file or paths.default_config_file()
    from_file: dict[str, Any] = {}
    used_file: str | None = None
    if os.path.exists(config_file) or explicit_file:
        from_file = read_config_file(config_file)
        used_file = config_file

    conflicts = sorted(set(given) & set(from_file))
    if conflicts:
        raise ConfigError(
            "found conflict flags in command line and config file "
            f"{config_file}: {', '.join(conflicts)}"
        )

    cfg = DaemonConfig(config_file=used_file, validate_responses=bool(args.validate_responses))
    for key, value in {**from_file, **given}.items():
        attr, kind = _OPTIONS[key]
        source = "flags" if key in given else config_file
        setattr(cfg, attr, _coerce(key, kind, value, source))
    validate(cfg)
    return cfg


def read_config_file(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read config file {path}: {e}") from None
    except json.JSONDecodeError as e:
        raise ConfigError(f"config file {path} is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a JSON object")
    unknown = sorted(set(data) - set(_OPTIONS))
    if unknown:
        raise ConfigError(f"config file {path}: unknown key(s): {', '.join(unknown)}")
    return data


def validate(cfg: DaemonConfig) -> None:
    if not cfg.listen:
        raise ConfigError("no listen address given")
    for addr in cfg.listen:
        parse_listen_address(addr)
    if cfg.cgroup_driver not in ("cgroupfs", "systemd"):
        raise ConfigError(f"invalid cgroup-driver {cfg.cgroup_driver!r}: want cgroupfs or systemd")
    for label in cfg.labels:
        problem = label_problem(label)
        if problem is not None:
            raise ConfigError(problem)
    problem = labels_limit_problem(cfg.labels)
    if problem is not None:
        raise ConfigError(problem)
    if len(cfg.image_proxy) > MAX_IMAGE_PROXY_LENGTH:
        raise ConfigError(f"image-proxy longer than {MAX_IMAGE_PROXY_LENGTH} characters")
    if bool(cfg.tlscert) != bool(cfg.tlskey):
        raise ConfigError("--tlscert and --tlskey must be given together")
    if cfg.tlsverify and not cfg.tlscacert:
        raise ConfigError("--tlsverify needs --tlscacert")
    if (cfg.tlsverify or cfg.tlscacert or cfg.manager_whitelist) and not cfg.tlscert:
        raise ConfigError("--tlsverify, --tlscacert and --manager-whitelist need --tlscert and --tlskey")
    if cfg.manager_whitelist and not cfg.tlsverify:
        raise ConfigError("--manager-whitelist needs --tlsverify (client certificates are checked only then)")
    for name in ("tlscert", "tlskey", "tlscacert"):
        path = getattr(cfg, name)
        if path and not os.path.isfile(path):
            raise ConfigError(f"--{name} {path}: no such file")
    cfg.home_dir = str(Path(cfg.home_dir).expanduser().absolute())




@dataclass(frozen=True)
class ListenAddress:
    scheme: str  # "unix" or "tcp"
    path: str = ""  # unix
    host: str = ""  # tcp
    port: int = 0  # tcp

    def __str__(self) -> str:
        if self.scheme == "unix":
            return f"unix://{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"


def parse_listen_address(addr: str) -> ListenAddress:
    """Parse ``unix:///path`` or ``tcp://host:port`` (``[::1]:port`` for IPv6)."""
    if addr.startswith("unix://"):
        path = addr[len("unix://"):]
        if not path.startswith("/"):
            raise ConfigError(f"invalid listen address {addr!r}: unix socket path must be absolute")
        return ListenAddress("unix", path=path)
    if addr.startswith("tcp://"):
        rest = addr[len("tcp://"):].rstrip("/")
        host, sep, port = rest.rpartition(":")
        if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ConfigError(f"invalid listen address {addr!r}: want tcp://host:port")
        host = host.strip("[]") or "0.0.0.0"
        return ListenAddress("tcp", host=host, port=int(port))
    raise ConfigError(f"invalid listen address {addr!r}: want unix:///path or tcp://host:port")
