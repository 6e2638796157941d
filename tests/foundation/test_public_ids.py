"""Public ids are pasted into spreadsheets and typed into commands: they never start with - or _."""

from __future__ import annotations

import secrets

from portal.models.base import new_public_id


def test_a_public_id_never_starts_with_a_sign(monkeypatch):
    draws = iter(["-abcdefghijklmno", "_abcdefghijklmno", "Qabcdefghijklmno"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(draws))
    assert new_public_id() == "Qabcdefghijklmno"


def test_public_ids_are_random_and_sixteen_characters():
    ids = {new_public_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 16 and i[0].isalnum() for i in ids)
