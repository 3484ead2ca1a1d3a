"""Reading a .txt file for 从文本导入: its encoding found (UTF-8, UTF-16, GB18030/GBK), a binary, empty or
too large file refused with a message in Chinese."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from rectify_desktop.core.storage import LedgerError

MAX_BYTES = 50 * 2**20


class TextImportError(LedgerError):
    """A file that cannot be read as a feedback or notice text; the message is for the clerk."""


def read_text_file(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a .txt file in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.

    Refuses, with a Chinese message, a missing, empty, too large or binary file.
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise TextImportError(f"这是一个文件夹，不是文本文件：{p}")
        size = p.stat().st_size
        if size > max_bytes:
            raise TextImportError(
                f"文件太大（{size / 2**20:.1f} MB，上限 {max_bytes / 2**20:g} MB），"
                f"不像是反馈意见或通报的文本：{p.name}"
            )
        with p.open("rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise TextImportError(f"文件不存在：{p}") from exc
    except OSError as exc:
        raise TextImportError(f"无法读取文件：{p}（{exc.strerror or exc}）") from exc
    if len(data) > max_bytes:
        raise TextImportError(f"文件太大（超过 {max_bytes / 2**20:g} MB），不像是反馈意见或通报的文本：{p.name}")
    return decode_text(data, p.name)


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "这是Word（.docx）、Excel或压缩文件，不是纯文本"),
    (b"%PDF", "这是PDF文件，不是纯文本"),
    (b"\xd0\xcf\x11\xe0", "这是旧版Word（.doc）或Excel（.xls）文件，不是纯文本"),
    (b"{\\rtf", "这是RTF格式的文档，不是纯文本"),
)
_HOW_TO = "请在Word或WPS中“另存为”纯文本（.txt），或复制其中的文字粘贴到“从文本导入”窗口"


def decode_text(data: bytes, name: str = "文件") -> str:
    """Decodes the bytes of a text file, detecting its encoding; refuses binary data."""
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise TextImportError(f"{what}：{name}。{_HOW_TO}。")
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        raise TextImportError(f"文件含有二进制内容，不是文本文件：{name}")
    else:
        candidates = ["utf-8", "gb18030"]
    text = None
    for enc in candidates:
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise TextImportError(f"无法识别文件的编码（不是UTF-8，也不是GBK/GB18030），可能不是文本文件：{name}")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise TextImportError(f"文件是空的：{name}")
    if _looks_binary(text):
        raise TextImportError(f"文件内容不像文字（含有大量控制字符或无法显示的字符），可能不是文本文件：{name}")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:200_000]
    odd = 0
    for ch in sample:
        if ch in "\t\n\r\f\v":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Co", "Cn", "Cs") or ch == "\ufffd":
            odd += 1
    return odd > max(3, len(sample) // 100)
