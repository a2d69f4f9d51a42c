"""What the image commands share: pouch's progress display, its reference grammar, and the Go
text helpers its tables use.

* :func:`show_progress` reads pouch's progress stream (JSON objects written back to back, no
  separator: pkg/jsonstream) as it arrives and shows it as pouch's CLI does (cli/pull.go
  ``showProgress``): one ``<id>: <status>`` line each time an id's status changes when stdout is
  not a terminal; on a terminal the whole table, redrawn in place, with a progress bar per blob
  and an ``elapsed: ... total: ...`` line (pkg/jsonstream/image_progress.go ``ProcessStatus``,
  containerd's pkg/progress ``Bar``, ``Bytes`` and ``Writer``).
* :func:`tabwrite` is Go's text/tabwriter (cells ended by ``\\t``, columns padded with spaces).
* :func:`format_size` is pouch's ``utils.FormatSize`` (``703.14 KB``), :func:`truncate_id` its
  ``TruncateID``; :func:`parse_reference` its pkg/reference ``Parse``.
* :func:`open_stream` sends a request whose body or answer is a stream (pull, push, load, save)
  on the generated client's httpx client; :func:`registry_auth` is the ``X-Registry-Auth`` header
  made from the credentials ``pouch login`` kept (cli/pull.go ``fetchRegistryAuth``).
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TextIO
from urllib.parse import quote

import httpx

from pouch_cli.client import ClientOptions, build_client, call, describe_transport_error, error_message
from pouch_cli.errors import CLIError

# --------------------------------------------------------------------------- Go's text/tabwriter


def tabwrite(text: str, minwidth: int = 0, padding: int = 3) -> str:
    """``text`` laid out as Go's ``tabwriter.NewWriter(w, minwidth, _, padding, ' ', 0)`` writes it.

    A cell is text ended by a tab; the text after a line's last tab is not a cell and is never
    padded. A column is a run of consecutive lines that have a cell in it, as wide as its widest
    cell plus ``padding`` (at least ``minwidth``).
    """
    lines = [line.split("\t") for line in text.split("\n")]
    out: list[str] = []
    widths: list[int] = []

    def write_lines(line0: int, line1: int) -> None:
        for i in range(line0, line1):
            cells = lines[i]
            for j, cell in enumerate(cells):
                out.append(cell)
                if j < len(widths):
                    out.append(" " * (widths[j] - len(cell)))
            if i + 1 < len(lines):
                out.append("\n")

    def format_block(line0: int, line1: int) -> None:
        # text/tabwriter's Writer.format, recursion and all: a column's blocks, then the columns
        # to the right of it within each block.
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            write_lines(line0, this)
            line0 = this
            width = minwidth
            while this < line1 and column < len(lines[this]) - 1:
                width = max(width, len(lines[this][column]) + padding)
                this += 1
            widths.append(width)
            format_block(line0, this)
            widths.pop()
            line0 = this
            this += 1  # the line that ended the block has no cell in this column
        write_lines(line0, line1)

    format_block(0, len(lines))
    return "".join(out)


def table(rows: Iterable[Iterable[str]]) -> str:
    """Rows as pouch's ``Display`` prints them: cells joined by tabs, tabwriter(0, 0, 3, ' ')."""
    return tabwrite("".join("\t".join(row) + "\n" for row in rows), 0, 3)


# --------------------------------------------------------------------------- sizes, IDs


def format_size(size: int) -> str:
    """pouch's ``utils.FormatSize``: ``%.2f`` and B, KB, MB or GB (1024-based); ``0.00 B`` for <= 0."""
    if size <= 0:
        return "0.00 B"
    value = float(size)
    count = 0
    while count < 3 and value >= 1024:
        value /= 1024
        count += 1
    return f"{value:.2f} {('B', 'KB', 'MB', 'GB')[count]}"


def truncate_id(image_id: str) -> str:
    """pouch's ``utils.TruncateID``: without ``sha256:``, 12 characters."""
    return image_id.removeprefix("sha256:")[:12]


_BINARY = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def go_bytes(size: float) -> str:
    """containerd's ``progress.Bytes``: ``%02.1f %s`` in binary units (``1.5 MiB``)."""
    i = 0
    while size >= 1024 and i < len(_BINARY) - 1:
        size /= 1024
        i += 1
    return f"{size:.1f} {_BINARY[i]}"  # %02.1f: the width 2 never matters, "0.0" is 3 wide


def go_string_verb(text: str, width: int, precision: int) -> str:
    """Go's ``%<width>.<precision>s`` (and ``%v`` of a Stringer): at most ``precision`` characters,
    right-aligned in ``width``."""
    return text[:precision].rjust(width)


# --------------------------------------------------------------------------- references

# pouch's pkg/reference/regexp.go (Go's `$` is Python's \Z; \w and [[:xdigit:]] are ASCII).
_COMPONENT = r"[A-Za-z0-9]+(?:(?:[-._:@+]|--|__)[A-Za-z0-9]+)*"
_REF = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*\Z")
_TAG = re.compile(r":\w[\w.-]*\Z", re.ASCII)
_DIGEST = re.compile(r"@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}")
# go-digest (as pouch vendors it): the format, and the algorithms it knows with their hex lengths.
_DIGEST_FORMAT = re.compile(r"[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+\Z")
_DIGEST_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
# Docker's bound on the text a reference may be; pouch has none, a regular expression should.
_MAX_REFERENCE = 1024


class Reference:
    """A parsed reference: ``name`` with an optional ``tag`` and ``digest`` (pouch's Named types)."""

    __slots__ = ("digest", "name", "tag")

    def __init__(self, name: str, tag: str = "", digest: str = "") -> None:
        self.name, self.tag, self.digest = name, tag, digest

    def __str__(self) -> str:
        return self.name + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")

    def __repr__(self) -> str:
        return f"Reference({str(self)!r})"

    def normalized(self) -> Reference:
        """``TrimTagForDigest(WithDefaultTagIfMissing(ref))``: ``:latest`` when there is neither tag
        nor digest; no tag when there is a digest."""
        if self.digest:
            return Reference(self.name, "", self.digest)
        return Reference(self.name, self.tag or "latest")


def validate_digest(text: str) -> str:
    """go-digest's ``Parse``: ``text`` if it is a digest of a known algorithm, else ValueError."""
    algorithm, _, hex_part = text.partition(":")
    if not hex_part or not algorithm or not _DIGEST_FORMAT.match(text):
        raise ValueError("invalid checksum digest format")
    if algorithm not in _DIGEST_HEX_LENGTH:
        raise ValueError("unsupported digest algorithm")
    if len(hex_part) != _DIGEST_HEX_LENGTH[algorithm]:
        raise ValueError("invalid checksum digest length")
    return text


def parse_reference(text: str) -> Reference:
    """pouch's ``reference.Parse``; ValueError (``invalid reference``, or the digest's problem)."""
    if len(text) > _MAX_REFERENCE or not _REF.match(text):
        raise ValueError("invalid reference")
    name, tag, digest = text, "", ""
    m = _DIGEST.search(name)
    if m:
        name, digest = name[: m.start()], name[m.start() + 1 :]
    m = _TAG.search(name)
    if m:
        name, tag = name[: m.start()], name[m.start() + 1 :]
    if digest:
        validate_digest(digest)
    return Reference(name, tag, digest)


def reference_or_error(text: str, what: str = "") -> Reference:
    """:func:`parse_reference`, failing as a CLIError that names ``text``."""
    try:
        return parse_reference(text)
    except ValueError as e:
        raise CLIError(f"{what}{e}: {text!r}") from None


def registry_of(name: str) -> str | None:
    """The registry a repository name starts with, as pouchd reads it: a first component holding
    ``.`` or ``:``; None for a name on the daemon's default registry (``busybox``, ``localhost/x``)."""
    first, sep, _ = name.partition("/")
    if sep and ("." in first or ":" in first):
        return first
    return None


# --------------------------------------------------------------------------- the progress stream

#: The most one progress object may take; pouch's are a few hundred bytes.
MAX_MESSAGE = 1 << 20


def iter_messages(chunks: Iterable[bytes]) -> Iterator[list[dict[str, Any]]]:
    """The JSON objects of a pouch progress stream, a list per chunk read (those the chunk completed).

    Objects follow each other with no separator (whitespace between them is skipped, so Docker's
    newline-delimited stream reads too). A stream that ends inside an object, or holds something
    that is not a JSON object, is a CLIError.
    """
    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buffer = ""
    for chunk in chunks:
        buffer += utf8.decode(chunk)
        batch: list[dict[str, Any]] = []
        pos = 0
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                pos += 1
            if pos == len(buffer):
                break
            try:
                obj, end = decoder.raw_decode(buffer, pos)
            except ValueError:
                break  # an object that the next chunks complete
            if not isinstance(obj, dict):
                raise CLIError(f"unexpected progress message from the daemon: {buffer[pos:end][:200]!r}")
            batch.append(obj)
            pos = end
        buffer = buffer[pos:]
        if len(buffer) > MAX_MESSAGE:
            raise CLIError(f"the daemon's progress stream holds no JSON object in its last {MAX_MESSAGE} bytes")
        if batch:
            yield batch
    buffer += utf8.decode(b"", final=True)
    if buffer.strip():
        try:
            decoder.raw_decode(buffer.lstrip())
        except ValueError as e:
            raise CLIError(f"cannot decode the daemon's progress stream ({e}): {buffer.strip()[:200]!r}") from None
        raise CLIError(f"unexpected progress message from the daemon: {buffer.strip()[:200]!r}")


class Message:
    """One JSONMessage as pouch's CLI decodes it (pkg/jsonstream/types.go)."""

    __slots__ = ("current", "detail", "error", "id", "status", "total")

    def __init__(self, obj: dict[str, Any]) -> None:
        self.id = _text(obj.get("id"))
        self.status = _text(obj.get("status"))
        detail = obj.get("progressDetail")
        self.detail = isinstance(detail, dict)  # Go's *ProgressDetail: nil when absent or null
        self.current = _int(detail.get("current")) if isinstance(detail, dict) else 0
        self.total = _int(detail.get("total")) if isinstance(detail, dict) else 0
        self.error: str | None = None
        error_detail = obj.get("errorDetail")
        if isinstance(error_detail, dict):
            self.error = _text(error_detail.get("message")) or _text(obj.get("error")) or "unknown error"
        elif obj.get("error"):  # Docker's streams may carry only "error"
            self.error = _text(obj.get("error"))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


_GREEN, _RESET = "\x1b[32m", "\x1b[0m"


def bar(fraction: float, width: int = 40) -> str:
    """containerd's ``progress.Bar`` as ``%40r`` prints it: ``|`` + green ``+``s + ``-``s + ``|``."""
    fraction = min(max(fraction, 0.0), 1.0)
    positive = int((width - 2) * fraction)
    return "|" + _GREEN + "+" * positive + _RESET + "-" * (width - 2 - positive) + "|"


def process_status(short: bool, msg: Message) -> str:
    """pouch's ``jsonstream.ProcessStatus``: one tabwriter line for ``msg``."""
    if short or not msg.detail:
        return f"{msg.id}:\t{msg.status}\n"
    if msg.status in ("resolving", "waiting"):
        return f"{msg.id}:\t{msg.status}\t{bar(0.0)}\t\n"
    if msg.status in ("downloading", "uploading"):
        fraction = msg.current / msg.total if msg.total > 0 else 0.0
        current = go_string_verb(go_bytes(msg.current), 8, 8)
        return f"{msg.id}:\t{msg.status}\t{bar(fraction)}\t{current}/{go_bytes(msg.total)}\t\n"
    return f"{msg.id}:\t{msg.status}\t{bar(1.0)}\t\n"


def total_line(elapsed: float, current: int) -> str:
    """The last line of the terminal table: ``elapsed: %-4.1fs\\ttotal: %7.6v\\t(%v)\\t``."""
    rate = int(current / elapsed) if elapsed > 0 else 0  # Go's int64(float64) truncates
    total = go_string_verb(go_bytes(current), 7, 6)
    return f"elapsed: {elapsed:<4.1f}s\ttotal: {total}\t({go_bytes(rate)}/s)\t\n"


_COLOR = re.compile("\x1b\\[[0-9]+m\x1b?")


def count_lines(output: str, width: int) -> int:
    """containerd's ``countLines``: the terminal lines ``output`` takes (wrapped lines count once
    per wrap); 0 when the width is unknown, so that nothing is cleared."""
    if width <= 0:
        return 0
    lines = -1
    for line in output.split("\n"):
        n = len(_COLOR.sub("", line).encode())
        lines += int((n - 1) / width) + 1  # Go's division truncates toward zero: an empty line is 1
    return lines


def terminal_width(out: TextIO) -> int:
    """The width of the terminal ``out`` writes to, 0 when unknown."""
    try:
        return os.get_terminal_size(out.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


class ProgressDisplay:
    """pouch's ``showProgress`` over decoded messages.

    Not a terminal: a ``<id>: <status>`` line for each message whose id is new or whose status
    changed. A terminal: the table of every id's latest message and the total line, redrawn in
    place (containerd's ``progress.Writer``: the previous frame's lines are erased first).
    """

    def __init__(
        self,
        out: TextIO,
        terminal: bool,
        *,
        clock: Callable[[], float] = time.monotonic,
        width: Callable[[], int] | None = None,
    ) -> None:
        self.out, self.terminal, self.clock = out, terminal, clock
        self.width = width or (lambda: terminal_width(out))
        self.start = clock()
        self.status: dict[str, Message] = {}  # insertion order = first appearance, as pouch's slice
        self.lines = 0  # lines of the frame on screen

    def add(self, msg: Message) -> bool:
        """Record ``msg``; print its line when not on a terminal. Whether anything changed.
        A message carrying an error raises CLIError with its text."""
        if msg.error is not None:
            raise CLIError(msg.error)
        previous = self.status.get(msg.id)
        self.status[msg.id] = msg
        changed = previous is None or previous.status != msg.status
        if not self.terminal and changed:
            self.out.write(tabwrite(process_status(True, msg), 1, 1))
            self.out.flush()
        return changed

    def frame(self) -> str:
        """The terminal table as it stands."""
        current = sum(m.current for m in self.status.values() if m.detail)
        text = "".join(process_status(False, m) for m in self.status.values())
        text += total_line(self.clock() - self.start, current)
        return tabwrite(text, 1, 1)

    def redraw(self) -> None:
        if not self.terminal:
            return
        text = self.frame()
        self.out.write("\x1b[1A\x1b[2K\r" * self.lines)
        self.lines = count_lines(text, self.width())
        self.out.write(text)
        self.out.flush()


def show_progress(
    chunks: Iterable[bytes],
    out: TextIO,
    terminal: bool,
    *,
    clock: Callable[[], float] = time.monotonic,
    width: Callable[[], int] | None = None,
) -> None:
    """Show a progress stream as it arrives; an error in it is raised as CLIError (its message).

    On a terminal the table is redrawn once per chunk read rather than once per object (pouch
    redraws for each of the ~10 objects a 300 ms round sends): the frames shown are the same
    states, less flicker.
    """
    display = ProgressDisplay(out, terminal, clock=clock, width=width)
    for batch in iter_messages(chunks):
        try:
            for obj in batch:
                display.add(Message(obj))
        finally:
            display.redraw()  # on an error too: the table as it was when the error came


# --------------------------------------------------------------------------- requests


def image_path(name: str, suffix: str = "") -> str:
    """``/images/<name><suffix>``: the name's ``/`` and ``:`` kept, as pouch's client sends it."""
    return "/images/" + quote(name, safe="/:@") + suffix


@contextlib.contextmanager
def open_stream(
    opts: ClientOptions,
    action: str,
    method: str,
    path: str,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    content: IO[bytes] | Iterator[bytes] | None = None,
) -> Iterator[httpx.Response]:
    """Send a request and yield its answer unread, for the caller to read as it arrives.

    The generated client's endpoint functions read the whole answer before they return, so the
    request goes out on the generated client's own httpx client (same base URL, API version and
    transport). An error status, or a failure to reach pouchd (also while the caller reads), is a
    CLIError ``<action>: <cause>``. No read timeout: a pull may stay quiet for long.
    """
    try:
        client = build_client(opts).with_timeout(httpx.Timeout(opts.timeout, read=None))
        with (
            client,
            client.get_httpx_client().stream(method, path, params=params, headers=headers, content=content) as response,
        ):
            if response.status_code >= 400:
                response.read()
                raise CLIError(f"{action}: {error_message(response.status_code, response.content)}")
            yield response
    except httpx.TransportError as e:
        raise CLIError(f"{action}: {describe_transport_error(opts, e)}") from None


def _default_registry(opts: ClientOptions) -> str:
    from pouch_client.api.system import system_info
    from pouch_client.types import Unset

    info = call(opts, "failed to get the default registry", system_info.sync_detailed)
    registry = None if info is None else info.default_registry
    return "" if isinstance(registry, Unset) or not registry else registry


def _without_credentials(problem: CLIError) -> None:
    # pouch goes on without credentials when its file cannot be read; say so, at least.
    print(f"WARNING: going on without credentials: {problem}", file=sys.stderr)


def registry_auth(opts: ClientOptions, registry: str | None) -> str | None:
    """The ``X-Registry-Auth`` value for ``registry`` (None: the daemon's default registry) from
    the credentials ``pouch login`` kept, or None when there are none.

    As pouch's ``fetchRegistryAuth``: AuthConfig as JSON in Go's field order, in base64's URL
    alphabet. For a name on the default registry (``busybox``) pouch looks up ``busybox`` and
    finds nothing; we ask pouchd which registry that is, but only when credentials are stored.
    """
    from pouch_cli.credentials import CredentialStore, server_key

    store = CredentialStore()
    try:
        if not store.load().get("auths"):
            return None
    except CLIError as e:
        _without_credentials(e)
        return None
    if registry is None:
        registry = _default_registry(opts)
        if not registry:
            return None
    try:
        stored = store.get(registry)
    except CLIError as e:
        _without_credentials(e)
        return None
    if stored is None or not (stored.password or stored.identity_token):
        return None
    config: dict[str, str] = {}
    if stored.password:
        config["Auth"] = base64.b64encode(f"{stored.username}:{stored.password}".encode()).decode()
    if stored.identity_token:
        config["IdentityToken"] = stored.identity_token
    if stored.password:
        config["Password"] = stored.password
    config["ServerAddress"] = server_key(registry)
    if stored.username:
        config["Username"] = stored.username
    return base64.urlsafe_b64encode(json.dumps(config, separators=(",", ":")).encode()).decode()
