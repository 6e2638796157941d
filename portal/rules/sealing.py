"""Sealing: the key hierarchy that keeps what could identify a reporter unreadable at rest.

Only libsodium's constructions, through PyNaCl; nothing here is home-made:

- an office key pair per county (X25519): a report's data key is sealed to its public key
  with a sealed box (anonymous sender: the server can seal, never open);
- a data key per report (XSalsa20-Poly1305 secret box) that encrypts the sealed fields;
- each inspector's own key pair, its private half wrapped by a key derived from the password
  with Argon2id (memory-hard, own random salt); the office private key is sealed to each
  inspector's public key, so an office member who has it unlocked can grant it to a colleague
  without knowing the colleague's password (as GlobaLeaks' recipients share a tenant key);
- a recovery key printed on paper when the office key is made, wrapping the office private key
  through Argon2id as well.

Plain bytes and strings in and out; no Flask, no database.
"""

from __future__ import annotations

import base64
import json
import secrets

from nacl import pwhash, utils
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

KEY_SIZE = SecretBox.KEY_SIZE
SALT_SIZE = pwhash.argon2id.SALTBYTES
# Argon2id cost: libsodium's limits for online use (2 passes, 64 MiB: run at each login, so a
# login burst stays within a server's memory); the minimum only where a test asks for it.
STRONG = (pwhash.argon2id.OPSLIMIT_INTERACTIVE, pwhash.argon2id.MEMLIMIT_INTERACTIVE)
FAST = (pwhash.argon2id.OPSLIMIT_MIN, pwhash.argon2id.MEMLIMIT_MIN)
# Recovery keys: 32 characters of Crockford's base32 (160 bits), printed in groups of four.
_RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_LENGTH = 32


class SealError(Exception):
    """A sealed value does not open with the key given (wrong key or tampered data)."""


def new_salt() -> bytes:
    """A fresh random Argon2id salt."""
    return utils.random(SALT_SIZE)


def derive_key(secret: str, salt: bytes, *, fast: bool = False) -> bytes:
    """A 32-byte key from a password, receipt or recovery key (Argon2id)."""
    ops, mem = FAST if fast else STRONG
    return pwhash.argon2id.kdf(KEY_SIZE, secret.encode("utf-8"), salt, opslimit=ops, memlimit=mem)


def new_data_key() -> bytes:
    """A random key for one report's sealed fields."""
    return utils.random(KEY_SIZE)


def encrypt(key: bytes, plain: bytes) -> bytes:
    """Secret-box `plain` under `key` (random nonce, authenticated)."""
    return bytes(SecretBox(key).encrypt(plain))


def decrypt(key: bytes, sealed: bytes) -> bytes:
    """Open a secret box; SealError if the key is wrong or the bytes were changed."""
    try:
        return SecretBox(key).decrypt(sealed)
    except CryptoError as exc:
        raise SealError("does not open") from exc


def encrypt_fields(key: bytes, fields: dict[str, str | None]) -> bytes:
    """Several text fields as one secret box (their lengths are hidden together)."""
    return encrypt(key, json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def decrypt_fields(key: bytes, sealed: bytes) -> dict[str, str | None]:
    """The fields sealed by encrypt_fields."""
    return json.loads(decrypt(key, sealed).decode("utf-8"))


def new_key_pair() -> tuple[bytes, bytes]:
    """(public, private) X25519 keys, raw 32 bytes each."""
    private = PrivateKey.generate()
    return bytes(private.public_key), bytes(private)


def seal_to(public: bytes, plain: bytes) -> bytes:
    """A sealed box: anyone with the public key seals, only the private key opens."""
    return bytes(SealedBox(PublicKey(public)).encrypt(plain))


def open_sealed(private: bytes, sealed: bytes) -> bytes:
    """Open a sealed box with the private key; SealError otherwise."""
    try:
        return SealedBox(PrivateKey(private)).decrypt(sealed)
    except CryptoError as exc:
        raise SealError("does not open") from exc


def new_recovery_key() -> str:
    """A recovery key to print: 32 base32 characters in eight groups of four."""
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4))


def normal_recovery_key(typed: str) -> str:
    """A typed recovery key as printed: case, spaces, dashes and O/I/L look-alikes forgiven."""
    raw = "".join(ch for ch in typed.upper() if ch.isalnum())
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1")
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def b64(raw: bytes) -> str:
    """Raw bytes for a cookie-held session key."""
    return base64.urlsafe_b64encode(raw).decode("ascii")


def unb64(text: str) -> bytes:
    """The bytes of b64(); SealError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SealError("not a key") from exc
    if len(raw) != KEY_SIZE:
        raise SealError("not a key")
    return raw
