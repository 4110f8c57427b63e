"""The wire Structs mirror the pydantic models: a field added, dropped or changed in the
contract fails here until the Struct (and the fast path's checks) follow."""

from __future__ import annotations

import types
from datetime import datetime
from typing import Any, Literal, Union, get_args, get_origin

import msgspec
import pytest
from pydantic import AwareDatetime, BaseModel
from pydantic.fields import FieldInfo

from pantau.contract.events import EVENT_MODELS, EventKind, event_from_mapping
from pantau.contract.wire import WIRE_STRUCTS, WireEvent, wire_from_model
from tests.factories import complaint_document, indicator_document, program_document

IDENTIFIER = r"^[A-Za-z0-9][\w.:-]*$"
SLUG = r"^[a-z0-9][a-z0-9-]*$"
PERIOD = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|-Q[1-4]|-S[12])?$"
# Patterns are not declared on the Structs: the fast path checks these fields itself
# (identifiers and the period by are_identifiers and is_period, slugs against the city
# profile). A pattern on any other field needs a check there first.
CHECKED_PATTERNS = {
    "event_id": IDENTIFIER,
    "source": IDENTIFIER,
    "complaint_id": IDENTIFIER,
    "program_id": IDENTIFIER,
    "category": SLUG,
    "agency": SLUG,
    "kecamatan": SLUG,
    "kelurahan": SLUG,
    "indicator_id": SLUG,
    "period": PERIOD,
}
CONSTRAINTS = ("min_length", "max_length", "ge", "le", "gt", "lt", "multiple_of")
KINDS = list(EventKind)


def _model_field(info: FieldInfo) -> dict[str, Any]:
    """What the contract says of one field, in terms both libraries share."""
    spec: dict[str, Any] = {"required": info.is_required()}
    if not info.is_required():
        spec["default"] = info.default
    annotation = info.annotation
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        assert len(members) == 1, annotation
        spec["nullable"], annotation = True, members[0]
    else:
        spec["nullable"] = False
    if annotation is AwareDatetime:
        spec["type"], spec["tz"] = datetime, True
    elif get_origin(annotation) is Literal:
        spec["type"] = ("literal", get_args(annotation))
    else:
        spec["type"] = annotation
    for item in info.metadata:
        for name in (*CONSTRAINTS, "pattern"):
            value = getattr(item, name, None)
            if value is not None:
                spec[name] = value
    return spec


def _struct_field(field: msgspec.inspect.Field) -> dict[str, Any]:
    spec: dict[str, Any] = {"required": field.required}
    if not field.required:
        spec["default"] = field.default
    kind = field.type
    spec["nullable"] = False
    if isinstance(kind, msgspec.inspect.UnionType):
        members = [t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType)]
        assert len(members) == 1, kind
        spec["nullable"], kind = True, members[0]
    if isinstance(kind, msgspec.inspect.DateTimeType):
        spec["type"], spec["tz"] = datetime, kind.tz
    elif isinstance(kind, msgspec.inspect.LiteralType):
        spec["type"] = ("literal", tuple(kind.values))
    elif isinstance(kind, msgspec.inspect.EnumType):
        spec["type"] = kind.cls
    else:
        spec["type"] = {
            msgspec.inspect.StrType: str,
            msgspec.inspect.FloatType: float,
            msgspec.inspect.IntType: int,
        }[type(kind)]
    for name in CONSTRAINTS:
        value = getattr(kind, name, None)
        if value is not None:
            spec[name] = value
    return spec


def _struct_info(kind: EventKind) -> msgspec.inspect.StructType:
    info = msgspec.inspect.type_info(WIRE_STRUCTS[kind])
    assert isinstance(info, msgspec.inspect.StructType)
    return info


@pytest.mark.parametrize("kind", KINDS)
def test_each_struct_has_the_models_fields_in_order_with_the_same_specs(kind: EventKind) -> None:
    model: type[BaseModel] = EVENT_MODELS[kind]
    fields = dict(model.model_fields)
    del fields["kind"]  # the Struct's tag, checked below
    expected = {name: _model_field(info) for name, info in fields.items()}
    for name, spec in expected.items():
        pattern = spec.pop("pattern", None)
        assert pattern == CHECKED_PATTERNS.get(name), (name, pattern)
    actual = {field.name: _struct_field(field) for field in _struct_info(kind).fields}
    assert list(actual) == list(expected)
    for name in expected:
        assert actual[name] == expected[name], name


@pytest.mark.parametrize("kind", KINDS)
def test_each_struct_is_frozen_strict_and_tagged_with_its_kind(kind: EventKind) -> None:
    model = EVENT_MODELS[kind]
    assert model.model_config.get("frozen") and model.model_config.get("extra") == "forbid"
    assert model.model_config.get("allow_inf_nan") is False  # msgspec's JSON has no NaN
    config = WIRE_STRUCTS[kind].__struct_config__
    assert config.frozen and config.forbid_unknown_fields
    assert (config.tag_field, config.tag) == ("kind", model.model_fields["kind"].default)
    assert WIRE_STRUCTS[kind].kind == kind.value


@pytest.mark.parametrize(
    ("document", "entity"),
    [
        (complaint_document(), "C-2026-000001"),
        (program_document(), "GOV-2023-01"),
        (indicator_document(), "stunting-prevalence"),
    ],
)
def test_a_model_becomes_the_struct_with_every_value_and_the_same_entity(
    document: dict[str, Any], entity: str
) -> None:
    model = event_from_mapping(document)
    event: WireEvent = wire_from_model(model)
    assert type(event) is WIRE_STRUCTS[EventKind(model.kind)]
    assert (event.kind, event.entity_id) == (model.kind, entity)
    for name in event.__struct_fields__:
        assert getattr(event, name) == getattr(model, name)
        assert type(getattr(event, name)) is type(getattr(model, name))


def test_a_struct_decodes_from_the_models_own_json_and_encodes_back_to_it() -> None:
    model = event_from_mapping(complaint_document())
    wire = model.model_dump_json().encode()
    event = msgspec.json.decode(wire, type=WIRE_STRUCTS[EventKind.COMPLAINT])
    assert event == wire_from_model(model)
    # Same fields, same values: the Struct's own JSON differs only in field order.
    assert msgspec.json.decode(msgspec.json.encode(event)) == msgspec.json.decode(wire)
