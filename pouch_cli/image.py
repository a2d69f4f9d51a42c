"""``pouch image inspect [-f TEMPLATE] IMAGE...``: the images' details (pouch's cli/image.go,
cli/image_inspect.go, cli/inspect/inspector.go).

pouch's ``image`` command group has one subcommand, ``inspect``. Without ``-f`` the images are
printed as one JSON array indented by 4 spaces, as pouch's CLI prints them: decoded into pouch's Go
type ImageInfo and written again by ``json.MarshalIndent`` (:func:`go_shape`: its fields only, in
its order, which is alphabetical; Go's ``omitempty`` rules; ``<``, ``>`` and ``&`` escaped). With
``-f`` each image is one line of the template (``{{.Id}}`` and Go's ``{{.ID}}`` both name the ID).
An image that cannot be fetched is an ``Error: Fetch object error: <cause>`` line on stderr after
the others are printed, and status 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pouch_cli.args import Param
from pouch_cli.client import ClientOptions, call, client_options
from pouch_cli.errors import CLIError

if TYPE_CHECKING:
    import argparse

FETCH_ERROR = "Fetch object error"
# ImageInfo's Go field names that differ from its JSON keys (apis/types/image_info.go).
ALIASES = {"ID": "Id"}

_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


# pouch's Go types as encoding/json sees them (apis/types/image_info.go, container_config.go): each
# field's JSON name, kind and whether it is `omitempty`, in the order Go writes them. Kinds: str,
# int, bool, list (a slice: null when nil), map (sorted keys), any (an interface{} value), ptr (a
# pointer to a scalar), or a nested type.
Field = tuple[str, "str | Schema", bool]
Schema = tuple[Field, ...]
CONTAINER_CONFIG: Schema = (
    ("ArgsEscaped", "bool", True),
    ("AttachStderr", "bool", True),
    ("AttachStdin", "bool", True),
    ("AttachStdout", "bool", True),
    ("Cmd", "list", False),
    ("DisableNetworkFiles", "bool", True),
    ("DiskQuota", "map", True),
    ("Domainname", "str", True),
    ("Entrypoint", "list", False),
    ("Env", "list", False),
    ("ExposedPorts", "map", True),
    ("Hostname", "str", True),
    ("Image", "str", False),
    ("InitScript", "str", True),
    ("Labels", "map", True),
    ("MacAddress", "str", True),
    ("NetPriority", "int", True),
    ("NetworkDisabled", "bool", True),
    ("OnBuild", "list", False),
    ("OpenStdin", "bool", True),
    ("QuotaID", "str", True),
    ("Rich", "bool", True),
    ("RichMode", "str", True),
    ("Shell", "list", False),
    ("Snapshotter", "str", True),
    ("SpecAnnotation", "map", True),
    ("SpecificID", "str", True),
    ("StdinOnce", "bool", True),
    ("StopSignal", "str", True),
    ("StopTimeout", "ptr", True),
    ("Tty", "bool", True),
    ("User", "str", True),
    ("Volumes", "map", True),
    ("WorkingDir", "str", True),
)
ROOT_FS: Schema = (("BaseLayer", "str", True), ("Layers", "list", False), ("Type", "str", False))
IMAGE_INFO: Schema = (
    ("Architecture", "str", True),
    ("Config", CONTAINER_CONFIG, True),
    ("CreatedAt", "str", True),
    ("Id", "str", True),
    ("Os", "str", True),
    ("RepoDigests", "list", False),
    ("RepoTags", "list", False),
    ("RootFS", ROOT_FS, True),
    ("Size", "int", True),
)
_ZERO: dict[str, Any] = {"str": "", "int": 0, "bool": False}


def _sorted(value: Any) -> Any:
    """An interface{} value as Go writes it: maps with sorted keys, all the way down."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def go_shape(obj: Any, schema: Schema) -> dict[str, Any]:
    """``obj`` (a JSON object) decoded into a Go struct of ``schema`` and ready to be written again:
    unknown keys dropped, absent fields at their zero value, ``omitempty`` fields left out when
    empty (a nested struct is a pointer: left out only when absent)."""
    source = obj if isinstance(obj, dict) else {}
    out: dict[str, Any] = {}
    for name, kind, omitempty in schema:
        value = source.get(name)
        if not isinstance(kind, str):  # a pointer to a nested struct
            if value is not None or not omitempty:
                out[name] = go_shape(value, kind)
            continue
        if kind in ("list", "map", "any"):
            empty = value is None or (kind != "any" and not value)
            value = _sorted(value)
        elif kind == "ptr":
            empty = value is None
        else:
            value = _ZERO[kind] if value is None else value
            empty = value in ("", 0, False) and not isinstance(value, (list, dict))
        if not (omitempty and empty):
            out[name] = value
    return out


def go_json_indent(value: Any) -> str:
    """``value`` as Go's ``json.MarshalIndent(value, "", "    ")`` writes it (keys in the order given)."""
    text = json.dumps(value, indent=4, ensure_ascii=False)
    # Outside strings JSON has none of these characters, so translating the whole text is safe.
    text = text.translate(_GO_ESCAPES)
    if "\\" in text:  # Go writes \b and \f as \u0008 and \u000c (an escaped backslash stays)
        text = _go_control_escapes(text)
    return text


def _go_control_escapes(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"b": "\\u0008", "f": "\\u000c"}.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def render(
    objects: Sequence[Mapping[str, Any]], fmt: str | None, render_one: Callable[[Mapping[str, Any]], str] | None = None
) -> str:
    """What pouch's inspector writes for the fetched objects: the JSON array (``[]`` for none), or
    one template line each (a single empty line for none)."""
    if not fmt:
        return go_json_indent(list(objects)) + "\n"
    assert render_one is not None
    return "".join(render_one(o) for o in objects) or "\n"


def combine_errors(messages: Sequence[str]) -> str:
    """pouch's ``utils.CombineErrors`` of its inspector: one line each, ``Error: `` before all but
    the first (which main's own ``Error: `` prefixes)."""
    return "\n".join(m if i == 0 else f"Error: {m}" for i, m in enumerate(messages))


def inspect(opts: ClientOptions, names: Sequence[str], fmt: str | None) -> None:
    from pouch_client.api.image import image_inspect

    render_one = None
    if fmt:
        from pouch_cli.template import checked_format

        # pouch's inspector turns .Id into .ID, Go's field name; both name the wire's "Id" here.
        render_one = checked_format(fmt, ALIASES)
    objects: list[dict[str, Any]] = []
    errors: list[str] = []
    for name in names:
        try:
            model = call(opts, FETCH_ERROR, image_inspect.sync_detailed, imageid=name)
        except CLIError as e:
            errors.append(str(e))
            continue
        if model is None:
            errors.append(f"{FETCH_ERROR}: the daemon's answer had no body")
            continue
        objects.append(go_shape(model.to_dict(), IMAGE_INFO))
    sys.stdout.write(render(objects, fmt, render_one))
    sys.stdout.flush()
    if errors:
        raise CLIError(combine_errors(errors))


HELP = "Manage image. pouch image inspect: return detailed information on pouch images."
EXAMPLE = """Example:
  $ pouch image inspect -f '{{.Id}} {{.Size}}' busybox
  sha256:8c811b4aec35f259572d0f79207bc0678df4c736eeec50bc9fec37ed936a472a 725306
  $ pouch image inspect busybox
  [
      {
          "Architecture": "amd64",
  ..."""
PARAMS = (
    Param(
        ("subcommand",),
        "inspect: display detailed information on one or more images.",
        metavar="inspect",
        choices=("inspect",),
        required=True,
    ),
    Param(("-f", "--format"), "Format the output using the given Go template.", metavar="TEMPLATE", dest="fmt"),
)


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="Images: name[:tag], name@digest or ID (prefix).")


def run(args: argparse.Namespace) -> None:
    inspect(client_options(args), args.images, args.fmt)
