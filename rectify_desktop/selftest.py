"""Self-test (自检): `rectify-desktop self-test`, with no display, proves an installed program can do its work.

It makes the demo ledger in a temporary folder, verifies it, exports Excel, PDF, Word and the evidence zip and
reads each back, and checks what a frozen program most easily lacks: the bundled CJK font, Qt's print support
and image plugins, the SVG icon engine and Qt's Chinese translation. One line per check:

    ✓ 导出Excel（台账 29 行）
    ✗ 导出PDF：缺少模块 rectify_desktop.ui.printing

and a non-zero exit on any failure. The installers' build scripts run it against the frozen program before
packing. Each check is a small function in CHECKS: add one there. Everything is written inside the temporary
folder, which is removed afterwards; nothing touches the clerk's own data or settings.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAIL = 1

CJK = re.compile(r"[\u4e00-\u9fff]")
FONT_SUFFIXES = (".otf", ".ttf", ".ttc", ".otc")


class CheckFailed(Exception):
    """A check that ran and found something wrong; the message is the reason shown after "✗ name："."""


@dataclass
class Context:
    """What the checks share: the temporary folder, the demo ledger and, once open, its first inspection."""

    folder: Path
    ledger_path: Path | None = None
    ledger: Any = None  # rectify_desktop.core.ledger.Ledger, open read-only for the exports
    inspection_id: int | None = None
    items: int | None = None
    findings: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def need_ledger(self) -> int:
        """The inspection id, or a failure when the demo ledger could not be made or opened."""
        if self.ledger is None or self.inspection_id is None:
            raise CheckFailed("示例台账未能生成，无法进行此项检查")
        return self.inspection_id


def _prepare_environment() -> None:
    """Qt offscreen when there is no display: set before Qt is first imported, or it has no effect."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _qt_app() -> Any:
    """The one QApplication of the process (the exports to PDF and the font checks need it)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "rectify-desktop"])
    return app


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def _short(text: str, n: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _function(module: str, name: str) -> Callable[..., Any]:
    """`module.name`, imported now; a missing module or function is a failure that says which."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise CheckFailed(f"缺少模块 {exc.name or module}") from exc
    fn = getattr(mod, name, None)
    if fn is None:
        raise CheckFailed(f"模块 {module} 中没有 {name}")
    return fn


# --- the checks --------------------------------------------------------------------------------------
# Each takes the Context and returns the detail shown in brackets after its name, or raises.


def check_demo(ctx: Context) -> str:
    from rectify_desktop.core import stats
    from rectify_desktop.core.demo import make_demo
    from rectify_desktop.core.ledger import Ledger

    ctx.ledger_path = make_demo(ctx.folder / "示例台账.db")
    ctx.ledger = Ledger.open(ctx.ledger_path, readonly=True)
    inspections = ctx.ledger.inspections()
    if not inspections:
        raise CheckFailed("示例台账中没有巡察")
    ctx.inspection_id = int(inspections[0].id)
    s = stats.compute(ctx.inspection_id)
    ctx.items, ctx.findings = int(s.items), int(s.findings)
    if ctx.items <= 0:
        raise CheckFailed("示例台账中没有细化问题")
    return f"{ctx.findings} 个问题，{ctx.items} 项"


def check_verify(ctx: Context) -> str:
    from rectify_desktop.core.verify import verify_open_ledger

    ctx.need_ledger()
    problems = verify_open_ledger()
    if problems:
        raise CheckFailed(f"发现 {len(problems)} 个问题：{problems[0]}")
    return "完整性、外键、佐证文件哈希均无问题"


def _ledger_rows(sheet: Any) -> int:
    """Item rows of the ledger sheet: the rows under the header (序号 … 细化问题 …) whose 细化问题 is filled."""
    header_row = item_col = None
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 20)):
        values = [str(c.value).strip() if c.value is not None else "" for c in row]
        if "序号" in values and "细化问题" in values:
            header_row, item_col = row[0].row, values.index("细化问题")
            break
    if header_row is None or item_col is None:
        raise CheckFailed("台账工作表中找不到表头（序号、细化问题）")
    n = 0
    for values in sheet.iter_rows(min_row=header_row + 1, values_only=True):
        cell = values[item_col] if item_col < len(values) else None
        if cell is not None and str(cell).strip():
            n += 1
    return n


def check_excel(ctx: Context) -> str:
    export_workbook = _function("rectify_desktop.io.xlsx_export", "export_workbook")
    inspection = ctx.need_ledger()
    out = ctx.folder / "台账.xlsx"
    export_workbook(inspection, out)
    from openpyxl import load_workbook

    wb = load_workbook(out, read_only=False)
    try:
        rows = _ledger_rows(wb.worksheets[0])
    finally:
        wb.close()
    if rows != ctx.items:
        raise CheckFailed(f"台账工作表有 {rows} 行，应为 {ctx.items} 行")
    return f"台账 {rows} 行，{len(wb.sheetnames)} 个工作表，{_size(out.stat().st_size)}"


def check_excel_import(ctx: Context) -> str:
    parse_workbook = _function("rectify_desktop.io.xlsx_import", "parse_workbook")
    ctx.need_ledger()
    exported = ctx.folder / "台账.xlsx"
    if not exported.is_file():
        raise CheckFailed("没有导出的 Excel 台账可供导入")
    parsed = parse_workbook(exported)
    counts = parsed.counts()
    if counts.get("items") != ctx.items or counts.get("findings") != ctx.findings:
        got = f"{counts.get('findings')} 个问题、{counts.get('items')} 项"
        raise CheckFailed(f"读回 {got}，应为 {ctx.findings} 个问题、{ctx.items} 项")
    return f"读回导出的台账：{counts['findings']} 个问题，{counts['items']} 项"


def check_pdf(ctx: Context) -> str:
    write_pdf = _function("rectify_desktop.ui.printing", "write_pdf")
    inspection = ctx.need_ledger()
    _qt_app()
    out = ctx.folder / "台账.pdf"
    pages = write_pdf(inspection, out)
    data = out.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise CheckFailed("生成的文件不是 PDF（文件头不是 %PDF）")
    if len(data) < 1024:
        raise CheckFailed(f"PDF 只有 {len(data)} 字节")
    detail = f"{pages} 页，{_size(len(data))}"
    try:
        from pypdf import PdfReader
    except ImportError:
        # Without a PDF reader, at least the font must be embedded: Qt embeds only fonts that have a file.
        if b"/FontFile" not in data:
            raise CheckFailed("PDF 中没有嵌入字体，中文可能无法显示") from None
        return detail + "，已嵌入字体"
    reader = PdfReader(io.BytesIO(data))
    if isinstance(pages, int) and len(reader.pages) != pages:
        raise CheckFailed(f"PDF 有 {len(reader.pages)} 页，导出时报告 {pages} 页")
    text = reader.pages[0].extract_text() or ""
    if not CJK.search(text):
        raise CheckFailed("PDF 第一页中读不出中文文字（字体缺失？）")
    first = text.strip().splitlines()[0] if text.strip() else ""
    return detail + f"，含中文文字：{_short(first, 16)}"


def check_word(ctx: Context) -> str:
    write_docx = _function("rectify_desktop.io.notice", "write_docx")
    inspection = ctx.need_ledger()
    out = ctx.folder / "整改情况通报.docx"
    write_docx(inspection, out, "notice")
    from docx import Document

    doc = Document(str(out))
    paragraphs = [p.text.strip() for p in doc.paragraphs if p.text.strip()]
    if not paragraphs:
        raise CheckFailed("Word 文档中没有文字")
    headline = next((p for p in paragraphs if "细化为" in p), None)
    if headline is None:
        raise CheckFailed("Word 文档中找不到要点句（“……个问题细化为……”）")
    if ctx.items is not None and not re.search(rf"(?<!\d){ctx.items}(?!\d)", headline):
        raise CheckFailed(f"要点句中没有细化问题数 {ctx.items}：{_short(headline, 40)}")
    at = headline.find("细化为")
    sentence = headline[max(headline.rfind("。", 0, at), headline.rfind("，", 0, at - 12)) + 1 :]
    return f"{len(paragraphs)} 段，要点句：{_short(sentence, 30)}"


def check_zip(ctx: Context) -> str:
    export_zip = _function("rectify_desktop.io.evidence_zip", "export_zip")
    inspection = ctx.need_ledger()
    out = ctx.folder / "佐证材料.zip"
    export_zip(inspection, out)
    with zipfile.ZipFile(out) as zf:
        bad = zf.testzip()
        if bad is not None:
            raise CheckFailed(f"压缩包中的文件已损坏：{bad}")
        names = [n for n in zf.namelist() if not n.endswith("/")]
        index = next((n for n in names if n.rsplit("/", 1)[-1] == "目录.xlsx"), None)
        if index is None:
            raise CheckFailed("压缩包中没有目录.xlsx")
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(zf.read(index)), read_only=True)
        try:
            rows = [r for r in wb.worksheets[0].iter_rows(values_only=True) if any(v is not None for v in r)]
        finally:
            wb.close()
    if len(rows) < 2:
        raise CheckFailed("目录.xlsx 中没有列出文件")
    return f"{len(names)} 个文件，目录 {len(rows) - 1} 行，{_size(out.stat().st_size)}"


def _bundled_fonts() -> list[Path]:
    from importlib.resources import files

    folder = files("rectify_desktop.resources").joinpath("fonts")
    if not folder.is_dir():
        return []
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.lower().endswith(FONT_SUFFIXES))


def check_fonts(ctx: Context) -> str:
    _qt_app()
    from PySide6.QtGui import QFontDatabase

    fonts = _bundled_fonts()
    if not fonts:
        raise CheckFailed("resources/fonts 中没有字体文件")
    loaded: list[str] = []
    for path in fonts:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family):
                loaded.append(f"{family}，{path.name}")
    if not loaded:
        names = "、".join(p.name for p in fonts)
        raise CheckFailed(f"字体文件无法加载或不含简体中文：{names}")
    return "；".join(loaded)


def _plugin_dirs(kind: str) -> list[Path]:
    """Every folder `kind` (printsupport, imageformats …) where Qt looks for plugins in this process."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo

    roots = [QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath), *QCoreApplication.libraryPaths()]
    seen: list[Path] = []
    for root in roots:
        p = Path(root) / kind
        if p.is_dir() and p not in seen:
            seen.append(p)
    return seen


def check_print_support(ctx: Context) -> str:
    _qt_app()
    from PySide6.QtCore import QPluginLoader
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    via_printer = ctx.folder / "打印测试.pdf"
    printer.setOutputFileName(str(via_printer))
    painter = QPainter()
    if not painter.begin(printer):
        raise CheckFailed("QPrinter 无法开始打印")
    painter.drawText(100, 100, "打印测试")
    painter.end()
    writer_out = ctx.folder / "QPdfWriter测试.pdf"
    writer = QPdfWriter(str(writer_out))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter()
    if not painter.begin(writer):
        raise CheckFailed("QPdfWriter 无法开始写入")
    painter.drawText(100, 100, "打印测试")
    painter.end()
    del writer
    for out in (via_printer, writer_out):
        if not out.is_file() or not out.read_bytes().startswith(b"%PDF-"):
            raise CheckFailed(f"未能生成 {out.name}")
    printers = QPrinterInfo.availablePrinterNames()
    detail = f"QPrinter、QPdfWriter 可用，系统打印机 {len(printers)} 台"
    if sys.platform == "win32":
        return detail  # Qt 6 prints on Windows through QtPrintSupport itself: no plugin folder there
    dirs = _plugin_dirs("printsupport")
    plugins = [p for d in dirs for p in sorted(d.iterdir()) if p.is_file()]
    if not plugins:
        raise CheckFailed("找不到 Qt 打印插件目录 plugins/printsupport（无法连接打印机）")
    errors = []
    for plugin in plugins:
        loader = QPluginLoader(str(plugin))
        if loader.load():
            return detail + f"，打印插件 {plugin.name}"
        errors.append(f"{plugin.name}：{loader.errorString()}")
    raise CheckFailed("打印插件无法加载（" + "；".join(errors) + "）")


def check_image_plugins(ctx: Context) -> str:
    _qt_app()
    from PySide6.QtGui import QImageReader

    formats = {bytes(f.data()).decode().lower() for f in QImageReader.supportedImageFormats()}
    wanted = ["png", "jpeg", "gif", "bmp", "svg"]
    missing = [f for f in wanted if f not in formats]
    if missing:
        raise CheckFailed("缺少图片格式插件：" + "、".join(missing))
    return "、".join(wanted)


def check_icon(ctx: Context) -> str:
    _qt_app()
    from rectify_desktop.ui.app import app_icon

    pixmap = app_icon().pixmap(64, 64)
    if pixmap.isNull():
        raise CheckFailed("程序图标（SVG）无法显示：缺少 Qt 的 SVG 图标引擎插件？")
    image = pixmap.toImage()
    if all(image.pixelColor(x, y).alpha() == 0 for x in range(0, 64, 8) for y in range(0, 64, 8)):
        raise CheckFailed("程序图标画出来是空白的")
    return f"SVG，{pixmap.width()}×{pixmap.height()}"


def check_translation(ctx: Context) -> str:
    app = _qt_app()
    from PySide6.QtCore import QCoreApplication

    from rectify_desktop.ui.app import load_translations

    translators = load_translations(app)
    names = [Path(t.filePath()).name for t in translators]
    if not any(n.startswith("qtbase_zh_CN") for n in names):
        raise CheckFailed("找不到 Qt 的中文翻译 qtbase_zh_CN.qm（对话框按钮将显示英文）")
    cancel = QCoreApplication.translate("QPlatformTheme", "Cancel")
    for t in translators:
        app.removeTranslator(t)
    if cancel != "取消":
        raise CheckFailed(f"Qt 的中文翻译已加载但未生效（Cancel → {cancel}）")
    return "、".join(names) + "；Cancel → 取消"


def check_server_driver(ctx: Context) -> str:
    """The PostgreSQL driver for server ledgers (psycopg with its own libpq): no server is reached offline, but
    the driver must load and speak, or 连接服务器台账 would fail only when a clerk first tries it."""
    version_of = _function("psycopg.pq", "version")
    import psycopg
    from psycopg import pq

    from rectify_desktop.core import server

    address = server.ServerAddress.parse("postgresql://整改@127.0.0.1:5432/台账")
    if server.ServerAddress.parse(address.url()) != address:
        raise CheckFailed("服务器台账地址解析有误")
    if pq.__impl__ == "python":
        # The pure-Python fallback needs a libpq from the system, which an office PC does not have: the
        # installer ships psycopg's own (psycopg_binary), and it did not load.
        raise CheckFailed("PostgreSQL 驱动未能加载随附的 libpq（psycopg_binary），只能依赖系统的 libpq")
    version = version_of()
    return f"psycopg {psycopg.__version__}（{pq.__impl__}），libpq {version // 10000}.{version % 100}"


CHECKS: list[tuple[str, Callable[[Context], str]]] = [
    ("生成示例台账", check_demo),
    ("校验台账", check_verify),
    ("导出Excel", check_excel),
    ("导入Excel", check_excel_import),
    ("导出PDF", check_pdf),
    ("导出Word通报", check_word),
    ("导出佐证材料包", check_zip),
    ("随附中文字体", check_fonts),
    ("打印支持", check_print_support),
    ("图片格式", check_image_plugins),
    ("程序图标", check_icon),
    ("Qt中文翻译", check_translation),
    ("服务器台账驱动", check_server_driver),
]


# --- running -----------------------------------------------------------------------------------------


def _marks(stream: Any) -> tuple[str, str]:
    """✓ and ✗, or √ and × where the output cannot show them (a GBK console or a redirected pipe on Windows)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "✓✗".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "√", "×"
    return "✓", "✗"


def _say(stream: Any, line: str) -> None:
    if stream is None:  # a windowed program on Windows has no console: the exit code still tells
        return
    try:
        print(line, file=stream, flush=True)
    except UnicodeEncodeError:
        enc = getattr(stream, "encoding", None) or "ascii"
        print(line.encode(enc, "replace").decode(enc), file=stream, flush=True)


def run_checks(
    folder: Path,
    checks: Sequence[tuple[str, Callable[[Context], str]]] = CHECKS,
    stream: Any = None,
    verbose: bool = False,
) -> list[tuple[str, bool, str]]:
    """Runs `checks` in order in `folder`; returns (name, passed, detail or reason) for each, printing each line."""
    ok_mark, fail_mark = _marks(stream)
    ctx = Context(folder=folder)
    results: list[tuple[str, bool, str]] = []
    try:
        for name, check in checks:
            try:
                detail = check(ctx)
            except CheckFailed as exc:
                results.append((name, False, str(exc)))
                _say(stream, f"{fail_mark} {name}：{exc}")
            except Exception as exc:  # noqa: BLE001 - any error of a check is that check's failure, reported
                reason = f"{type(exc).__name__}: {exc}"
                results.append((name, False, reason))
                _say(stream, f"{fail_mark} {name}：{reason}")
                if verbose:
                    _say(stream, traceback.format_exc())
            else:
                results.append((name, True, detail))
                _say(stream, f"{ok_mark} {name}（{detail}）" if detail else f"{ok_mark} {name}")
    finally:
        if ctx.ledger is not None:
            with contextlib.suppress(Exception):
                ctx.ledger.close()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """`rectify-desktop self-test [--keep DIR] [-v]`: exit 0 only when every check passes."""
    parser = argparse.ArgumentParser(prog="rectify-desktop self-test", description="自检：无需显示器")
    parser.add_argument("--keep", metavar="DIR", help="把生成的文件留在该文件夹中（默认用临时文件夹并在结束后删除）")
    parser.add_argument("-v", "--verbose", action="store_true", help="失败时显示详细的错误信息")
    args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])
    _prepare_environment()
    from rectify_desktop import __version__

    stream = sys.stdout
    if sys.platform == "win32" and stream is not None and not stream.isatty():
        # A pipe or a file on Windows would get the ANSI code page, which has no ✓ and, on an English system,
        # no Chinese: UTF-8, as CI logs and today's Notepad read it.
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(encoding="utf-8", errors="replace")
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
        cleanup = None
    else:
        folder = Path(tempfile.mkdtemp(prefix="rectify-selftest-"))
        cleanup = folder
    # Whatever the program would remember (print choices, recent files) stays inside the test folder.
    names = ("RECTIFY_DESKTOP_CONFIG_DIR", "RECTIFY_DESKTOP_DATA_DIR", "RECTIFY_DESKTOP_STATE_DIR")
    saved = {k: os.environ.get(k) for k in names}
    os.environ["RECTIFY_DESKTOP_CONFIG_DIR"] = str(folder / "config")
    os.environ["RECTIFY_DESKTOP_DATA_DIR"] = str(folder / "data")
    os.environ["RECTIFY_DESKTOP_STATE_DIR"] = str(folder / "state")
    frozen = "（安装版）" if getattr(sys, "frozen", False) else ""
    _say(stream, f"整改台账 {__version__} 自检{frozen}：{sys.platform}，Python {sys.version.split()[0]}")
    try:
        results = run_checks(folder, CHECKS, stream, args.verbose)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)
    failed = [r for r in results if not r[1]]
    if failed:
        _say(stream, f"自检未通过：{len(failed)} 项失败，共 {len(results)} 项")
        return EXIT_FAIL
    _say(stream, f"自检通过：共 {len(results)} 项")
    return EXIT_OK


def command(args: argparse.Namespace) -> int:
    """The handler for cli.COMMANDS["self-test"] (its parser may give --keep DIR and -v)."""
    argv = ["--keep", str(args.keep)] if getattr(args, "keep", None) else []
    return main(argv + (["-v"] if getattr(args, "verbose", False) else []))


if __name__ == "__main__":
    sys.exit(main())
