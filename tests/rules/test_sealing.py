"""The sealing primitives: what seals opens with the right key only, and tampering is caught."""

from __future__ import annotations

import pytest

from portal.rules import sealing


def test_a_data_key_opens_its_fields_and_another_key_does_not():
    key = sealing.new_data_key()
    box = sealing.encrypt_fields(key, {"name": "张实名", "contact": "13812345678"})
    assert "张实名".encode() not in box and b"13812345678" not in box
    assert sealing.decrypt_fields(key, box) == {"name": "张实名", "contact": "13812345678"}
    with pytest.raises(sealing.SealError):
        sealing.decrypt_fields(sealing.new_data_key(), box)


def test_a_changed_byte_is_refused():
    key = sealing.new_data_key()
    box = bytearray(sealing.encrypt(key, b"evidence"))
    box[-1] ^= 1
    with pytest.raises(sealing.SealError):
        sealing.decrypt(key, bytes(box))


def test_the_server_seals_to_the_office_but_only_the_private_key_opens():
    public, private = sealing.new_key_pair()
    other_public, other_private = sealing.new_key_pair()
    sealed = sealing.seal_to(public, b"data key")
    assert sealing.open_sealed(private, sealed) == b"data key"
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(other_private, sealed)


def test_a_derived_key_depends_on_secret_and_salt():
    salt = sealing.new_salt()
    first = sealing.derive_key("correct horse", salt, fast=True)
    assert first == sealing.derive_key("correct horse", salt, fast=True)
    assert first != sealing.derive_key("correct horsf", salt, fast=True)
    assert first != sealing.derive_key("correct horse", sealing.new_salt(), fast=True)


def test_a_recovery_key_typed_sloppily_is_the_printed_one():
    printed = sealing.new_recovery_key()
    assert len(printed) == 39 and printed.count("-") == 7
    sloppy = printed.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert sealing.normal_recovery_key(sloppy) == printed


@pytest.mark.parametrize("text", ["", "abc", "!!!!", "A" * 44])
def test_a_session_token_that_is_not_a_key_is_refused(text):
    with pytest.raises(sealing.SealError):
        sealing.unb64(text)
