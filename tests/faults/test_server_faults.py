"""A server ledger's copies meet the same faults as files (issue 18): a pull onto a read-only place says so in
the clerk's words and leaves nothing there; so does a new ledger file there."""

from __future__ import annotations

from pathlib import Path

import pytest

from rectify_desktop.core import server, storage, transfer
from rectify_desktop.core.ledger import Ledger


def test_a_pull_onto_a_read_only_place_says_so_and_leaves_nothing(
    pg_url: str, demo_path: Path, tmp_path: Path, read_only_folder
) -> None:  # noqa: ANN001
    address = server.ServerAddress.parse(pg_url)
    transfer.push(demo_path, address)
    (tmp_path / "stick").mkdir()
    ro = read_only_folder(tmp_path / "stick")
    with pytest.raises(storage.LedgerError, match="只读"):
        transfer.pull(address, ro / "副本.db")
    with pytest.raises(storage.LedgerError, match="只读"):
        Ledger.create(ro / "新台账.db")
    assert list(ro.iterdir()) == []
