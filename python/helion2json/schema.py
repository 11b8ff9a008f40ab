"""The interchange schema, versions 1 and 2: docs/interchange.schema.json checked with `jsonschema`, then the
cross-reference checks it cannot express (references.py). docs/interchange.md explains both.

The C reader (lib/) checks the same rules on read; both name the JSON path of the first violation.
"""

from __future__ import annotations

import functools
import json
import math
import pathlib

import jsonschema

from .errors import CaptureError, SpecError
from .references import check_references

VERSION = 2  # the newest version; spec_version gives the lowest one that holds a spec
# An installed package carries its copy (CMakeLists.txt installs it); a source tree has docs/.
_INSTALLED_SCHEMA = pathlib.Path(__file__).resolve().parent / "interchange.schema.json"
SCHEMA_PATH = (_INSTALLED_SCHEMA if _INSTALLED_SCHEMA.is_file()
               else pathlib.Path(__file__).resolve().parents[2] / "docs" / "interchange.schema.json")

_INT64 = (-(2**63), 2**63 - 1)
_JSON_TYPE_NAMES = {dict: "object", list: "array", str: "string", bool: "bool", type(None): "null",
                    int: "integer", float: "number"}


def _is_integer(_checker, value: object) -> bool:
    # An integer is written without a fraction (1.0 is a number) and fits the C reader's int64.
    return isinstance(value, int) and not isinstance(value, bool) and _INT64[0] <= value <= _INT64[1]


def _is_number(checker, value: object) -> bool:
    return _is_integer(checker, value) or (isinstance(value, float) and math.isfinite(value))


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    try:
        schema = json.loads(SCHEMA_PATH.read_text())
    except OSError as e:
        raise CaptureError(f"cannot read the interchange schema {SCHEMA_PATH}: {e.strerror}") from None
    base = jsonschema.Draft202012Validator
    types = base.TYPE_CHECKER.redefine_many({"integer": _is_integer, "number": _is_number})
    return jsonschema.validators.extend(base, type_checker=types)(schema)


def schema() -> dict:
    """docs/interchange.schema.json, parsed."""
    return _validator().schema


def known_target(target: str) -> bool:
    """A `call_function` target the schema knows (aten/prims overloads, operator.*, Helion's ops)."""
    return _validator().evolve(schema=schema()["$defs"]["target"]).is_valid(target)


def _type_name(value: object) -> str:
    if type(value) is int and not _is_integer(None, value):
        return "an integer beyond 64 bits"
    if type(value) is float and not math.isfinite(value):
        return "a non-finite number"
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _show(value: object) -> str:
    """A value in a one-line message: strings quoted with their control characters escaped."""
    text = repr(value) if isinstance(value, str) else json.dumps(value, allow_nan=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def json_path(path) -> str:
    out = "$"
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif key.isprintable() and "." not in key and "[" not in key:
            out += f".{key}"
        else:
            out += f"[{json.dumps(key)}]"
    return out


def _names(values) -> str:
    items = [_show(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _message(error: jsonschema.ValidationError) -> str:
    keyword, expected, value = error.validator, error.validator_value, error.instance
    custom = error.schema.get("errorMessage", {}).get(keyword) if isinstance(error.schema, dict) else None
    if custom:
        return custom.replace("{instance}", _show(value)).replace("{type}", _type_name(value))
    if keyword == "required":
        return f"missing field '{next(k for k in expected if k not in value)}'"
    if keyword == "type":
        kinds = [expected] if isinstance(expected, str) else expected
        got = _type_name(value) + (f" {value!r}" if type(value) in (int, float) else "")
        return f"expected {' or '.join('bool' if k == 'boolean' else k for k in kinds)}, got {got}"
    if keyword == "enum":
        return f"expected {_names(expected)}, got {_show(value)}"
    if keyword == "const":
        return f"expected {_show(expected)}, got {_show(value)}"
    if keyword == "minimum":
        return f"expected at least {expected}, got {_show(value)}"
    if keyword in ("minItems", "maxItems"):
        return f"expected {'at least' if keyword == 'minItems' else 'at most'} {expected} items, got {len(value)}"
    if keyword == "additionalProperties":
        return f"unexpected field {_names(k for k in value if k not in error.schema.get('properties', {}))}"
    return error.message.splitlines()[0]


def _document_order(instance: object, path) -> tuple:
    """Where a path lies in the document: object keys by their position, an object before its fields."""
    position = []
    for key in path:
        position.append(list(instance).index(key) if isinstance(instance, dict) else key)
        instance = instance[key]
    return tuple(position)


def _first(errors, instance: object) -> jsonschema.ValidationError:
    return min(errors, key=lambda e: _document_order(instance, e.relative_path))


def spec_version(block_sizes: list[dict]) -> int:
    """The lowest version that holds a spec with these blocks: 2 adds `jagged_parents`, which a version-1
    reader would ignore and so lower a jagged loop without its row masks; every other spec stays 1.
    A new value of a closed list (a dtype, a symbol kind) needs no new version: every reader refuses
    one it does not know at its JSON path (docs/interchange.md, Versions)."""
    return 2 if any("jagged_parents" in bs for bs in block_sizes) else 1


def validate_spec(spec: object) -> None:
    """Raise SpecError (naming the JSON path) when `spec` is not a valid interchange spec (version 1 or 2)."""
    errors = list(_validator().iter_errors(spec))
    if errors:
        error = _first(errors, spec)
        while error.validator in ("anyOf", "oneOf") and error.context and "errorMessage" not in error.schema:
            error = _first(error.context, error.instance)
        raise SpecError(json_path(error.absolute_path), _message(error))
    check_references(spec)
