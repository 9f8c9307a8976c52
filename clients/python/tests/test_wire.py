"""The codec and the frame splitter."""

import pytest

from firn import wire
from firn.errors import FrameTooLargeError, ProtocolError


def test_a_frame_is_a_little_endian_length_then_the_kind_then_the_body():
    assert wire.frame(wire.FrameKind.ACK, b"\x03\x00\x00\x00\x01\x00\x00\x00").hex() == "08000000" "10" "0300000001000000"
    assert wire.frame(wire.FrameKind.PING) == b"\x00\x00\x00\x00\x21"


def test_frames_split_across_reads_come_out_whole_and_in_order():
    stream = b"".join(wire.encode_frame(wire.FrameKind.SEND, {"channel_id": i, "payload": bytes([i]) * i}) for i in range(1, 40))
    decoder = wire.FrameDecoder(1024)
    frames = []
    for i in range(len(stream)):
        frames += decoder.feed(stream[i:i + 1])
    assert [wire.decode_body(k, b)["channel_id"] for k, b in frames] == list(range(1, 40))
    assert decoder.buffered == 0


def test_several_frames_in_one_read_and_a_partial_one_left_over():
    stream = wire.frame(wire.FrameKind.PING) + wire.frame(wire.FrameKind.STOP) + wire.frame(wire.FrameKind.DELIVER, b"\x01\x00\x00\x00abc")
    decoder = wire.FrameDecoder(1024)
    assert decoder.feed(stream[:-2]) == [(wire.FrameKind.PING, b""), (wire.FrameKind.STOP, b"")]
    assert decoder.feed(stream[-2:]) == [(wire.FrameKind.DELIVER, b"\x01\x00\x00\x00abc")]


def test_a_header_announcing_more_than_the_limit_is_refused_before_the_body_arrives():
    decoder = wire.FrameDecoder(100)
    assert decoder.feed(wire.frame(wire.FrameKind.SEND, bytes(100))) != []
    with pytest.raises(FrameTooLargeError):
        decoder.feed(b"\x65\x00\x00\x00\x0c")


def test_a_body_that_ends_early_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="ended early"):
        wire.decode_body(wire.FrameKind.SEND_CREDIT, b"\x01\x00\x00\x00\x02")


@pytest.mark.parametrize("bad", [b"\xed\xa0\x80", b"\xc0\xaf", b"\xff"])
def test_ill_formed_utf8_in_a_string_is_a_protocol_error(bad):
    body = len(bad).to_bytes(2, "little") + bad
    with pytest.raises(ProtocolError, match="not valid UTF-8"):
        wire.decode_body(wire.FrameKind.REJECT, body)


def test_a_lone_surrogate_is_refused_in_names_and_replaced_in_text():
    with pytest.raises(UnicodeEncodeError):
        wire.Writer().string("a\ud800")
    assert wire.Writer().text("a\ud800").bytes() == b"\x04\x00a\xef\xbf\xbd"


def test_unknown_kinds_statuses_and_flags_are_protocol_errors():
    with pytest.raises(ProtocolError):
        wire.decode_body(99, b"")
    with pytest.raises(ProtocolError):
        wire.decode_body(wire.FrameKind.CHANNEL_OPENED, b"\x01\x00\x00\x00\x09")
    with pytest.raises(ProtocolError):
        wire.decode_body(wire.FrameKind.RPC_INVOKE, wire.Writer().u32(1).u8(2).u32(0).string("m").string("c").u16(0).bytes())
    with pytest.raises(ProtocolError, match="argument"):
        wire.decode_body(wire.FrameKind.RPC_INVOKE, wire.Writer().u32(1).u8(0).u32(0).string("m").string("c").u16(1).u32(5).bytes())


_LIMITS = {"version": 1, "max_message_size": 1 << 20, "send_window": 8, "pending_bytes_limit": 4096}
_CHANNELS = {"active_id": 1, "active_closed": False, "passive_id": 2, "passive_closed": False}


def test_a_welcome_reads_the_capability_list_after_the_built_in_channels():
    body = wire.encode_body(wire.FrameKind.WELCOME, {**_LIMITS, "channels": _CHANNELS})
    assert wire.decode_body(wire.FrameKind.WELCOME, body, strict=True)["capabilities"] == []
    listed = body + wire.Writer().u8(2).string("trace-context").string("some-later.feature").bytes()
    fields = wire.decode_body(wire.FrameKind.WELCOME, listed, strict=True)
    assert fields["channels"] == _CHANNELS and fields["capabilities"] == ["trace-context", "some-later.feature"]
    assert wire.encode_body(wire.FrameKind.WELCOME, fields) == listed
    assert wire.decode_body(wire.FrameKind.WELCOME, body[:14])["channels"] is None
    assert wire.decode_body(wire.FrameKind.WELCOME, body[:14])["capabilities"] == []


@pytest.mark.parametrize("tail,message", [
    (wire.Writer().u8(33).bytes(), "at most 32"),
    (wire.Writer().u8(2).string("trace-context").bytes(), "ended early"),
    (wire.Writer().u8(1).string("").bytes(), "1 to 64"),
    (wire.Writer().u8(1).string("x" * 65).bytes(), "1 to 64"),
    (wire.Writer().u8(1).string("Trace").bytes(), "character"),
    (wire.Writer().u8(1).string("trace-context").u8(0).bytes(), "follow the capability list"),
])
def test_a_malformed_capability_list_is_a_protocol_error(tail, message):
    body = wire.encode_body(wire.FrameKind.WELCOME, {**_LIMITS, "channels": _CHANNELS})
    with pytest.raises(ProtocolError, match=message):
        wire.decode_body(wire.FrameKind.WELCOME, body + tail)
    hello = wire.encode_body(wire.FrameKind.HELLO, {"version": 1, "process_name": "py", "secret": "s"})
    with pytest.raises(ProtocolError, match=message):
        wire.decode_body(wire.FrameKind.HELLO, hello + tail)


def test_a_hello_offers_its_capabilities_and_none_writes_no_list():
    plain = {"version": 1, "process_name": "py", "secret": "s"}
    body = wire.encode_body(wire.FrameKind.HELLO, plain)
    assert body == wire.Writer().u16(1).string("py").string("s").bytes()
    assert wire.decode_body(wire.FrameKind.HELLO, body, strict=True) == {**plain, "capabilities": []}
    offering = wire.encode_body(wire.FrameKind.HELLO, {**plain, "capabilities": ["trace-context"]})
    assert wire.decode_body(wire.FrameKind.HELLO, offering, strict=True)["capabilities"] == ["trace-context"]
    # Another version's Hello is refused for its version; whatever follows its secret is not read as a list.
    other = wire.Writer().u16(2).string("py").string("s").u8(99).bytes()
    assert wire.decode_body(wire.FrameKind.HELLO, other)["capabilities"] == []


def test_rpc_argument_blocks_round_trip():
    block = wire.encode_arguments([b"\x01", b"", b"abc"])
    assert wire.decode_arguments(wire.Reader(block)) == [b"\x01", b"", b"abc"]
    with pytest.raises(ValueError):
        wire.encode_arguments([b""] * 65)
