"""A server ledger's remembered password (记住密码): kept encrypted in the user's state folder, read back only for
the address it was saved for, and anything doubtful read as "not remembered" (the window asks again)."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys

import pytest

from rectify_desktop.core import credentials

URL = "postgresql://guarded@127.0.0.1:5432/ledger"
OTHER = "postgresql://guarded@127.0.0.1:5432/another"
PASSWORD = "guarded-pw 密码"


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("RECTIFY_DESKTOP_STATE_DIR", str(tmp_path / "state"))
    if sys.platform == "win32":
        pytest.skip("the key-file scheme is for systems without DPAPI")
    return tmp_path / "state"


def _stored_text(state) -> str:
    return "".join(p.read_bytes().decode("latin-1") for p in state.iterdir() if p.is_file())


def test_round_trip():
    assert credentials.load(URL) is None
    assert credentials.save(URL, PASSWORD)
    assert credentials.load(URL) == PASSWORD
    assert credentials.load(OTHER) is None
    credentials.save(OTHER, "second")
    assert credentials.load(URL) == PASSWORD and credentials.load(OTHER) == "second"
    credentials.save(URL, "changed")
    assert credentials.load(URL) == "changed"


def test_a_password_given_with_the_address_is_not_part_of_its_key():
    credentials.save("postgresql://guarded:secret@127.0.0.1:5432/ledger", PASSWORD)
    assert credentials.load(URL) == PASSWORD
    assert "secret" not in _stored_text(credentials.store_path().parent)


def test_nothing_stored_says_the_password(state):
    credentials.save(URL, PASSWORD)
    text = _stored_text(state)
    raw = PASSWORD.encode()
    for form in (PASSWORD, base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode(), raw.hex()):
        assert form not in text
    assert "guarded-pw" not in text
    # The same password saved twice is two different texts (a fresh nonce each time).
    first = json.loads(credentials.store_path().read_text())["entries"][URL]
    credentials.save(URL, PASSWORD)
    assert json.loads(credentials.store_path().read_text())["entries"][URL] != first


def _tamper(mutate) -> None:
    path = credentials.store_path()
    body = json.loads(path.read_text())
    body["entries"][URL] = mutate(body["entries"][URL])
    path.write_text(json.dumps(body))


@pytest.mark.parametrize("position", [0, 10, 20, 30, -1])
def test_a_changed_byte_reads_as_not_remembered(position):
    credentials.save(URL, PASSWORD)

    def flip(text: str) -> str:
        scheme, blob = text.split(":", 1)
        raw = bytearray(base64.b64decode(blob))
        raw[position] ^= 0x01
        return f"{scheme}:{base64.b64encode(bytes(raw)).decode()}"

    _tamper(flip)
    assert credentials.load(URL) is None


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-8],
        lambda t: "dpapi:" + t.split(":", 1)[1],
        lambda t: "nonsense",
        lambda t: t.split(":", 1)[0] + ":***not base64***",
        lambda t: 42,
    ],
)
def test_a_broken_entry_reads_as_not_remembered(mutate):
    credentials.save(URL, PASSWORD)
    _tamper(mutate)
    assert credentials.load(URL) is None


def test_a_blob_moved_to_another_address_is_refused():
    credentials.save(URL, PASSWORD)
    credentials.save(OTHER, "other")
    body = json.loads(credentials.store_path().read_text())
    body["entries"][OTHER] = body["entries"][URL]
    credentials.store_path().write_text(json.dumps(body))
    assert credentials.load(OTHER) is None
    assert credentials.load(URL) == PASSWORD


def test_a_blob_from_another_key_is_refused():
    credentials.save(URL, PASSWORD)
    credentials.key_path().unlink()
    assert credentials.load(URL) is None
    credentials.save(URL, "new")  # a new key is made; the clerk's next tick works again
    assert credentials.load(URL) == "new"


def test_a_broken_store_or_key_reads_as_not_remembered():
    credentials.save(URL, PASSWORD)
    credentials.key_path().write_bytes(b"short")
    assert credentials.load(URL) is None
    credentials.store_path().write_text("{not json")
    assert credentials.load(URL) is None
    credentials.forget(URL)  # nothing to forget in a broken store: no exception either
    credentials.save(URL, PASSWORD)
    assert credentials.load(URL) == PASSWORD


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_key_and_store_are_the_users_alone(state):
    credentials.save(URL, PASSWORD)
    assert credentials.key_path().parent == state
    assert len(credentials.key_path().read_bytes()) == 32
    for path in (credentials.key_path(), credentials.store_path()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # A key file someone made readable to others is taken back to the user alone on its next use.
    os.chmod(credentials.key_path(), 0o644)
    assert credentials.load(URL) == PASSWORD
    assert stat.S_IMODE(credentials.key_path().stat().st_mode) == 0o600


def test_forget():
    credentials.save(URL, PASSWORD)
    credentials.save(OTHER, "other")
    credentials.forget(URL)
    assert credentials.load(URL) is None
    assert credentials.load(OTHER) == "other"
    assert URL not in credentials.store_path().read_text()
    credentials.forget(URL)  # twice is harmless


def test_a_store_that_cannot_be_written_is_said_not_raised(state):
    state.parent.mkdir(exist_ok=True)
    state.write_text("a file where the folder should be")
    assert credentials.save(URL, PASSWORD) is False
    assert credentials.load(URL) is None


def test_windows_uses_dpapi_bound_to_the_address(monkeypatch):
    """DPAPI itself cannot run here; what is checked is that Windows goes through it, with the address as its
    extra entropy, and that its blob is never read by the other scheme (nor the other's by it)."""
    calls = []

    def fake(data: bytes, entropy: bytes, protect: bool) -> bytes | None:
        calls.append((protect, entropy))
        return bytes(b ^ 0x5A for b in data)

    monkeypatch.setattr(credentials.sys, "platform", "win32")
    monkeypatch.setattr(credentials, "_dpapi", fake)
    assert credentials.save(URL, PASSWORD)
    assert not credentials.key_path().exists()
    assert json.loads(credentials.store_path().read_text())["entries"][URL].startswith("dpapi:")
    assert credentials.load(URL) == PASSWORD
    assert calls == [(True, URL.encode()), (False, URL.encode())]
    monkeypatch.setattr(credentials.sys, "platform", "linux")
    assert credentials.load(URL) is None
