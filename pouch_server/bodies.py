"""Request bodies read as pouch's Go daemon reads them, with the spec still the validator.

pouch's server ignores Content-Type and decodes a body with Go's ``encoding/json`` into its
structs; clients nobody here wrote rely on that:

* pouch's own Go client sends POST bodies **without a Content-Type**: such a body is JSON here too
  (:func:`json_by_default`). An explicit non-JSON type is still refused (415), except by an
  operation whose request body says ``x-pouch-any-content-type: true`` (:data:`ANY_CONTENT_TYPE`):
  its body is JSON whatever the type (:func:`as_json`). pouch's client sends a hijacked exec
  start as ``text/plain``, and neither pouch's daemon nor Docker's checks that type.
* The Docker CLI and docker-py send AuthConfig as ``username``, ``serveraddress``...: Go matches
  object keys to struct fields case-insensitively, an exact match first; it ignores keys that
  match no field and keeps the last of repeated keys. :class:`BodyReader` does the same, driven
  by the operation's body schema (its property names are the struct's field names), before the
  schema validates the result.
* pouch's Go CLI sends ``"Labels": null`` for ``pouch updatedaemon --image-proxy URL`` (a nil
  slice without ``omitempty``): Go decodes ``null`` into a slice, map or pointer as nil and into
  any other field as nothing at all. A field sent as ``null`` is read the same way: an array or
  object field is then absent, any other keeps what came before it.

A reader is compiled once per operation from its (reference-resolved) body schema; reading a body
is then one pass over the parsed JSON with dictionary look-ups, linear in the body's size (which
the protocol bounds). Objects are parsed as their (key, value) pairs in document order
(``object_pairs_hook=tuple``), so that "the last repeated key wins" counts keys that differ only
in case, as Go's decoder does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from starlette.types import Scope

from pouch_common.jsonutil import parse_json
from pouch_server.wire import JSON_TYPE

#: The request body extension of api/swagger.yaml: the body is JSON, whatever Content-Type is named.
ANY_CONTENT_TYPE = "x-pouch-any-content-type"


def as_json(scope: Scope) -> Scope:
    """``scope`` with ``Content-Type: application/json`` in place of whatever type it named."""
    scope = dict(scope)
    scope["headers"] = [*((n, v) for n, v in scope["headers"] if n != b"content-type"), (b"content-type", JSON_TYPE)]
    return scope


def json_by_default(scope: Scope) -> Scope:
    """``scope`` with ``Content-Type: application/json`` when the request sent none (or an empty
    one); otherwise ``scope`` itself. The handler then reads the body as JSON too."""
    headers = scope["headers"]
    for name, value in headers:
        if name == b"content-type":
            if value.strip():
                return scope
            break
    return as_json(scope)


def go_fold(name: str) -> str:
    """A key as Go's ``encoding/json`` compares it with field names (``foldName`` since Go 1.21):
    ASCII letters upper-cased, any other character mapped to the upper case of its lower case,
    so that ``USERNAME``, ``username`` and ``username`` spelled with a long s (U+017F) are one name."""
    if name.isascii():
        return name.upper()
    return "".join(_fold_char(c) for c in name)


def _fold_char(c: str) -> str:
    # Go maps runes one to one (Unicode's simple case mappings); Python's str methods apply the
    # full ones, which may give several characters: where they do, the simple mapping is kept.
    lower = c.lower()
    if len(lower) != 1:
        lower = "i" if c == "\u0130" else c  # İ: the only character whose full lowercase differs
    upper = lower.upper()
    return upper if len(upper) == 1 else lower


class Field(NamedTuple):
    """A property of an object schema, as the Go struct field it stands for."""

    name: str  # as the spec spells it
    reader: BodyReader | None  # of its value
    nil_on_null: bool  # an array or object: Go sets it to nil for ``null`` (else ``null`` does nothing)


class BodyReader:
    """How the JSON values of one schema are read: an object with ``properties`` is a Go struct
    (keys matched to the properties, unknown keys dropped), one without is a map (every key kept);
    arrays are read item by item."""

    __slots__ = ("fields", "folded", "items", "values")

    def __init__(self) -> None:
        # name as sent -> its field; None for a map
        self.fields: dict[str, Field] | None = None
        self.folded: dict[str, Field] = {}
        self.values: BodyReader | None = None  # additionalProperties (map values)
        self.items: BodyReader | None = None

    @classmethod
    def for_schema(cls, schema: Mapping[str, Any]) -> BodyReader | None:
        """The reader of ``schema``; None when it has nothing to read (no object or array shape)."""
        return _compile(schema, {})

    def read(self, raw: str) -> tuple[Any, bool]:
        """Parse ``raw`` JSON and read it; also whether it differs from what a plain parse gives
        (keys renamed or dropped), i.e. whether the handler needs the read body instead."""
        changed = [False]
        return _read(parse_json(raw, object_pairs_hook=tuple), self, changed), changed[0]


def _properties(schema: Mapping[str, Any], seen: set[int]) -> dict[str, Mapping[str, Any]]:
    """Property name -> schema, from ``properties`` and from the schemas combined with allOf,
    anyOf and oneOf (the first one named wins, as in Go the first field of a folded name)."""
    if id(schema) in seen:
        return {}
    seen = seen | {id(schema)}
    found: dict[str, Mapping[str, Any]] = dict(schema.get("properties") or {})
    for combinator in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(combinator) or ():
            if isinstance(sub, Mapping):
                for name, sub_schema in _properties(sub, seen).items():
                    found.setdefault(name, sub_schema)
    return found


def _compile(schema: Any, memo: dict[int, BodyReader | None]) -> BodyReader | None:
    if not isinstance(schema, Mapping):
        return None
    if id(schema) in memo:  # a schema met again (or recursively): one reader for it
        return memo[id(schema)]
    reader = memo[id(schema)] = BodyReader()
    properties = _properties(schema, set())
    if properties:
        reader.fields = {}
        for name, sub in properties.items():
            entry = Field(name, _compile(sub, memo), sub.get("type") in ("array", "object"))
            reader.fields[name] = entry
            reader.folded.setdefault(go_fold(name), entry)
    additional = schema.get("additionalProperties")
    reader.values = _compile(additional, memo) if isinstance(additional, Mapping) else None
    reader.items = _compile(schema.get("items"), memo)
    if reader.fields is None and reader.values is None and reader.items is None:
        memo[id(schema)] = None  # nothing to read: values pass as parsed
        return None
    return reader


def _read(value: Any, reader: BodyReader | None, changed: list[bool]) -> Any:
    kind = type(value)
    if kind is tuple:  # an object, as its (key, value) pairs in document order
        out: dict[str, Any] = {}
        fields = reader.fields if reader is not None else None
        if fields is None:  # a map: every key kept as sent (the last repeated one wins)
            values = reader.values if reader is not None else None
            for key, item in value:
                out[key] = _read(item, values, changed)
            return out
        assert reader is not None
        for key, item in value:
            entry = fields.get(key)
            if entry is None:
                changed[0] = True
                entry = reader.folded.get(go_fold(key))
                if entry is None:
                    if reader.values is not None:
                        out[key] = _read(item, reader.values, changed)
                    continue  # no such field: ignored, as Go ignores it
            if item is None:
                changed[0] = True
                if entry.nil_on_null:
                    out.pop(entry.name, None)
                continue
            out[entry.name] = _read(item, entry.reader, changed)
        return out
    if kind is list:
        items = reader.items if reader is not None else None
        return [_read(item, items, changed) for item in value]
    return value
