"""A server ledger's remembered password (记住密码), kept only when the clerk ticks it and never as plain text.

The passwords live in their own file in the user's state folder (``credentials.json``), one entry per server
address (the address without its password), never in the window's settings file, which people copy and send.

* On Windows each entry is sealed by DPAPI for the signed-in Windows user (CryptProtectData, user scope), with
  the address as extra entropy, so that only this user on this machine can open it and only for that address.
  This path cannot be run on the Linux machines the tests run on; it is kept to the documented calls and
  nothing else, so that it can be checked by reading.
* Elsewhere an entry is encrypted and then authenticated with the standard library alone: a random 32-byte key
  in its own file (``credentials.key``, mode 0600, the user's alone), from which an encryption key and a MAC key
  are derived; HMAC-SHA256 in counter mode over a fresh random nonce is the keystream, and an HMAC-SHA256 tag
  covers the scheme, the nonce, the ciphertext and the address. The password is padded, so that the length of
  the stored text does not tell its length. This keeps the password from anyone who reads the settings or a
  copy of the store without the key file; like any password a program can use without asking, it does not
  protect it from someone who can read all of the user's files.

Whatever cannot be read back as it was written — a changed byte, an entry moved to another address, a key
file replaced, the other platform's scheme, a broken file — is "not remembered": :func:`load` returns None and
the window asks for the password again. Nothing here raises to the clerk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

STORE_NAME = "credentials.json"
KEY_NAME = "credentials.key"
KEY_BYTES = 32
NONCE_BYTES = 16
TAG_BYTES = 32
PAD_TO = 64  # plaintext is padded to a multiple of this, so that a short and a long password look alike
_VERSION = b"\x01"
_HMAC_SCHEME = "hmac1"
_DPAPI_SCHEME = "dpapi"
_CRYPTPROTECT_UI_FORBIDDEN = 0x01


def folder() -> Path:
    """The user's state folder, as core/outfile.py finds it (RECTIFY_DESKTOP_STATE_DIR in the tests)."""
    from rectify_desktop.core.outfile import state_dir

    return state_dir()


def store_path() -> Path:
    return folder() / STORE_NAME


def key_path() -> Path:
    return folder() / KEY_NAME


def _address_key(address_url: str) -> str:
    """The entry's name: the address as the window writes it, without a password that came with it."""
    from rectify_desktop.core import server

    return server.ServerAddress.parse(str(address_url)).url()


# --- the public API: never an exception ------------------------------------------------------------------


def save(address_url: str, password: str) -> bool:
    """Remembers the password of a server address; False when it could not be stored (the window says so and
    the clerk is asked again next time)."""
    try:
        key = _address_key(address_url)
        sealed = _seal(password.encode("utf-8"), key)
        if sealed is None:
            return False
        entries = _read_entries()
        entries[key] = sealed
        _write_entries(entries)
        return True
    except (OSError, ValueError):
        return False


def load(address_url: str) -> str | None:
    """The remembered password of a server address, or None when there is none or it cannot be trusted."""
    try:
        key = _address_key(address_url)
        entry = _read_entries().get(key)
        if not isinstance(entry, str):
            return None
        plain = _open(entry, key)
        return None if plain is None else plain.decode("utf-8")
    except (OSError, ValueError):
        return None


def forget(address_url: str) -> None:
    """Forgets the password of a server address (the clerk unticked 记住密码, or it was refused)."""
    try:
        key = _address_key(address_url)
        entries = _read_entries()
        if key in entries:
            del entries[key]
            _write_entries(entries)
    except (OSError, ValueError):
        pass


# --- the store file ----------------------------------------------------------------------------------------


def _read_entries() -> dict[str, Any]:
    try:
        body = json.loads(store_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError:
        return {}  # a broken store is an empty one; the next save writes it anew
    entries = body.get("entries") if isinstance(body, dict) else None
    return dict(entries) if isinstance(entries, dict) else {}


def _write_entries(entries: dict[str, Any]) -> None:
    """Whole or not at all, and readable by the user alone from its first byte."""
    target = store_path()
    _ensure_folder(target.parent)
    text = json.dumps({"version": 1, "entries": entries}, ensure_ascii=False, indent=1)
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _ensure_folder(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


# --- sealing: DPAPI on Windows, the key file elsewhere ----------------------------------------------------


def _seal(plain: bytes, address: str) -> str | None:
    if sys.platform == "win32":
        blob = _dpapi(plain, address.encode("utf-8"), True)
        return None if blob is None else f"{_DPAPI_SCHEME}:{base64.b64encode(blob).decode('ascii')}"
    master = _key(create=True)
    return f"{_HMAC_SCHEME}:{base64.b64encode(_encrypt(master, plain, address)).decode('ascii')}"


def _open(entry: str, address: str) -> bytes | None:
    scheme, _, text = entry.partition(":")
    try:
        blob = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    if sys.platform == "win32":
        return _dpapi(blob, address.encode("utf-8"), False) if scheme == _DPAPI_SCHEME else None
    if scheme != _HMAC_SCHEME:
        return None
    master = _key(create=False)
    return None if master is None else _decrypt(master, blob, address)


def _key(*, create: bool) -> bytes | None:
    """The random key in its own file, the user's alone. A missing or broken key is made anew only when
    saving: the entries sealed with the old one are then unreadable, which is what they should be."""
    path = key_path()
    try:
        key = path.read_bytes()
        if len(key) == KEY_BYTES:
            if os.name == "posix" and path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)  # someone made it readable to others: take it back
            return key
    except FileNotFoundError:
        pass
    if not create:
        return None
    _ensure_folder(path.parent)
    path.unlink(missing_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _key(create=False)  # another window made it a moment ago: use theirs
    with os.fdopen(fd, "wb") as f:
        f.write(key)
        f.flush()
        os.fsync(f.fileno())
    return key


def _subkeys(master: bytes) -> tuple[bytes, bytes]:
    enc = hmac.new(master, b"rectify-desktop credentials: encryption", hashlib.sha256).digest()
    mac = hmac.new(master, b"rectify-desktop credentials: authentication", hashlib.sha256).digest()
    return enc, mac


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (hmac.new(key, nonce + i.to_bytes(8, "big"), hashlib.sha256).digest() for i in range((length + 31) // 32))
    return b"".join(blocks)[:length]


def _tag(key: bytes, header: bytes, cipher: bytes, address: str) -> bytes:
    # The address is authenticated with the rest: an entry copied under another address does not open.
    addr = address.encode("utf-8")
    return hmac.new(key, header + len(addr).to_bytes(4, "big") + addr + cipher, hashlib.sha256).digest()


def _encrypt(master: bytes, plain: bytes, address: str) -> bytes:
    if len(plain) > 0xFFFF:
        raise ValueError("password too long")
    enc, mac = _subkeys(master)
    body = len(plain).to_bytes(2, "big") + plain
    body += b"\0" * (-len(body) % PAD_TO)
    nonce = secrets.token_bytes(NONCE_BYTES)
    cipher = bytes(a ^ b for a, b in zip(body, _keystream(enc, nonce, len(body)), strict=True))
    header = _VERSION + nonce
    return header + cipher + _tag(mac, header, cipher, address)


def _decrypt(master: bytes, blob: bytes, address: str) -> bytes | None:
    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES + 2 or blob[:1] != _VERSION:
        return None
    enc, mac = _subkeys(master)
    header, cipher, tag = blob[: 1 + NONCE_BYTES], blob[1 + NONCE_BYTES : -TAG_BYTES], blob[-TAG_BYTES:]
    if not hmac.compare_digest(tag, _tag(mac, header, cipher, address)):
        return None  # checked before anything is decrypted
    body = bytes(a ^ b for a, b in zip(cipher, _keystream(enc, header[1:], len(cipher)), strict=True))
    length = int.from_bytes(body[:2], "big")
    return body[2 : 2 + length] if 2 + length <= len(body) else None


def _dpapi(data: bytes, entropy: bytes, protect: bool) -> bytes | None:
    """CryptProtectData / CryptUnprotectData for the current Windows user (no CRYPTPROTECT_LOCAL_MACHINE), never
    showing a prompt; None when Windows refuses (another user's blob, a changed byte, another address)."""
    import ctypes
    from ctypes import wintypes

    class DataBlob(ctypes.Structure):
        _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]

    def blob_of(raw: bytes) -> tuple[DataBlob, Any]:
        buf = ctypes.create_string_buffer(raw, len(raw))
        return DataBlob(len(raw), ctypes.cast(buf, ctypes.POINTER(ctypes.c_char))), buf

    crypt32 = ctypes.WinDLL("crypt32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    func = crypt32.CryptProtectData if protect else crypt32.CryptUnprotectData
    # Both take (in, description, entropy, reserved, prompt, flags, out); the description is not used.
    func.argtypes = [
        ctypes.POINTER(DataBlob),
        ctypes.c_void_p,
        ctypes.POINTER(DataBlob),
        ctypes.c_void_p,
        ctypes.c_void_p,
        wintypes.DWORD,
        ctypes.POINTER(DataBlob),
    ]
    func.restype = wintypes.BOOL
    kernel32.LocalFree.argtypes = [ctypes.c_void_p]
    kernel32.LocalFree.restype = ctypes.c_void_p
    data_in, _keep_in = blob_of(data)
    extra, _keep_extra = blob_of(entropy)
    out = DataBlob()
    ok = func(
        ctypes.byref(data_in), None, ctypes.byref(extra), None, None, _CRYPTPROTECT_UI_FORBIDDEN, ctypes.byref(out)
    )
    if not ok:
        return None
    try:
        return ctypes.string_at(out.pbData, out.cbData)
    finally:
        kernel32.LocalFree(ctypes.cast(out.pbData, ctypes.c_void_p))
