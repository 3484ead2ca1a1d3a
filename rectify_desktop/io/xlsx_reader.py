"""Reading an .xlsx workbook safely (读取工作簿): checked by its content before it is parsed, then streamed
with bounds on rows, merged ranges, XML elements and cell length, so that no file can exhaust the machine.

What the rows mean is xlsx_import's business; this module only turns the file into sheets of cell values, or
refuses it with a Chinese message (XlsxImportError) that says what is wrong and what to do.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rectify_desktop.core.storage import LedgerError

MAX_BYTES = 50 * 1024 * 1024  # a ledger with 10,000 items is under 1 MB
MAX_ROWS = 100_000  # rows with content in one sheet; as many empty rows are read, then reading stops
MAX_UNZIPPED_FACTOR = 20  # the parts of the workbook together may unpack to 20 × MAX_BYTES, no more
MAX_COLUMNS = 200  # columns read; a ledger has about 14
HEADER_ROWS = 20  # the header is looked for in the first rows of a sheet
# Merged ranges, clipped to the rows and columns that hold values, may cover this many cells in all: a
# 10,000-item ledger merges well under 100,000. 2,000 merges across A:XFD once took 35 s and all memory.
MAX_MERGED_CELLS = 1_000_000
MAX_MERGES = 200_000  # merged ranges listed in one sheet
MAX_ELEMENTS = 10_000_000  # XML elements read from one sheet (a 100,000-row ledger has about 5 million)
MAX_CELL_ELEMENTS = 10_000  # elements inside one cell (rich-text runs)
CELL_MAX = 1_000_000  # characters read from one cell; the fields themselves take far fewer (commands.TEXT_MAX)

SAVE_AS = "请在 Excel/WPS 中另存为 .xlsx 后再导入"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class XlsxImportError(LedgerError):
    """The file cannot be imported; the message says what is wrong and what to do, in Chinese."""


# --- reading the workbook --------------------------------------------------------------------------


@dataclass
class Sheet:
    """The values of one worksheet: cells[row][column] (1-based, empty cells left out) and merged ranges."""

    name: str
    cells: dict[int, dict[int, Any]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    notes: list[str] = field(default_factory=list)  # what reading left out (a cell cut, rows past a limit)


def _check_container(path: Path, max_bytes: int) -> None:
    """Refuses what is not an .xlsx before any XML is parsed, with a message saying what to do."""
    if not path.exists():
        raise XlsxImportError(f"找不到要导入的文件：{path}")
    if path.is_dir():
        raise XlsxImportError(f"这是一个文件夹，不是 Excel 文件：{path}")
    size = path.stat().st_size
    if size == 0:
        raise XlsxImportError(f"文件是空的（0 字节），没有可导入的内容：{path.name}。请检查是否选对了文件。")
    if size > max_bytes:
        raise XlsxImportError(
            f"文件太大（{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB），不像是整改台账：{path.name}。"
            "请检查是否选对了文件；如确为台账，请删除其中的图片后另存为 .xlsx 再导入。"
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            if head == OLE_MAGIC:
                encrypted = "EncryptionInfo".encode("utf-16-le") in fh.read()
    except OSError as exc:
        raise XlsxImportError(f"无法读取文件：{path}（{exc.strerror or exc}）") from exc
    if head == OLE_MAGIC:
        if encrypted:
            raise XlsxImportError(
                f"该文件设置了打开密码（已加密），程序无法读取：{path.name}。"
                "请在 Excel/WPS 中输入密码打开，取消密码后另存为 .xlsx 再导入。"
            )
        raise XlsxImportError(f"该文件是旧版 Excel 97-2003 格式（.xls），不能直接导入：{path.name}。{SAVE_AS}。")
    if not head.startswith(ZIP_MAGIC):
        raise XlsxImportError(
            f"该文件不是 Excel 工作簿（.xlsx），可能是 CSV、网页或其他文件改了后缀名：{path.name}。"
            "请用 Excel/WPS 打开它，另存为 .xlsx 后再导入。"
        )
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            unpacked = sum(i.file_size for i in infos)
            if "EncryptedPackage" in names:
                raise XlsxImportError(
                    f"该文件设置了打开密码（已加密），程序无法读取：{path.name}。请取消密码后再导入。"
                )
            dtd = _declares_dtd(z, infos) if unpacked <= MAX_UNZIPPED_FACTOR * max_bytes else None
    except XlsxImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib.error, EOFError …: all mean a broken container
        raise XlsxImportError(
            f"文件不完整或已损坏（可能拷贝或下载时中断）：{path.name}。"
            f"请重新拷贝原文件；如能在 Excel/WPS 中打开，请另存为 .xlsx 后再导入。（{_detail(exc)}）"
        ) from exc
    if dtd:
        # Excel and WPS never write a DTD; one in a workbook is there to expand entities or reach files.
        raise XlsxImportError(
            f"文件中含有不安全的 XML 内容（实体或文档类型声明），已拒绝读取：{path.name}。"
            f"{SAVE_AS}（{dtd}: <!DOCTYPE>）"
        )
    if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
        kind = "Word 文档" if "word/document.xml" in names else "压缩包或其他文档"
        raise XlsxImportError(f"该文件是{kind}，不是 Excel 工作簿：{path.name}。请选择 .xlsx 格式的台账文件。")
    if unpacked > MAX_UNZIPPED_FACTOR * max_bytes:
        raise XlsxImportError(
            f"文件解压后超过 {MAX_UNZIPPED_FACTOR * max_bytes / 1048576:.0f} MB，不像是整改台账，"
            f"已拒绝读取：{path.name}。"
        )


_DTD_MARKS = tuple(m for w in ("<!DOCTYPE", "<!ENTITY") for m in (w.encode(), w.encode("utf-16-le")))


def _declares_dtd(z: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str | None:
    """The first XML part that opens with a DTD (a DOCTYPE comes before the root element, so the part's
    first bytes tell), or None."""
    for info in infos[:5000]:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        with z.open(info) as fh:
            head = fh.read(8192)
        if any(m in head for m in _DTD_MARKS):
            return info.filename
    return None


def _detail(exc: BaseException) -> str:
    """The technical detail of an error for the brackets after the message: never empty."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _unreadable(path: Path, exc: BaseException) -> XlsxImportError:
    """An error of the reader told in Chinese, what it means first; the library's words only in brackets."""
    name = type(exc).__name__
    text = str(exc)
    detail = _detail(exc)
    if isinstance(exc, MemoryError):
        return XlsxImportError(
            f"内存不足，无法读取该 Excel 文件：{path.name}。文件中的内容过多，不像是整改台账；"
            f"请检查是否选对了文件，或删去无关的内容后另存为 .xlsx 再导入（{detail}）"
        )
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError") or (
        "amplification" in text or "entity" in text.lower()
    ):
        return XlsxImportError(f"文件中含有不安全的 XML 内容，已拒绝读取：{path.name}。{SAVE_AS}（{detail}）")
    if isinstance(exc, zipfile.BadZipFile) or "CRC" in text:
        return XlsxImportError(f"文件不完整或已损坏：{path.name}。请重新拷贝原文件后再导入（{detail}）")
    if isinstance(exc, KeyError) and "no item named" in text:
        what = "工作簿缺少必要的组成部分，文件可能已损坏"
    elif isinstance(exc, ValueError) and ("invalid literal" in text or "could not convert" in text):
        what = "工作簿中有格式不正确的数字，文件可能已损坏"
    elif isinstance(exc, (IndexError, KeyError)):
        what = "工作簿内部的引用有误，文件可能已损坏"
    elif name in ("ParseError", "XMLSyntaxError", "ExpatError") or "syntax" in text.lower():
        what = "工作簿中的 XML 内容不完整或有误，文件可能已损坏"
    elif name == "InvalidFileException":
        what = "无法识别文件的格式"
    else:
        what = "文件内容无法识别"
    return XlsxImportError(f"无法读取该 Excel 文件：{path.name}。{what}，{SAVE_AS}（{detail}）")


class Workbook:
    """An open workbook: its sheet names, and each sheet's values read on demand (cached values, data_only).

    openpyxl reads the workbook's parts (sheet list, shared strings, styles) as in its read-only mode; each
    sheet's XML is then parsed by openpyxl's XML parser (defusedxml's when it is installed) into plain values,
    without a cell object per value, together with the merged ranges that read-only sheets do not expose.
    openpyxl's own read-only loader is not used: for a sheet without a <dimension> element (any sheet written
    by openpyxl's write-only mode, such as our export) it parses the whole sheet once more just to size it.
    For a 10,000-item ledger this reads in half the time openpyxl's read-only rows take, and in a quarter of
    its ordinary mode. When the openpyxl in use lacks those parts, the workbook is opened in openpyxl's
    ordinary mode instead (public API, slower, same values; the tests compare both).
    """

    def __init__(self, path: Path, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> None:
        _check_container(path, max_bytes)
        self.path = path
        self.max_rows = max_rows
        self._archive: Any = None
        self._full: Any = None
        self._fh: Any = None
        self._parts: dict[str, str] = {}  # sheet name → its XML part in the archive
        self.names: list[str] = []
        self.hidden: set[str] = set()
        try:
            # openpyxl judges a file by its name (.xls, .et refused in English); the container was checked
            # by its content above, so it is given the open file, whatever the name.
            self._fh = path.open("rb")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns of every extension it does not read
                if FAST_READER and self._open_parts():
                    return
                self._open_full()
        except XlsxImportError:
            self.close()
            raise
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds; all mean "cannot read"
            self.close()
            raise _unreadable(path, exc) from exc

    def _open_parts(self) -> bool:
        """Reads the workbook's parts the way openpyxl's loader does; False when this openpyxl differs."""
        try:
            from openpyxl.reader.excel import ExcelReader
            from openpyxl.styles.stylesheet import apply_stylesheet

            reader = ExcelReader(self._fh, read_only=True, data_only=True)
            steps = (reader.read_manifest, reader.read_strings, reader.read_workbook)
            find_sheets = reader.parser.find_sheets if hasattr(reader, "parser") else None
        except (ImportError, AttributeError, TypeError):
            return False
        self._archive = reader.archive
        for step in steps:
            step()
        apply_stylesheet(reader.archive, reader.wb)
        try:
            self._shared = reader.shared_strings
            self._date_styles = set(reader.wb._date_formats)
            self._epoch = reader.wb.epoch
            sheets = list(reader.parser.find_sheets() if find_sheets is None else find_sheets())
            valid = set(reader.valid_files)
        except (AttributeError, TypeError):
            self._archive.close()
            self._archive = None
            return False
        missing = []
        for sheet, rel in sheets:
            if "chartsheet" in (rel.Type or ""):
                continue
            if rel.target not in valid:
                missing.append((sheet.name, rel.target))
                continue
            self._parts[sheet.name] = rel.target
            self.names.append(sheet.name)
            if (sheet.state or "visible") != "visible":
                self.hidden.add(sheet.name)
        if missing and not self.names:
            name, target = missing[0]
            raise XlsxImportError(
                f"文件不完整或已损坏：工作表“{name}”的内容不在文件中，无法读取：{self.path.name}。"
                f"请重新拷贝原文件；如能在 Excel/WPS 中打开，请另存为 .xlsx 后再导入（缺少 {target}）"
            )
        return True

    def _open_full(self) -> None:
        import openpyxl

        self._full = openpyxl.load_workbook(self._fh, data_only=True)
        self.names = [ws.title for ws in self._full.worksheets]
        self.hidden = {ws.title for ws in self._full.worksheets if ws.sheet_state != "visible"}

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None
        if self._full is not None:
            self._full.close()
            self._full = None
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sheet(self, name: str, first_rows: int | None = None) -> Sheet:
        """The sheet's values; with first_rows, only that many rows (for a look at the header)."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if self._full is not None:
                    return self._read_full(name, first_rows)
                return self._read_part(name, first_rows)
        except XlsxImportError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _unreadable(self.path, exc) from exc

    def _too_many_rows(self, name: str) -> XlsxImportError:
        return XlsxImportError(
            f"工作表“{name}”有内容的行超过 {self.max_rows} 行，不像是整改台账，已停止读取：{self.path.name}。"
            "请检查是否选对了文件，或删去无关的行后再导入。"
        )

    def _clip_merges(self, sheet: Sheet, merges: list[tuple[int, int, int, int]]) -> None:
        """Keeps the merged ranges within the rows and columns that hold values, and refuses a sheet whose
        merges would still cover more than MAX_MERGED_CELLS cells (each is filled from its top cell)."""
        if not sheet.cells:
            return
        last_row = max(sheet.cells)
        last_col = min(MAX_COLUMNS, max(max(row) for row in sheet.cells.values()))
        covered = 0
        for r1, c1, r2, c2 in merges:
            if r1 > last_row or c1 > last_col or r2 < r1 or c2 < c1:
                continue
            r2, c2 = min(r2, last_row), min(c2, last_col)
            covered += (r2 - r1 + 1) * (c2 - c1 + 1)
            if covered > MAX_MERGED_CELLS:
                raise XlsxImportError(
                    f"无法读取该 Excel 文件：工作表“{sheet.name}”的合并单元格过多（展开后超过 {MAX_MERGED_CELLS} 个"
                    f"单元格），不像是整改台账：{self.path.name}。请取消不需要的合并单元格，另存为 .xlsx 后再导入。"
                )
            sheet.merges.append((r1, c1, r2, c2))

    def _read_part(self, name: str, first_rows: int | None) -> Sheet:
        """Streams the sheet's XML: each element is dropped once read, so that memory stays the size of one
        row however many rows (or empty rows) the file holds; reading stops at the limits and says so."""
        from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
        from openpyxl.utils.datetime import from_excel, from_ISO8601
        from openpyxl.xml.constants import SHEET_MAIN_NS
        from openpyxl.xml.functions import iterparse  # defusedxml's when it is installed

        ns = "{" + SHEET_MAIN_NS + "}"
        row_tag, c_tag, v_tag, is_tag = ns + "row", ns + "c", ns + "v", ns + "is"
        t_tag, r_tag, merge_tag = ns + "t", ns + "r", ns + "mergeCell"
        shared = self._shared
        date_styles = self._date_styles
        epoch = self._epoch
        sheet = Sheet(name)
        cells = sheet.cells
        merges: list[tuple[int, int, int, int]] = []
        filled = empty = elements = in_cell = 0
        row_no = 0
        col = 0
        values: dict[int, Any] = {}
        open_: list[Any] = []  # the elements being read, outermost first
        cell: Any = None  # the cell being read: its content is kept until it ends

        def value_of(c: Any) -> Any:
            t = c.get("t", "n")
            if t == "inlineStr":
                inline = c.find(is_tag)
                if inline is None:
                    return None
                return "".join(
                    (x.text or "") if x.tag == t_tag else (x.findtext(t_tag) or "")
                    for x in inline
                    if x.tag in (t_tag, r_tag)
                )
            text = c.findtext(v_tag)
            if text is None or text == "":
                return None
            if t == "s":
                value = shared[int(text)]
                return str(value) if not isinstance(value, str) else value
            if t == "n":
                value = float(text) if any(ch in text for ch in ".eE") else int(text)
                s = c.get("s")
                if s and int(s) in date_styles:
                    try:
                        value = from_excel(value, epoch)
                    except (OverflowError, ValueError):
                        pass
                return value
            if t == "b":
                return text == "1"
            if t == "d":
                return from_ISO8601(text)
            return text  # str (a formula's text), e (an error such as #N/A)

        with self._archive.open(self._parts[name]) as src:
            for event, el in iterparse(src, events=("start", "end")):
                if event == "start":
                    elements += 1
                    if cell is not None:
                        in_cell += 1
                        if in_cell > MAX_CELL_ELEMENTS:
                            raise XlsxImportError(
                                f"无法读取该 Excel 文件：工作表“{name}”第{row_no}行有一个单元格的内容结构异常（超过 "
                                f"{MAX_CELL_ELEMENTS} 个 XML 元素），不像是整改台账：{self.path.name}。{SAVE_AS}。"
                            )
                    elif el.tag == c_tag:
                        cell, in_cell = el, 0
                    elif el.tag == row_tag:
                        r = el.get("r")
                        row_no = int(r) if r else row_no + 1
                        col = 0
                        values = {}
                    if elements > MAX_ELEMENTS:
                        sheet.notes.append(
                            f"{name}!第{row_no}行：工作表的内容超过 {MAX_ELEMENTS} 个 XML 元素，不像是整改台账，"
                            "已停止读取，此处以后的内容没有导入，请核对"
                        )
                        break
                    open_.append(el)
                    continue
                open_.pop()
                tag = el.tag
                if el is cell:
                    cell = None
                    ref = el.get("r")
                    col = column_index_from_string(ref.rstrip("0123456789")) if ref else col + 1
                    if col <= MAX_COLUMNS:
                        value = value_of(el)
                        if type(value) is str and len(value) > CELL_MAX:
                            sheet.notes.append(
                                f"{name}!第{row_no}行 {get_column_letter(col)}列：单元格有 {len(value)} 字，"
                                f"超过 {CELL_MAX} 字，只读取了前 {CELL_MAX} 字"
                            )
                            value = value[:CELL_MAX]
                        if value is not None and value != "":
                            values[col] = value
                elif cell is not None:
                    continue  # a part of the cell (its value, a rich-text run): read when the cell ends
                elif tag == row_tag:
                    if values:
                        cells[row_no] = values
                        filled += 1
                        if filled > self.max_rows:
                            raise self._too_many_rows(name)
                    else:
                        empty += 1
                        if empty > self.max_rows:
                            sheet.notes.append(
                                f"{name}!第{row_no}行：工作表的空行超过 {self.max_rows} 行，不像是整改台账，"
                                "已停止读取，此处以后的内容（包括合并单元格）没有导入，请核对"
                            )
                            break
                    values = {}
                    if first_rows is not None and row_no >= first_rows:
                        break
                elif tag == merge_tag:
                    ref = el.get("ref")
                    if ref and ":" in ref:
                        min_col, min_row, max_col, max_row = range_boundaries(ref)
                        merges.append((min_row, min_col, max_row, max_col))
                        if len(merges) > MAX_MERGES:
                            raise XlsxImportError(
                                f"无法读取该 Excel 文件：工作表“{name}”的合并单元格过多（超过 {MAX_MERGES} 处），"
                                f"不像是整改台账：{self.path.name}。请取消不需要的合并单元格，另存为 .xlsx 后再导入。"
                            )
                # Read: let it go, so that nothing read stays in memory (the parser's tree would keep it).
                el.clear()
                if open_:
                    open_[-1].remove(el)
        self._clip_merges(sheet, merges)
        return sheet

    def _read_full(self, name: str, first_rows: int | None) -> Sheet:
        """The same through openpyxl's public API, in its ordinary (not read-only) mode."""
        ws = self._full[name]
        sheet = Sheet(name)
        filled = 0
        for row in ws.iter_rows(max_col=min(ws.max_column, MAX_COLUMNS)):
            values = {c.column: c.value for c in row if c.value is not None and c.value != ""}
            if values:
                sheet.cells[row[0].row] = values
                filled += 1
                if filled > self.max_rows:
                    raise self._too_many_rows(name)
            if first_rows is not None and row[0].row >= first_rows:
                break
        ranges = [(rng.min_row, rng.min_col, rng.max_row, rng.max_col) for rng in ws.merged_cells.ranges]
        self._clip_merges(sheet, ranges)
        return sheet


# Tests set this to False to check that openpyxl's ordinary mode gives the same sheets.
FAST_READER = True
