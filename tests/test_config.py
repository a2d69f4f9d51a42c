"""pouchd's option table (pouch_server/config.py), in-process: one declaration per option drives
the flags, the config file's keys, how values are read and the defaults. Then how flags and the
config file meet, as pouch's daemon/config merges them, and the pidfile (pouch_server/pidfile.py),
the last with real pouchd processes."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers import PouchD, pouchd_command

from pouch_common import paths
from pouch_server.config import (
    FILE_KEYS,
    MERGED_KINDS,
    NESTED_KEYS,
    OPTIONS,
    ConfigError,
    DaemonConfig,
    build_parser,
    load_config,
)
from pouch_server.pidfile import Pidfile

# A valid value of every option that the config file may set: (as flags, as the file's JSON value).
SAMPLES: dict[str, tuple[list[str], Any]] = {
    "listen": (["unix:///tmp/a.sock", "tcp://127.0.0.1:4243"], ["unix:///tmp/a.sock", "tcp://127.0.0.1:4243"]),
    "debug": ([], True),
    "label": (["zone=a", "disk=ssd"], ["zone=a", "disk=ssd"]),
    "default-runtime": (["kata"], "kata"),
    "add-runtime": (["kata=/usr/bin/kata"], {"kata": {"path": "/usr/bin/kata"}}),
    "snapshotter": (["btrfs"], "btrfs"),
    "containerd": (["/run/p/containerd.sock"], "/run/p/containerd.sock"),
    "containerd-path": (["/usr/local/bin/containerd"], "/usr/local/bin/containerd"),
    "default-namespace": (["team-a"], "team-a"),
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


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"config-file": "x"}, "unknown key(s): config-file"),  # flags only
        ({"validate-responses": True}, "unknown key(s): validate-responses"),
        ({"debug": "yes"}, "debug in {path} must be true or false"),
        ({"max-body-size": "lots"}, "invalid max-body-size 'lots' in {path}"),
    ],
)
def test_file_values_are_read_by_the_options_kind(tmp_path: Path, content: dict[str, Any], message: str) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(content))
    with pytest.raises(ConfigError) as e:
        load_config(["--home-dir", str(tmp_path), "--config-file", str(config)])
    assert message.format(path=config) in str(e.value)


# ---- flags and config file together, as pouch merges them -------------------------------------


def write_config(tmp_path: Path, content: Any, name: str = "config.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(content))
    return str(path)


def pems(tmp_path: Path) -> dict[str, str]:
    """Files for the TLS options (their content is read only when a daemon serves)."""
    out = {}
    for name in ("tlscert", "tlskey", "tlscacert"):
        (tmp_path / f"{name}.pem").write_text("")
        out[name] = str(tmp_path / f"{name}.pem")
    return out


def load(tmp_path: Path, *flags: str, config: str | None = None) -> DaemonConfig:
    empty = write_config(tmp_path, {}, "empty.json")
    return load_config(["--home-dir", str(tmp_path / "home"), "--config-file", config or empty, *flags])


def test_labels_and_listen_addresses_given_twice_are_kept_once(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        "--label",
        "a=b",
        "--label",
        "c=d",
        "--label",
        "a=b",
        "-l",
        "unix:///tmp/x.sock",
        "-l",
        "tcp://127.0.0.1:1",
        "-l",
        "unix:///tmp/x.sock",
    )
    assert cfg.labels == ["a=b", "c=d"]
    assert cfg.listen == ["unix:///tmp/x.sock", "tcp://127.0.0.1:1"]


def test_list_options_in_the_file_and_the_flags_are_merged_flags_first(tmp_path: Path) -> None:
    tls = pems(tmp_path)
    config = write_config(
        tmp_path,
        {
            "label": ["f=1", "a=1"],
            "listen": ["unix:///tmp/f.sock"],
            "insecure-registries": "f:5000,g:5000",
            "registry-mirrors": ["https://f/"],
            "add-runtime": {"frt": {"path": "/usr/bin/f"}},
            "TLS": {"manager-whitelist": "fcn", "tlsverify": True, **tls},
        },
    )
    flags = {
        "label": ["a=1", "x=2"],
        "listen": ["unix:///tmp/x.sock"],
        "insecure-registries": ["x:5000"],
        "registry-mirrors": ["https://x/"],
        "add-runtime": ["xrt=/usr/bin/x"],
        "manager-whitelist": ["xcn"],
    }
    assert set(flags) == {opt.key for opt in OPTIONS.values() if opt.kind in MERGED_KINDS and opt.in_file}
    cfg = load(
        tmp_path, *(arg for key, values in flags.items() for v in values for arg in (f"--{key}", v)), config=config
    )
    assert cfg.labels == ["a=1", "x=2", "f=1"]  # a=1 from both: kept once
    assert cfg.listen == ["unix:///tmp/x.sock", "unix:///tmp/f.sock"]
    assert cfg.insecure_registries == ["x:5000", "f:5000", "g:5000"]
    assert cfg.registry_mirrors == ["https://x/", "https://f/"]
    assert list(cfg.runtimes) == ["xrt", "frt"] and cfg.runtimes["frt"].path == "/usr/bin/f"
    assert cfg.manager_whitelist == ["xcn", "fcn"]
    assert cfg.config_file == config


@pytest.mark.parametrize(
    "key", sorted(key for key, name in FILE_KEYS.items() if OPTIONS[name].kind not in MERGED_KINDS and key in SAMPLES)
)
def test_any_other_option_in_the_file_and_the_flags_is_a_conflict(tmp_path: Path, key: str) -> None:
    values, in_file = SAMPLES[key]
    flag = OPTIONS[FILE_KEYS[key]].flags[-1]
    config = write_config(tmp_path, {key: in_file})
    with pytest.raises(ConfigError) as e:
        load(tmp_path, *([flag] if not values else [flag, values[0]]), config=config)
    assert str(e.value) == f"found conflict flags in command line and config file {config}: {key}"


def test_a_nested_key_conflicts_with_its_flag(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"TLS": {"tlsverify": True}, "default-log-config": {"Type": "none"}})
    with pytest.raises(ConfigError) as e:
        load(tmp_path, "--tlsverify", "--log-driver", "syslog", config=config)
    assert str(e.value) == f"found conflict flags in command line and config file {config}: log-driver, tlsverify"


@pytest.mark.parametrize(
    ("flags", "content"),
    [
        (["--add-runtime", "runa=runa", "--add-runtime", "runa=runa"], {}),
        (["--add-runtime", "runa=/usr/bin/one", "--add-runtime", "runa=/usr/bin/two"], {}),
        (["--add-runtime", "runa=runa"], {"add-runtime": {"runa": {"path": "runa"}}}),
    ],
)
def test_a_runtime_name_given_twice_is_refused(tmp_path: Path, flags: list[str], content: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as e:
        load(tmp_path, *flags, config=write_config(tmp_path, content))
    assert str(e.value) == "runtime runa already registers to daemon"


def test_pouchs_nested_keys_set_the_same_configuration_as_the_flat_ones(tmp_path: Path) -> None:
    tls = pems(tmp_path)
    flat = {**tls, "tlsverify": True, "manager-whitelist": ["admin", "ops"], "log-driver": "none"}
    nested = {
        "TLS": {**tls, "tlsverify": True, "manager-whitelist": "admin,ops"},
        "default-log-config": {"Type": "none"},
    }
    by_flat = load(tmp_path, config=write_config(tmp_path, flat, "flat.json"))
    by_nested = load(tmp_path, config=write_config(tmp_path, nested, "nested.json"))
    assert dataclasses.replace(by_nested, config_file=None) == dataclasses.replace(by_flat, config_file=None)
    assert by_nested.tlsverify and by_nested.manager_whitelist == ["admin", "ops"] and by_nested.log_driver == "none"
    # pouch's client.TLSConfig json tags, and the one field of types.LogConfig pouchd has an option for.
    assert set(NESTED_KEYS["TLS"]) == {"tlscacert", "tlscert", "tlskey", "tlsverify", "manager-whitelist"}
    assert all(flat_key in FILE_KEYS for keys in NESTED_KEYS.values() for flat_key in keys.values())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"TLS": {"tlscert": "x", "bogus": 1}, "network-config": {}}, "unknown key(s): TLS.bogus, network-config"),
        (
            {"default-log-config": {"Type": "none", "Config": {"max-size": "1m"}}},
            "unknown key(s): default-log-config.Config",
        ),
        ({"TLS": "x"}, "TLS in {path} must be an object"),
        ({"tlsverify": True, "TLS": {"tlsverify": True}}, "tlsverify given twice (tlsverify and TLS.tlsverify)"),
    ],
)
def test_unknown_nested_keys_are_errors_naming_them(tmp_path: Path, content: dict[str, Any], message: str) -> None:
    config = write_config(tmp_path, content)
    with pytest.raises(ConfigError) as e:
        load(tmp_path, config=config)
    assert message.format(path=config) in str(e.value)


@pytest.mark.parametrize("content", [None, {"label": None, "TLS": None, "debug": None}])
def test_null_sets_nothing(tmp_path: Path, content: Any) -> None:
    """As Go's json.Unmarshal into pouch's Config struct: null leaves it as it was."""
    config = write_config(tmp_path, content)
    cfg = load(tmp_path, "--label", "a=b", config=config)
    assert cfg.labels == ["a=b"] and cfg.debug is False and cfg.config_file == config


@pytest.mark.parametrize("flag", ["--config=x", "--config", "--home=x", "--pid=x", "--label-x=a"])
def test_long_flags_are_never_abbreviated(tmp_path: Path, flag: str) -> None:
    with pytest.raises(ConfigError) as e:
        load(tmp_path, flag)
    assert str(e.value) == f"unrecognized arguments: {flag} (see 'pouchd --help')"


def test_flag_errors_are_one_line_and_exit_1(tmp_path: Path) -> None:
    r = subprocess.run(pouchd_command("--config=x"), capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and r.stderr == "Error: unrecognized arguments: --config=x (see 'pouchd --help')\n"


def test_an_empty_config_file_flag_means_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = write_config(tmp_path, {"label": ["from=default"]}, "default.json")
    monkeypatch.setattr(paths, "default_config_file", lambda: default)
    home = ["--home-dir", str(tmp_path / "home")]
    assert load_config(home).labels == ["from=default"]  # the default is read when it exists...
    cfg = load_config([*home, "--config-file", "", "--label", "from=flag"])  # ...and not with ''
    assert cfg.labels == ["from=flag"] and cfg.config_file is None


def test_a_missing_config_file_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "default_config_file", lambda: str(tmp_path / "absent-default.json"))
    home = ["--home-dir", str(tmp_path / "home")]
    assert load_config(home).config_file is None
    cfg = load_config([*home, "--config-file", str(tmp_path / "absent.json"), "--label", "a=b"])
    assert cfg.config_file is None and cfg.labels == ["a=b"]


def test_help_says_how_to_run_without_a_config_file() -> None:
    text = " ".join(build_parser().format_help().split())
    assert "'' for none" in text and "merged" in text


# ---- the pidfile ------------------------------------------------------------------------------


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_pidfile_holds_the_pid_alone_and_is_removed_only_while_it_is_ours(tmp_path: Path) -> None:
    path = tmp_path / "pouchd.pid"
    pidfile = Pidfile.create(str(path))
    assert path.read_text() == str(os.getpid()) and stat.S_IMODE(path.stat().st_mode) == 0o644
    path.write_text("1")  # replaced since: not this process's to remove
    pidfile.remove()
    assert path.exists()
    path.write_text(str(os.getpid()))
    pidfile.remove()
    assert not path.exists()
    pidfile.remove()  # gone already: nothing to do


@pytest.mark.parametrize("content", ["", "garbage", "0", "{dead}", "{dead}\n", "{own}"])
def test_a_pidfile_naming_no_other_live_process_is_replaced(tmp_path: Path, content: str) -> None:
    path = tmp_path / "pouchd.pid"
    path.write_text(content.format(dead=dead_pid(), own=os.getpid()))
    Pidfile.create(str(path))
    assert path.read_text() == str(os.getpid())


def test_a_pidfile_naming_a_live_process_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pouchd.pid"
    path.write_text("1\n")  # init: alive, and not this process
    with pytest.raises(ConfigError) as e:
        Pidfile.create(str(path))
    assert str(e.value) == "found daemon pid 1, check it status"
    assert path.read_text() == "1\n"


def test_an_unwritable_pidfile_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        Pidfile.create(str(tmp_path / "no-such-dir" / "pouchd.pid"))
    assert str(e.value).startswith(f"cannot write pidfile {tmp_path}/no-such-dir/pouchd.pid: ")


def test_a_second_pouchd_with_the_same_live_pidfile_refuses_to_start(tmp_path: Path) -> None:
    pidfile = tmp_path / "pouchd.pid"
    with PouchD(tmp_path, "--pidfile", str(pidfile), tcp=False).start() as first:
        assert pidfile.read_text() == str(first.pid)
        second = PouchD(tmp_path, "--pidfile", str(pidfile), tcp=False, name="second")
        r = subprocess.run(second.argv(), capture_output=True, text=True, timeout=30)
        assert r.returncode == 1
        assert r.stderr == f"Error: found daemon pid {first.pid}, check it status\n"
        assert not second.sock.exists() and not second.home.exists()  # refused before anything was made
        assert pidfile.read_text() == str(first.pid)
        assert first.client().get("/_ping").text == "OK"
        assert first.stop(signal.SIGTERM) == 0
    assert not pidfile.exists()


def test_a_stale_pidfile_is_replaced_at_start(tmp_path: Path) -> None:
    pidfile = tmp_path / "pouchd.pid"
    pidfile.write_text(str(dead_pid()))
    with PouchD(tmp_path, "--pidfile", str(pidfile), tcp=False).start() as d:
        assert pidfile.read_text() == str(d.pid)


@pytest.mark.parametrize(
    ("flags", "problem"),
    [
        (["--containerd", "relative.sock"], "--containerd relative.sock: want the absolute path of a unix socket"),
        (["--containerd", "/" + "s" * 110], "too long for a socket"),
        (["--default-namespace", "bad name"], "invalid default-namespace 'bad name'"),
        (["--default-namespace=a..b"], "invalid default-namespace 'a..b'"),
        (["--default-namespace", "a" * 77], "at most 76 characters"),
        (["--snapshotter", ""], "--snapshotter must name a snapshotter"),
    ],
)
def test_containerd_options_are_checked(tmp_path: Path, flags: list[str], problem: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(problem)):
        load_config(["--home-dir", str(tmp_path), "--config-file", "", *flags])


def test_containerd_address_takes_pouchs_and_grpcs_spellings(tmp_path: Path) -> None:
    base = ["--home-dir", str(tmp_path), "--config-file", ""]
    assert load_config(base).containerd == "/var/run/containerd.sock"  # pouch's default
    assert load_config([*base, "-c", "unix:///run/x//c.sock"]).containerd == "/run/x/c.sock"


@pytest.mark.parametrize("proxy", ["<", "socks5://127.0.0.1:1080", "http://", "http://h:port", "ftp://h"])
def test_an_image_proxy_that_is_no_proxy_address_is_refused(tmp_path: Path, proxy: str) -> None:
    """At start, not at the first pull (as /daemon/update refuses one with a 400)."""
    with pytest.raises(ConfigError, match="invalid image proxy"):
        load(tmp_path, "--image-proxy", proxy)
    assert load(tmp_path, "--image-proxy", "proxy.example.com:3128").image_proxy == "proxy.example.com:3128"
