"""pouchd's configuration: command-line flags merged with the JSON config file, as pouch merges them.

The file is keyed by the long flag names (``"home-dir"``, ``"label"``, ...), and also takes the
nested keys of pouch's own config.json (its Config struct marshalled: ``{"TLS": {"tlscert": ...}}``,
``{"default-log-config": {"Type": ...}}``, see :data:`NESTED_KEYS`). As in pouch (daemon/config):

- a list option (a repeatable flag, ``add-runtime``'s map) given both in the file and as flags is
  merged, the flags' values first (pouch does so for ``label``, its one slice flag among these;
  its conflict check happens to refuse its array flags, a difference pouchd does not copy); any
  other option given in both is an error that names it;
- labels and listen addresses given twice are kept once, in their first place;
- a missing config file is no error (there is simply none), ``--config-file ""`` means none at
  all, and a file holding ``null`` is an empty configuration.

Every option is declared once, as a field of :class:`DaemonConfig` made by :func:`option`: its
type and default, its flags (the long one is also its config-file key), how a value is read
(:data:`Kind`) and its help. The parser, the config file's keys, the reading of values and the
defaults all come from that one table (:data:`OPTIONS`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, NoReturn

from pouch_common import paths
from pouch_common.labels import label_problem, labels_limit_problem
from pouch_common.limits import MAX_IMAGE_PROXY_LENGTH
from pouch_common.registry import DEFAULT_REGISTRY, image_proxy_url
from pouch_common.version import API_VERSION, __version__


class ConfigError(Exception):
    """The configuration cannot be used; the message says why, in one line."""


@dataclass
class RuntimeSpec:
    """One OCI runtime known to the daemon (``--add-runtime name=path``)."""

    path: str
    runtime_args: list[str] | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"path": self.path, "runtimeArgs": self.runtime_args}


#: How an option's value is read, from a flag or from the config file: ``str``, ``bool`` (a flag
#: without a value), ``list`` (a repeatable flag; a list or one string in the file), ``csv`` (the
#: same, each value also split at commas), ``runtimes`` (NAME=PATH flags; an object in the file),
#: ``size`` (bytes, ``512k``, ``1m``) and ``seconds``.
Kind = Literal["str", "bool", "list", "csv", "runtimes", "size", "seconds"]

#: The kinds whose values from the flags and from the config file are merged, not refused as a conflict.
MERGED_KINDS: frozenset[Kind] = frozenset({"list", "csv", "runtimes"})

# The defaults of the HTTP protocol's limits, stated once: the options below show and set them,
# and pouch_server/protocol.py's ``Limits`` defaults to them (it imports this module, not the
# other way round: the managers import this one, and must not load uvicorn with it).
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_BODY_TIMEOUT = 30.0
DEFAULT_MAX_BODY_SIZE = 1024 * 1024
#: pouch's default for --containerd (not containerd's usual /run/containerd/containerd.sock:
#: pouchd runs a containerd of its own, beside any the host runs).
DEFAULT_CONTAINERD_ADDRESS = "/var/run/containerd.sock"


@dataclass(frozen=True)
class Option:
    """How one :class:`DaemonConfig` field is given: flags, kind, help, and whether the config
    file may set it (``--config-file`` itself may not, nor the tests' hidden flag)."""

    flags: tuple[str, ...]
    kind: Kind
    help: str
    metavar: str | None
    in_file: bool
    default_text: Callable[[], str] | None

    @property
    def key(self) -> str:
        """The long flag's name: the config file's key, and how messages name the option."""
        return self.flags[-1].removeprefix("--")


def option(
    *flags: str,
    kind: Kind,
    help: str,
    default: Any = None,
    factory: Callable[[], Any] | None = None,
    metavar: str | None = None,
    in_file: bool = True,
    default_text: Callable[[], str] | None = None,
) -> Any:
    """A :class:`DaemonConfig` field that is a pouchd option. ``default`` (or ``factory``, for a
    value made at start: a list, a path that depends on the user) is the value when neither a
    flag nor the config file gives one; --help shows it unless it is empty, or ``default_text``
    says it another way."""
    opt = Option(flags, kind, help, metavar, in_file, default_text)
    if factory is not None:
        return field(default_factory=factory, metadata={"option": opt})
    return field(default=default, metadata={"option": opt})


@dataclass
class DaemonConfig:
    """Everything pouchd was started with. Mutable parts (labels, image proxy) change via
    /daemon/update and are kept by :class:`pouch_server.managers.daemon.DaemonStateStore`."""

    listen: list[str] = option(
        "-l",
        "--listen",
        kind="list",
        factory=lambda: [paths.default_host()],
        metavar="ADDR",
        help="address to listen on, unix:///path or tcp://host:port, repeatable",
    )
    home_dir: str = option(
        "--home-dir", kind="str", factory=paths.default_home_dir, metavar="DIR", help="daemon state directory"
    )
    debug: bool = option("-D", "--debug", kind="bool", default=False, help="debug logging, one line per request")
    # The file that was read (None when none was); --config-file names it, the file cannot.
    config_file: str | None = option(
        "--config-file",
        kind="str",
        metavar="FILE",
        in_file=False,
        default_text=lambda: paths.default_config_file(),
        help="JSON config file keyed by flag names, read if it exists; '' for none",
    )
    labels: list[str] = option(
        "--label",
        kind="list",
        factory=list,
        metavar="KEY=VALUE",
        help="daemon label, repeatable (one given twice is kept once)",
    )
    default_runtime: str = option(
        "--default-runtime", kind="str", default="runc", metavar="NAME", help="default OCI runtime"
    )
    runtimes: dict[str, RuntimeSpec] = option(
        "--add-runtime",
        kind="runtimes",
        factory=dict,
        metavar="NAME=PATH",
        help="register an OCI runtime, repeatable (each name once)",
    )
    containerd: str = option(
        "-c",
        "--containerd",
        kind="str",
        default=DEFAULT_CONTAINERD_ADDRESS,
        metavar="SOCKET",
        help="the gRPC socket of pouchd's containerd: the one it starts, or one already serving there",
    )
    containerd_path: str = option(
        "--containerd-path",
        kind="str",
        default="",
        metavar="FILE",
        default_text=lambda: "containerd on PATH",
        help="the containerd binary pouchd starts",
    )
    default_namespace: str = option(
        "--default-namespace",
        kind="str",
        default="default",
        metavar="NAME",
        help="the containerd namespace pouchd keeps its images and containers in",
    )
    snapshotter: str = option(
        "--snapshotter", kind="str", default="overlayfs", metavar="NAME", help="containerd snapshotter (storage driver)"
    )
    log_driver: str = option("--log-driver", kind="str", default="json-file", metavar="NAME", help="default log driver")
    cgroup_driver: str = option(
        "--cgroup-driver", kind="str", default="cgroupfs", metavar="NAME", help="cgroupfs or systemd"
    )
    default_registry: str = option(
        "--default-registry", kind="str", default=DEFAULT_REGISTRY, metavar="HOST", help="default registry"
    )
    image_proxy: str = option("--image-proxy", kind="str", default="", metavar="URL", help="proxy used to pull images")
    insecure_registries: list[str] = option(
        "--insecure-registries",
        kind="csv",
        factory=list,
        metavar="HOST[,HOST]",
        help="registries reached over plain HTTP or unverified TLS, repeatable, comma separated",
    )
    registry_mirrors: list[str] = option(
        "--registry-mirrors", kind="csv", factory=list, metavar="URL[,URL]", help="registry mirrors, repeatable"
    )
    pidfile: str | None = option("--pidfile", kind="str", metavar="FILE", help="write the daemon's PID to this file")
    tlscert: str | None = option(
        "--tlscert", kind="str", metavar="FILE", help="TLS certificate for tcp listeners (PEM)"
    )
    tlskey: str | None = option("--tlskey", kind="str", metavar="FILE", help="TLS key for tcp listeners (PEM)")
    tlscacert: str | None = option(
        "--tlscacert", kind="str", metavar="FILE", help="CA that signs trusted client certificates (PEM)"
    )
    tlsverify: bool = option(
        "--tlsverify", kind="bool", default=False, help="require a client certificate signed by --tlscacert"
    )
    manager_whitelist: list[str] = option(
        "--manager-whitelist",
        kind="csv",
        factory=list,
        metavar="CN[,CN]",
        help="client certificate common names allowed to call (others get 403)",
    )
    group: str | None = option(
        "-G",
        "--group",
        kind="str",
        metavar="GROUP",
        help="group that owns the unix sockets (name or gid); members may use the daemon",
    )
    max_body_size: int = option(
        "--max-body-size",
        kind="size",
        default=DEFAULT_MAX_BODY_SIZE,
        metavar="SIZE",
        default_text=lambda: _size_text(DEFAULT_MAX_BODY_SIZE),
        help="largest request body accepted, e.g. 1048576, 512k, 1m; larger gets 413",
    )
    header_timeout: float = option(
        "--header-timeout",
        kind="seconds",
        default=DEFAULT_HEADER_TIMEOUT,
        metavar="SECONDS",
        help="time a client has to send a request's headers",
    )
    body_timeout: float = option(
        "--body-timeout",
        kind="seconds",
        default=DEFAULT_BODY_TIMEOUT,
        metavar="SECONDS",
        help="time a client has to send a request's body",
    )
    # Not one of pouch's flags: on in tests so that every response is checked against the spec.
    validate_responses: bool = option(
        "--validate-responses", kind="bool", default=False, in_file=False, help=argparse.SUPPRESS
    )


#: Every option, by DaemonConfig attribute.
OPTIONS: dict[str, Option] = {f.name: f.metadata["option"] for f in fields(DaemonConfig)}
#: Config file key → DaemonConfig attribute.
FILE_KEYS: dict[str, str] = {opt.key: name for name, opt in OPTIONS.items() if opt.in_file}

#: pouch's nested config keys (the json tags of its Config struct: ``TLS`` is client.TLSConfig,
#: ``default-log-config`` is types.LogConfig) → the flat keys above they stand for. pouch flattens
#: them one level the same way to find conflicts with the flags. Only the fields pouchd has an
#: option for; ``default-log-config``'s ``Config`` (pouch's --log-opt) is not one.
NESTED_KEYS: dict[str, dict[str, str]] = {
    "TLS": {key: key for key in ("tlscacert", "tlscert", "tlskey", "tlsverify", "manager-whitelist")},
    "default-log-config": {"Type": "log-driver"},
}


def _default_text(name: str, opt: Option) -> str | None:
    """How --help shows an option's default: None for an empty one (nothing to show)."""
    if opt.default_text is not None:
        return opt.default_text()
    spec = next(f for f in fields(DaemonConfig) if f.name == name)
    value = spec.default_factory() if spec.default_factory is not MISSING else spec.default
    if not value:
        return None
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Parser(argparse.ArgumentParser):
    """argparse with pouchd's error convention, the CLI's: one line ``Error: ...``, exit status 1."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    # allow_abbrev=False: pouch's flags (pflag) take no abbreviations, so `--config=x` is no --config-file.
    p = _Parser(
        prog="pouchd",
        description=f"pouchd serves the system API of the Pouch Engine (v{API_VERSION}) on unix sockets and TCP. "
        "Repeatable options given both as flags and in the config file are merged; any other "
        "option may be given in one of them only.",
        epilog="example: pouchd -l unix:///run/pouchd.sock -l tcp://127.0.0.1:4243 --label zone=a",
        allow_abbrev=False,
    )
    for name, opt in OPTIONS.items():
        shown = _default_text(name, opt) if opt.help != argparse.SUPPRESS else None
        kwargs: dict[str, Any] = {"dest": name, "help": opt.help + (f" (default {shown})" if shown else "")}
        # Every default is None, so that a flag that was given can be told from one that was not.
        if opt.kind == "bool":
            kwargs.update(action="store_const", const=True)
        else:
            kwargs["metavar"] = opt.metavar
            if opt.kind in ("list", "csv", "runtimes"):
                kwargs["action"] = "append"
        p.add_argument(*opt.flags, **kwargs)
    p.add_argument("-v", "--version", action="version", version=f"pouchd version {__version__}")
    return p


def _split_csv(values: list[str]) -> list[str]:
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _already_registered(name: str) -> ConfigError:
    """pouch's words (apis/opts/config/runtime.go) for a runtime name given twice."""
    return ConfigError(f"runtime {name} already registers to daemon")


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
            if name in out:
                raise _already_registered(name)
            out[name] = RuntimeSpec(path or name)
        return out
    raise ConfigError(f"invalid add-runtime in {source}")


def _coerce(key: str, kind: Kind, value: Any, source: str) -> Any:
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
    return parse_seconds(key, value, source)


_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}


def parse_size(key: str, value: Any, source: str) -> int:
    """Bytes from ``1048576``, ``512k``, ``1m`` (binary units, as docker's flags)."""
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    elif isinstance(value, str):
        text = value.strip().lower()
        digits = text.rstrip("kmgb")
        unit = text[len(digits) :]
        if not digits.isdigit() or unit not in _SIZE_UNITS:
            raise ConfigError(f"invalid {key} {value!r} in {source}: want bytes, e.g. 1048576, 512k or 1m")
        n = int(digits) * _SIZE_UNITS[unit]
    else:
        raise ConfigError(f"{key} in {source} must be a size")
    if n <= 0:
        raise ConfigError(f"{key} in {source} must be positive")
    return n


def _size_text(n: int) -> str:
    """``n`` bytes as a size option takes them, in the largest unit that divides them: ``1m``."""
    for unit in ("g", "m", "k"):
        if n % _SIZE_UNITS[unit] == 0:
            return f"{n // _SIZE_UNITS[unit]}{unit}"
    return str(n)


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
    given = {name: getattr(args, name) for name in OPTIONS if getattr(args, name) is not None}

    # pouch skips an empty --config-file, and a file that does not exist (loadDaemonFile,
    # MergeConfigurations): pouchd then runs on its flags alone.
    config_file = paths.default_config_file() if args.config_file is None else args.config_file
    file_values = read_config_file(config_file) if config_file else None
    from_file = {FILE_KEYS[key]: value for key, value in (file_values or {}).items()}

    conflicts = sorted(
        OPTIONS[name].key for name in set(given) & set(from_file) if OPTIONS[name].kind not in MERGED_KINDS
    )
    if conflicts:
        raise ConfigError(f"found conflict flags in command line and config file {config_file}: {', '.join(conflicts)}")

    cfg = DaemonConfig()
    for name in dict.fromkeys([*given, *from_file]):
        opt = OPTIONS[name]
        # One value, or a list option's two (the flags' and the file's: no conflict, see above).
        values = [
            _coerce(opt.key, opt.kind, source[name], where)
            for source, where in ((given, "flags"), (from_file, config_file))
            if name in source
        ]
        setattr(cfg, name, values[0] if len(values) == 1 else _merged(*values))
    cfg.config_file = config_file if file_values is not None else None
    validate(cfg)
    return cfg


def _merged(flags: Any, from_file: Any) -> Any:
    """A list option's values from both places: the flags' first, then the file's, as pouch's
    utils.Merge appends them; a runtime name in both is refused as pouch refuses one given twice."""
    if isinstance(flags, dict):
        for name in from_file:
            if name in flags:
                raise _already_registered(name)
        return {**flags, **from_file}
    return [*flags, *from_file]


def read_config_file(path: str) -> dict[str, Any] | None:
    """The file's values by flat key (pouch's nested keys flattened), or None when it does not
    exist. A file holding ``null``, and a key whose value is ``null``, set nothing: Go's
    json.Unmarshal into pouch's Config struct leaves it as it was."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read config file {path}: {e}") from None
    except json.JSONDecodeError as e:
        raise ConfigError(f"config file {path} is not valid JSON: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a JSON object")
    flat: dict[str, Any] = {}
    where: dict[str, str] = {}  # flat key → how the file spelled it, for the message on a key given twice
    unknown: list[str] = []
    for key, value in data.items():
        if key in NESTED_KEYS:
            if value is None:
                continue
            if not isinstance(value, dict):
                raise ConfigError(f"{key} in {path} must be an object")
            entries = [(f"{key}.{sub}", NESTED_KEYS[key].get(sub), v) for sub, v in value.items()]
        else:
            entries = [(key, key if key in FILE_KEYS else None, value)]
        for spelled, flat_key, v in entries:
            if flat_key is None:
                unknown.append(spelled)
            elif v is None:
                continue
            elif flat_key in flat:
                raise ConfigError(f"config file {path}: {flat_key} given twice ({where[flat_key]} and {spelled})")
            else:
                flat[flat_key], where[flat_key] = v, spelled
    if unknown:
        raise ConfigError(f"config file {path}: unknown key(s): {', '.join(sorted(unknown))}")
    return flat


def _deduplicated(values: list[str]) -> list[str]:
    """Each value once, where it first appears (pouch's utils.DeDuplicate)."""
    return list(dict.fromkeys(values))


def validate(cfg: DaemonConfig) -> None:
    # pouch's Config.Validate keeps each listen address and each label once.
    cfg.listen = _deduplicated(cfg.listen)
    cfg.labels = _deduplicated(cfg.labels)
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
    if cfg.image_proxy:
        try:
            image_proxy_url(cfg.image_proxy)
        except ValueError as e:
            raise ConfigError(str(e)) from None
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
    _validate_containerd(cfg)


#: containerd's rule for a namespace name (namespaces/validate.go): labels of letters and digits
#: joined by ``.``, ``_`` or ``-``, at most 76 characters.
_NAMESPACE = re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*")
_MAX_NAMESPACE = 76
#: The longest unix socket path (sun_path less its NUL); containerd also listens at ``<path>.ttrpc``.
_MAX_SOCKET_PATH = 107 - len(".ttrpc")


def _validate_containerd(cfg: DaemonConfig) -> None:
    address = cfg.containerd.removeprefix("unix://")
    if not os.path.isabs(address):
        raise ConfigError(f"--containerd {cfg.containerd}: want the absolute path of a unix socket")
    if len(os.fsencode(address)) > _MAX_SOCKET_PATH:
        raise ConfigError(f"--containerd {cfg.containerd}: longer than {_MAX_SOCKET_PATH} bytes, too long for a socket")
    cfg.containerd = os.path.normpath(address)
    if len(cfg.default_namespace) > _MAX_NAMESPACE or not _NAMESPACE.fullmatch(cfg.default_namespace):
        raise ConfigError(
            f"invalid default-namespace {cfg.default_namespace!r}: letters and digits joined by . _ or -,"
            f" at most {_MAX_NAMESPACE} characters"
        )
    if not cfg.snapshotter:
        raise ConfigError("--snapshotter must name a snapshotter")


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
        path = addr[len("unix://") :]
        if not path.startswith("/"):
            raise ConfigError(f"invalid listen address {addr!r}: unix socket path must be absolute")
        return ListenAddress("unix", path=path)
    if addr.startswith("tcp://"):
        rest = addr[len("tcp://") :].rstrip("/")
        host, sep, port = rest.rpartition(":")
        if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ConfigError(f"invalid listen address {addr!r}: want tcp://host:port")
        host = host.strip("[]") or "0.0.0.0"
        return ListenAddress("tcp", host=host, port=int(port))
    raise ConfigError(f"invalid listen address {addr!r}: want unix:///path or tcp://host:port")
