"""pouchd's option table (pouch_server/config.py), in-process: one declaration per option drives
the flags, the config file's keys, how values are read and the defaults."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from pouch_server.config import FILE_KEYS, OPTIONS, ConfigError, DaemonConfig, build_parser, load_config

# A valid value of every option that the config file may set: (as flags, as the file's JSON value).
SAMPLES: dict[str, tuple[list[str], Any]] = {
    "listen": (["unix:///tmp/a.sock", "tcp://127.0.0.1:4243"], ["unix:///tmp/a.sock", "tcp://127.0.0.1:4243"]),
    "debug": ([], True),
    "label": (["zone=a", "disk=ssd"], ["zone=a", "disk=ssd"]),
    "default-runtime": (["kata"], "kata"),
    "add-runtime": (["kata=/usr/bin/kata"], {"kata": {"path": "/usr/bin/kata"}}),
    "snapshotter": (["btrfs"], "btrfs"),
    "log-driver": (["none"], "none"),
    "cgroup-driver": (["systemd"], "systemd"),
    "default-registry": (["registry.example:5000"], "registry.example:5000"),
    "image-proxy": (["http://proxy:8080"], "http://proxy:8080"),
    "insecure-registries": (["a:5000,b:5000", "c"], ["a:5000", "b:5000,c"]),
    "registry-mirrors": (["https://m1/"], "https://m1/"),
    "pidfile": (["/tmp/pouchd.pid"], "/tmp/pouchd.pid"),
    "tlscert": (["{cert}"], "{cert}"),
    "tlskey": (["{key}"], "{key}"),
    "tlscacert": (["{ca}"], "{ca}"),
    "tlsverify": ([], True),
    "manager-whitelist": (["admin,ops"], ["admin", "ops"]),
    "group": (["0"], "0"),
    "max-body-size": (["2m"], "2m"),
    "header-timeout": (["5"], 5),
    "body-timeout": (["7.5"], "7.5"),
}


def test_every_config_file_key_has_a_sample() -> None:
    assert set(SAMPLES) == set(FILE_KEYS) - {"home-dir"}


def test_the_file_and_the_flags_set_the_same_configuration(tmp_path: Path) -> None:
    files = {name: tmp_path / f"{name}.pem" for name in ("cert", "key", "ca")}
    for path in files.values():
        path.write_text("")
    fill = {f"{{{name}}}": str(path) for name, path in files.items()}

    def filled(value: Any) -> Any:
        return fill.get(value, value) if isinstance(value, str) else value

    flags = ["--home-dir", str(tmp_path / "home")]
    for key, (values, _) in SAMPLES.items():
        flag = OPTIONS[FILE_KEYS[key]].flags[-1]
        flags += [flag] if not values else [arg for v in values for arg in (flag, filled(v))]
    from_file = {key: filled(value) for key, (_, value) in SAMPLES.items()}
    config = tmp_path / "config.json"
    config.write_text(json.dumps(from_file))

    empty = tmp_path / "empty.json"  # not the user's own config file
    empty.write_text("{}")
    by_flags = load_config([*flags, "--config-file", str(empty)])
    by_file = load_config(["--home-dir", str(tmp_path / "home"), "--config-file", str(config)])
    assert dataclasses.replace(by_file, config_file=None) == dataclasses.replace(by_flags, config_file=None)
    assert by_flags.max_body_size == 2 * 1024 * 1024 and by_flags.body_timeout == 7.5
    assert by_flags.insecure_registries == ["a:5000", "b:5000", "c"] == by_file.insecure_registries
    assert by_file.config_file == str(config)


def test_without_flags_or_file_the_defaults_are_the_tables(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    loaded = load_config(["--config-file", str(empty)])
    defaults = DaemonConfig()
    assert dataclasses.replace(loaded, home_dir=defaults.home_dir, config_file=None) == defaults


def test_help_shows_the_tables_defaults() -> None:
    text = " ".join(build_parser().format_help().split())
    assert "(default runc)" in text and "(default 1m)" in text and "(default 10)" in text
    assert "--validate-responses" not in text  # the tests' hidden flag


@pytest.mark.parametrize(("content", "message"), [
    ({"config-file": "x"}, "unknown key(s): config-file"),  # flags only
    ({"validate-responses": True}, "unknown key(s): validate-responses"),
    ({"debug": "yes"}, "debug in {path} must be true or false"),
    ({"max-body-size": "lots"}, "invalid max-body-size 'lots' in {path}"),
])
def test_file_values_are_read_by_the_options_kind(tmp_path: Path, content: dict[str, Any], message: str) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(content))
    with pytest.raises(ConfigError) as e:
        load_config(["--home-dir", str(tmp_path), "--config-file", str(config)])
    assert message.format(path=config) in str(e.value)
