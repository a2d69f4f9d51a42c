"""Request and response validation tuned for pouchd.

Request bodies are read as pouch's Go daemon reads them (pouch_server/bodies.py: keys matched
case-insensitively, unknown keys ignored) before they are validated.

connexion's body validator decides that a request without Content-Length has no
body, so a chunked body (Transfer-Encoding: chunked, as streaming clients send) was refused as
"RequestBody is required"; :class:`SafeJSONRequestBodyValidator` reads a chunked body first (the
protocol bounds its size) and hands it on with its length. connexion's JSON parsing answered a 500
for a body nested deeper than Python's recursion limit or not valid UTF-8, and its 400 messages
repeat the offending value (a password sent as a number came back in the error); the same class
answers 400 for both, and words messages by field and rule, without the value.

Response validation that also works for streams (/events):

connexion's JSON response validator buffers the whole body before validating it, which would
hold back a live event stream forever. This one keeps that behaviour for ordinary responses and,
for streamed ones (no Content-Length), validates each newline-delimited JSON object as it
passes, forwarding it at once.
"""

from __future__ import annotations

import codecs
import json
import typing as t
import urllib.parse

import jsonschema.validators
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem, NonConformingResponseBody
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    VALIDATOR_MAP,
    AbstractRequestBodyValidator,
    FormDataValidator,
    MultiPartFormDataValidator,
    TextResponseBodyValidator,
)
from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator, ValidationError
from starlette.types import Receive, Scope, Send

from pouch_common.jsonutil import parse_json
from pouch_server._compat.connexion import RequestBodyValidatorHooks, ResponseBodyValidatorHooks
from pouch_server.bodies import BodyReader, json_by_default


def describe_validation_error(error: ValidationError) -> str:
    """``'Labels.0': must be of type string``: where and which rule, never the value itself."""
    if error.validator == "required":
        return error.message  # "'X' is a required property": names the field only
    where = ".".join(str(p) for p in error.absolute_path) or "body"
    if error.validator in ("anyOf", "oneOf") and isinstance(error.schema, dict) and error.schema.get("description"):
        # A rule combining fields ("a label or a proxy") is stated by the spec in words: those.
        description = error.schema["description"]
        return description if where == "body" else f"'{where}': {description}"
    return f"'{where}': {_rule_broken(error)}"


def _rule_broken(error: ValidationError) -> str:
    rule, expected = error.validator, error.validator_value
    if rule == "type":
        return f"must be of type {expected}"
    if rule == "enum" and isinstance(expected, list):  # an enum is a list (the JSON Schema meta-schema says so)
        return "must be one of " + ", ".join(map(str, expected))
    if rule == "additionalProperties":
        return "has properties that are not allowed"
    if rule == "pattern" and isinstance(error.schema, dict) and error.schema.get("description"):
        # A pattern is hard to read; the schema's description says what it wants in words.
        return f"want {error.schema['description']}"
    if rule in ("minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum", "pattern", "format"):
        return f"violates {rule} {expected}"
    return f"is not valid ({rule})"


class WordedParameterValidator(ParameterValidator):
    """connexion's parameter validation, with messages worded as the body's: the parameter and the
    rule it breaks (``invalid value for query parameter 'since': want ...``), instead of
    jsonschema's text with the whole schema dumped into it."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        query = self.parameters.get("query", [])
        self._booleans = frozenset(p["name"] for p in query if p.get("schema", p).get("type") == "boolean")

    def validate(self, scope: Scope) -> None:
        """Boolean query parameters are read as pouch (and Docker) read them before they are
        checked and handed on: false for an empty value, ``0``, ``no``, ``false`` or ``none``,
        true for any other (Go's ``httputils.BoolValue``), where connexion takes only ``true``
        and ``false``: the Docker clients send ``all=0``, ``force=1``."""
        if self._booleans and scope.get("query_string"):
            scope["query_string"] = go_booleans(scope["query_string"], self._booleans)
        super().validate(scope)  # type: ignore[no-untyped-call]

    @staticmethod
    def validate_parameter(
        parameter_type: str, value: t.Any, param: dict[str, t.Any], param_name: str | None = None
    ) -> str | None:
        """Upstream's rule: a null value of a nullable parameter passes; a value is checked against
        the parameter's schema (jsonschema's Draft 4, with its format checker); a required one
        that is missing is named. Upstream deep-copies the parameter and builds a validator on
        every call (most of the cost of a request with a path parameter); here each parameter's
        validator is built once (:func:`_parameter_validator`)."""
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            first = next(_parameter_validator(param).iter_errors(value), None)
            if first is None:
                return None
            return f"invalid value for {parameter_type} parameter '{param['name']}': {_rule_broken(first)}"
        if param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"  # upstream's words
        return None


# id(parameter) -> (the parameter, kept so that its id is not reused, its schema's validator). The
# spec's parameters live as long as the app; a parameter made for one call (none of connexion's
# are) is not kept once the table holds 1,024.
_parameter_validators: dict[int, tuple[dict[str, t.Any], Draft4Validator]] = {}


def _parameter_validator(param: dict[str, t.Any]) -> Draft4Validator:
    entry = _parameter_validators.get(id(param))
    if entry is not None and entry[0] is param:
        return entry[1]
    validator = Draft4Validator(param.get("schema", param), format_checker=Draft4Validator.FORMAT_CHECKER)
    if len(_parameter_validators) < 1024:
        _parameter_validators[id(param)] = (param, validator)
    return validator


_GO_FALSE = frozenset({"", "0", "no", "false", "none"})


def go_booleans(query: bytes, names: frozenset[str]) -> bytes:
    """``query`` with the values of the parameters ``names`` as ``true`` or ``false``, read as Go's
    ``httputils.BoolValue`` reads them; unchanged (the same object) when they are so already."""
    pairs = urllib.parse.parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    changed = False
    for i, (name, value) in enumerate(pairs):
        if name in names and value not in ("true", "false"):
            pairs[i] = (name, "false" if value.strip().lower() in _GO_FALSE else "true")
            changed = True
    return urllib.parse.urlencode(pairs).encode("latin-1") if changed else query


class SafeJSONRequestBodyValidator(RequestBodyValidatorHooks):
    """Reads the body as pouch's Go daemon does (pouch_server/bodies.py) before validating it, and
    hands the handler the body so read when it differs from the bytes sent. A body sent without a
    Content-Type is JSON (pouch's Go client sends none): the layers below are told so too.

    Takes the arguments connexion gives every body validator; the schema's reader and jsonschema
    validator are built once per schema (:func:`_schema_tools`), not per request."""

    def __init__(self, **kwargs: t.Any) -> None:
        super().__init__(**kwargs)
        self.body_required = bool(kwargs.get("required", False))
        self._reader, self._schema_validator = _schema_tools(self.schema)

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        scope = json_by_default(scope)
        headers = scope["headers"]
        names = {name for name, _ in headers}
        if b"content-length" not in names and b"transfer-encoding" in names:
            chunks: list[bytes] = []
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise BadRequestProblem(detail="client went away while sending the body")
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            body = b"".join(chunks)
            scope = dict(scope)
            scope["headers"] = [(n, v) for n, v in headers if n != b"transfer-encoding"]
            scope["headers"].append((b"content-length", str(len(body)).encode()))
            receive = self.replay(receive, [{"type": "http.request", "body": body, "more_body": False}])
        return await super().wrap_receive(receive, scope=scope)

    async def parse_body(self, raw: bytes) -> t.Any:
        if not raw:
            return None
        try:
            text = raw.decode(self.encoding)
            if self._reader is None:
                return parse_json(text)
            body, changed = self._reader.read(text)
            if changed:
                # Keys were renamed or dropped: the handler gets the body as read, re-encoded
                # (upstream's replay of a body changed by validation), not the bytes sent.
                self.MUTABLE_VALIDATION = True
            return body
        except UnicodeDecodeError:
            raise BadRequestProblem(detail=f"request body is not valid {self.encoding}") from None
        except RecursionError:
            raise BadRequestProblem(detail="request body is nested too deeply") from None
        except json.JSONDecodeError as e:  # position only, no content
            raise BadRequestProblem(detail=f"request body is not valid JSON: {e}") from None
        except ValueError:  # an integer literal longer than int() takes (4300 digits)
            raise BadRequestProblem(detail="request body is not valid JSON: a number is too long") from None

    def validate_body(self, body: t.Any) -> None:
        if body is None:
            if self.body_required and not self.nullable:
                raise BadRequestProblem("Request body must not be empty")
            # An optional body left out (upstream validates the absent body as null against the
            # schema): the handler gets none.
            return
        try:
            self._schema_validator.validate(body)
        except ValidationError as e:
            raise BadRequestProblem(detail=describe_validation_error(e)) from None
        except RecursionError:
            raise BadRequestProblem(detail="request body is nested too deeply") from None


class StreamedBodyValidator(AbstractRequestBodyValidator):
    """A body of any other media type (a tar archive, an octet stream) is never read here: the
    handler gets it as it comes, and a validator that buffered it would hold a whole image archive
    in memory. It is only checked to be there when the operation requires one."""

    def __init__(self, *, required: bool = False, **kwargs: t.Any) -> None:
        super().__init__(required=required, **kwargs)
        self.required = required

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        if self.required:
            length = next((v for n, v in scope["headers"] if n == b"content-length"), None)
            chunked = any(n == b"transfer-encoding" for n, _ in scope["headers"])
            if (length is None and not chunked) or (length is not None and length.strip() == b"0"):
                raise BadRequestProblem(detail="RequestBody is required")
        return receive, scope


class StreamingJSONResponseValidator(ResponseBodyValidatorHooks):
    def wrap_send(self, send: Send) -> Send:
        plain_send = super().wrap_send(send)
        streaming = False
        text = codecs.getincrementaldecoder("utf-8")()
        pending = ""
        decoder = json.JSONDecoder()

        async def send_(message: t.MutableMapping[str, t.Any]) -> None:
            # A stream is JSON objects one after another: a line each (/events) or with nothing
            # between them (pouch's pull progress); each is checked once it is whole.
            nonlocal streaming, pending
            if message["type"] == "http.response.start":
                headers = {k.lower() for k, _ in message.get("headers", [])}
                streaming = b"content-length" not in headers
                if streaming:
                    await send(message)
                    return
            if not streaming:
                await plain_send(message)
                return
            final = not message.get("more_body", False)
            try:
                pending += text.decode(message.get("body", b""), final=final)
            except ValueError as e:
                raise NonConformingResponseBody(str(e)) from None
            at = 0
            while True:
                while at < len(pending) and pending[at].isspace():
                    at += 1
                if at == len(pending):
                    break
                try:
                    obj, at = decoder.raw_decode(pending, at)
                except ValueError as e:
                    if final:
                        raise NonConformingResponseBody(str(e)) from None
                    break  # the rest of this object is still to come
                self.validate_body(obj)
            pending = pending[at:]
            await send(message)

        return send_


_SchemaTools = tuple[BodyReader | None, t.Any]
# id(schema) -> (schema, its tools): the spec's schemas live as long as the app, and holding each
# one here keeps its id from being reused. Bounded by the number of body schemas in the spec.
_tools_by_schema: dict[int, tuple[t.Any, _SchemaTools]] = {}


def _nullable_all_of(validator: t.Any, all_of: t.Any, instance: t.Any, schema: dict[str, t.Any]) -> t.Iterator[t.Any]:
    """``allOf``, passed by a null where the schema is ``nullable``: OpenAPI 3.0 says "this $ref,
    or null" as ``type``, ``nullable: true`` and ``allOf: [$ref]``; connexion's validator honours
    ``nullable`` in ``type`` only, and the null would then fail the referenced schema's type."""
    if instance is None and schema.get("nullable") is True:
        return
    yield from _DRAFT4_ALL_OF(validator, all_of, instance, schema)


_DRAFT4_ALL_OF = Draft4RequestValidator.VALIDATORS["allOf"]
RequestValidator: t.Any = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    Draft4RequestValidator, {"allOf": _nullable_all_of}
)


def _schema_tools(schema: dict[str, t.Any]) -> _SchemaTools:
    """The body reader and the jsonschema validator of ``schema``, built on first use."""
    entry = _tools_by_schema.get(id(schema))
    if entry is None or entry[0] is not schema:
        tools = (
            BodyReader.for_schema(schema),
            RequestValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER),
        )
        entry = _tools_by_schema[id(schema)] = (schema, tools)
    return entry[1]


def validator_map() -> dict[str, t.Any]:
    return {
        **VALIDATOR_MAP,
        "parameter": WordedParameterValidator,
        "body": MediaTypeDict(
            {
                "*/*json": SafeJSONRequestBodyValidator,
                "application/x-www-form-urlencoded": FormDataValidator,
                "multipart/form-data": MultiPartFormDataValidator,
                "*/*": StreamedBodyValidator,  # the least specific range: any other type
            }
        ),
        "response": MediaTypeDict(
            {
                "*/*json": StreamingJSONResponseValidator,
                "text/plain": TextResponseBodyValidator,
            }
        ),
    }
