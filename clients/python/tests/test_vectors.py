"""The golden vectors of docs/protocol-vectors, written by the C# codec: every frame decodes to its fields, and its
fields encode to the same bytes (tests/Firn.Tests/Protocol keeps the files true to the C# codec)."""

import json
import pathlib

import pytest

from firn import types, wire

VECTORS = pathlib.Path(__file__).resolve().parents[3] / "docs" / "protocol-vectors"
BYTES_FIELDS = {"payload", "expected", "result"}


def _frame_files():
    return sorted(p for p in VECTORS.glob("*.json") if p.name != "payloads.json")


def _cases():
    for path in _frame_files():
        document = json.loads(path.read_text())
        for case in document["cases"]:
            yield pytest.param(document["kind"], document["name"], case, id=f"{document['name']}: {case['description']}")


def to_json(fields):
    """Decoded fields as the vector files write them: bytes as lowercase hex."""
    if isinstance(fields, dict):
        return {k: to_json(v) for k, v in fields.items()}
    if isinstance(fields, list):
        return [to_json(v) for v in fields]
    if isinstance(fields, bytes):
        return fields.hex()
    return fields


def from_json(fields, name=None):
    """Vector fields as the encoders take them: hex strings of byte fields (and argument lists) to bytes."""
    if isinstance(fields, dict):
        return {k: from_json(v, k) for k, v in fields.items()}
    if name == "arguments":
        return [bytes.fromhex(a) for a in fields]
    if isinstance(fields, list):
        return [from_json(v) for v in fields]
    if name in BYTES_FIELDS:
        return bytes.fromhex(fields)
    return fields


def test_there_is_a_vector_file_for_every_frame_kind():
    names = {path.name.split("-", 1)[1][:-5] for path in _frame_files()}
    assert len(names) == len(wire.FrameKind)
    assert {int(path.name.split("-", 1)[0]) for path in _frame_files()} == {int(k) for k in wire.FrameKind}


@pytest.mark.parametrize("kind,name,case", list(_cases()))
def test_the_frame_decodes_to_its_fields(kind, name, case):
    frames = wire.FrameDecoder(1 << 20).feed(bytes.fromhex(case["hex"]))
    assert len(frames) == 1
    decoded_kind, body = frames[0]
    assert decoded_kind == kind == wire.FrameKind[_snake(name)]
    assert to_json(wire.decode_body(kind, body, strict=True)) == case["fields"]


@pytest.mark.parametrize("kind,name,case", list(_cases()))
def test_the_fields_encode_to_the_frame(kind, name, case):
    assert wire.encode_frame(kind, from_json(case["fields"])).hex() == case["hex"]


def _payload_cases():
    document = json.loads((VECTORS / "payloads.json").read_text())
    for case in document["cases"]:
        yield pytest.param(case, id=case["type_name"])


@pytest.mark.parametrize("case", list(_payload_cases()))
def test_the_default_serializers_bytes_read_and_write_the_same_in_python(case):
    data = bytes.fromhex(case["hex"])
    expected = bytes.fromhex(case["bytes"]) if "bytes" in case else case["value"]
    value = types.unpack(data)
    assert value == expected
    assert types.pack(expected).hex() == case["hex"]


def _snake(name):
    return "".join("_" + c if c.isupper() else c for c in name).lstrip("_").upper()
