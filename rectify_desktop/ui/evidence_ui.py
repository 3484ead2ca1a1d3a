"""Evidence in the window (佐证材料): adding files, opening, saving, replacing and removing them, thumbnails,
and the evidence package (导出佐证材料包).

How a large file is added without freezing the window. Every add is one core command (AddEvidence, several
in one commands.Batch, or ReplaceEvidenceFile) pushed through the panel's bridge, so it runs in the ledger's
one transaction: a failure or a cancel at any point rolls everything back, the ledger is exactly as before,
and the whole add is one undo step. The command reads the file a chunk (1 MB) at a time, hashing it once and
storing it once; between chunks its progress callback updates a QProgressDialog and lets Qt process events,
so the window repaints and the dialog's 取消 stays live. Cancelling raises :class:`Cancelled` from the
callback, which rolls the transaction back. While the transaction is open nothing else may write to the
ledger: the dialog is application-modal (no click, key or shortcut reaches the window), the form's pending
text is committed before the add starts, and the panel counts as loading (``EditPanel.loading_fields``) so
that no form field commits during it. The WAL checkpoint of a large add runs after it in a background thread
(``evidence.deferred_checkpoint``), so the commit does not hold the window for as long again.

Memory stays flat: at most a chunk of the file is in Python at a time, and SQLite spills the transaction's
pages to the WAL file as its cache fills. A thread would not be simpler: the one connection and its
transaction belong to the window's thread, and a second writer would wait for the first anyway.

Opened files are written to a private temporary folder (tempfile.mkdtemp), read-only so that no one edits a
copy believing it is the ledger's, and the folder goes when the ledger closes (:func:`cleanup_temp`, which the
window calls) or the program exits.
"""

from __future__ import annotations

import atexit
import collections
import errno
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QRectF, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QImageReader, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QWidget

from rectify_desktop.core import evidence, ops, outfile
from rectify_desktop.core.commands import Batch, Command
from rectify_desktop.core.evidence import AddEvidence, EvidenceError, ReplaceEvidenceFile
from rectify_desktop.core.models import Evidence
from rectify_desktop.ui.dialogs import confirm

if TYPE_CHECKING:  # the panel imports this module
    from rectify_desktop.ui.forms import EditPanel
    from rectify_desktop.ui.host import WindowHost

# Adds and copies smaller than this run without a progress dialog: they take a blink.
PROGRESS_MIN_BYTES = 4 << 20
# Let the window process events at least this often while storing (seconds).
EVENT_INTERVAL = 0.05
THUMB_SIZE = 40
THUMB_MAX_BYTES = 32 << 20
NO_FILE_TEXT = "未附文件"
NO_CHANGE = "台账未作任何改动。"


class Cancelled(Exception):
    """The clerk pressed 取消; raised from a progress callback to roll the work back."""


# --- progress ------------------------------------------------------------------------------------


class ByteProgress:
    """A cancelable progress dialog over bytes, for work done in the window's thread between chunks.

    Shown at once (and application-modal) when the work is large enough to need it; otherwise it shows
    nothing and never processes events, so that small adds stay a single step.
    """

    STEPS = 1000

    def __init__(self, parent: QWidget | None, title: str, total: int, *, cancel: str = "取消") -> None:
        self.total = max(1, total)
        self.dialog: QProgressDialog | None = None
        self._last = 0.0
        self._value = -1
        self._label = ""
        if total >= PROGRESS_MIN_BYTES:
            d = QProgressDialog("", cancel, 0, self.STEPS, parent)
            d.setObjectName("evidence.progress")
            d.setWindowTitle(title)
            d.setWindowModality(Qt.WindowModality.ApplicationModal)
            d.setMinimumDuration(0)
            d.setAutoClose(False)
            d.setAutoReset(False)
            d.setMinimumWidth(440)
            d.setValue(0)
            d.show()
            self.dialog = d
            QApplication.processEvents()

    def set_label(self, text: str) -> None:
        """The line above the bar; shown at the next report that updates the dialog."""
        self._label = text

    def report(self, done: int) -> None:
        """Shows `done` bytes of the total and lets the window process events, about 20 times a second
        (each chunk would repaint the dialog for nothing); raises Cancelled when the clerk cancelled."""
        d = self.dialog
        if d is None:
            return
        value = min(self.STEPS, done * self.STEPS // self.total)
        now = time.monotonic()
        if now - self._last < EVENT_INTERVAL and value < self.STEPS:
            return
        self._last = now
        if self._label != d.labelText():
            d.setLabelText(self._label)
        if value != self._value:
            self._value = value
            d.setValue(value)  # a modal dialog processes events here …
        QApplication.processEvents()  # … and here, even when the value did not move
        if d.wasCanceled():
            raise Cancelled

    def finishing(self, text: str) -> None:
        """The last step cannot be cancelled any more (the commit): says so and takes the button away."""
        if self.dialog is not None:
            self._label = text
            self.dialog.setLabelText(text)
            self.dialog.setCancelButton(None)  # type: ignore[arg-type]
            QApplication.processEvents()

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.0f} MB" if n >= 1 << 20 else evidence.size_text(n)


# --- checking and adding files -------------------------------------------------------------------


def local_paths(mime: QMimeData) -> list[Path]:
    """The local files (and folders) of a drag, in their order, without repeats."""
    if not mime.hasUrls():
        return []
    out: list[Path] = []
    for url in mime.urls():
        if url.isLocalFile() and url.toLocalFile():
            p = Path(url.toLocalFile())
            if p not in out:
                out.append(p)
    return out


def _limit(panel: EditPanel) -> int:
    return evidence.max_bytes(panel.ledger.setting(evidence.MAX_MB_SETTING, str(evidence.DEFAULT_MAX_MB)))


def _checked(parent: QWidget, paths: list[Path], limit: int, title: str) -> list[tuple[Path, int]]:
    """The paths that can be stored, with their sizes. Those that cannot are named in one message; when
    some can, the clerk chooses whether to add those."""
    good: list[tuple[Path, int]] = []
    problems: list[str] = []
    for p in paths:
        try:
            good.append((p, evidence.check_file(p, limit)))
        except EvidenceError as exc:
            problems.append(str(exc))
    if problems and not good:
        QMessageBox.warning(parent, title, "\n\n".join(problems) + f"\n\n{NO_CHANGE}")
        return []
    if problems:
        text = "\n\n".join(problems) + f"\n\n是否只添加其余 {len(good)} 个文件？"
        if not confirm(parent, title, text):
            return []
    return good


def _push(panel: EditPanel, command: Command) -> Exception | None:
    """Pushes through the panel's bridge; returns the exception the ledger refused it with, if any."""
    bridge = panel.bridge
    caught: list[Exception] = []
    old = bridge.on_error
    bridge.on_error = caught.append
    try:
        ok = panel.push(command)
    finally:
        bridge.on_error = old
    if caught:
        return caught[0]
    return None if ok else RuntimeError("台账以只读方式打开，不能修改")


def store(
    parent: QWidget,
    panel: EditPanel,
    steps: list[tuple[AddEvidence | ReplaceEvidenceFile, int]],
    command: Command,
    title: str,
) -> bool:
    """Pushes `command`, whose `steps` store files of the given sizes, with progress. On failure or cancel
    the ledger is as before; a failure is explained in Chinese. Returns whether the files are in."""
    total = 2 * sum(size for _, size in steps)
    panel.commit_pending()
    progress = ByteProgress(parent, title, total)
    base = 0
    for i, (step, size) in enumerate(steps):
        name = step.path.name
        where = f"（第 {i + 1} 个，共 {len(steps)} 个）" if len(steps) > 1 else ""

        def hashing(done: int, _total: int, base: int = base, name: str = name, where: str = where) -> None:
            progress.set_label(f"正在读取并校验：“{name}”{where}…")
            progress.report(base + done)

        def storing(done: int, size: int, base: int = base, name: str = name, where: str = where) -> None:
            progress.set_label(f"正在存入台账：“{name}”{where}（{_mb(size)}）…")
            progress.report(base + size + done)
            if base + size + done >= total:
                progress.finishing("正在写入台账文件，请稍候…")

        step.hash_progress = hashing
        step.progress = storing
        base += 2 * size
    try:
        with panel.loading_fields(), evidence.deferred_checkpoint(total // 2):
            error = _push(panel, command)
    finally:
        progress.close()
        for step, _ in steps:
            step.hash_progress = step.progress = None  # redo must not call back into a closed dialog
    if error is None:
        return True
    if isinstance(error, Cancelled):
        _status(parent, f"已取消，{NO_CHANGE}")
        return False
    QMessageBox.critical(parent, title + "失败", f"{evidence.describe_error(error)}\n\n{NO_CHANGE}")
    return False


def add_files(
    parent: QWidget,
    panel: EditPanel,
    item_id: int,
    paths: list[Path],
    measure_id: int | None = None,
) -> list[int]:
    """Adds files to an item (or one of its measures) as one undo step; returns the new evidence ids."""
    title = "添加佐证材料"
    if panel.readonly or not paths:
        return []
    limit = _limit(panel)
    good = _checked(parent, paths, limit, title)
    good = _without_unwanted_copies(parent, item_id, good, title)
    if not good:
        return []
    steps = [
        (AddEvidence(item_id, p, measure_id, max_bytes=limit, **evidence.default_values(p)), size) for p, size in good
    ]
    command: Command = (
        steps[0][0] if len(steps) == 1 else Batch(f"添加佐证材料（{len(steps)}个文件）", [s for s, _ in steps])
    )
    if not store(parent, panel, steps, command, title):
        return []
    ids = [s.row_id for s, _ in steps if s.row_id is not None]
    _status(parent, f"已添加 {len(ids)} 个佐证材料文件，可撤销。")
    return ids


def _without_unwanted_copies(
    parent: QWidget, item_id: int, good: list[tuple[Path, int]], title: str
) -> list[tuple[Path, int]]:
    """Asks before a file the item already holds is added a second time; No leaves those out."""
    twice = evidence.already_attached(item_id, [p for p, _ in good])
    if not twice:
        return good
    listed = "\n".join(f"“{p.name}”（已作为“{name}”添加）" for p, name in twice.items())
    text = (
        f"以下文件已经是该细化问题的佐证材料，内容完全相同：\n{listed}\n\n"
        "仍要再添加一份吗？选“否”则不重复添加这些文件。"
    )
    if confirm(parent, title, text):
        return good
    return [(p, size) for p, size in good if p not in twice]


_last_folder: list[str] = []


def _start_folder() -> str:
    if _last_folder and Path(_last_folder[0]).is_dir():
        return _last_folder[0]
    desktop = Path.home() / "Desktop"
    return str(desktop if desktop.is_dir() else Path.home())


def _remember_folder(path: str | Path) -> None:
    _last_folder[:] = [str(Path(path).parent)]


def choose_and_add(
    parent: QWidget,
    panel: EditPanel,
    item_id: int,
    measure_id: int | None = None,
) -> list[int]:
    """添加文件…: a file dialog (several files at once, any type), then add_files."""
    what = "为整改措施添加佐证材料" if measure_id is not None else "添加佐证材料"
    names, _ = QFileDialog.getOpenFileNames(
        parent,
        what,
        _start_folder(),
        "所有文件 (*);;PDF 文件 (*.pdf);;Word/WPS 文档 (*.doc *.docx *.wps *.ofd);;"
        "图片 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff);;表格 (*.xls *.xlsx *.et)",
    )
    if not names:
        return []
    _remember_folder(names[0])
    return add_files(parent, panel, item_id, [Path(n) for n in names], measure_id)


def replace_file(
    parent: QWidget,
    panel: EditPanel,
    evidence_id: int,
    path: Path | None = None,
) -> bool:
    """替换文件 / 附加文件: new bytes for the same record (one undo step)."""
    ev = Evidence.get_or_none(Evidence.id == evidence_id)
    if ev is None or panel.readonly:
        return False
    title = "附加文件" if ev.blob_sha256 is None else "替换文件"
    if path is None:
        name, _ = QFileDialog.getOpenFileName(parent, f"{title}：{ev.name}", _start_folder(), "所有文件 (*)")
        if not name:
            return False
        _remember_folder(name)
        path = Path(name)
    limit = _limit(panel)
    good = _checked(parent, [path], limit, title)
    if not good:
        return False
    command = ReplaceEvidenceFile(evidence_id, path, max_bytes=limit)
    if not store(parent, panel, [(command, good[0][1])], command, title):
        return False
    _status(parent, f"已{title}：{path.name}，可撤销。")
    return True


def remove_evidence(parent: QWidget, panel: EditPanel, evidence_id: int) -> bool:
    """删除, after asking. The bytes stay in the ledger until it is closed, so that undo brings them back."""
    ev = Evidence.get_or_none(Evidence.id == evidence_id)
    if ev is None or panel.readonly:
        return False
    text = f"确定删除佐证材料“{ev.name}”吗？\n\n删除后可以用“撤销”（Ctrl+Z）恢复。"
    if not confirm(parent, "删除佐证材料", text):
        return False
    return panel.push(ops.delete(Evidence, evidence_id))


# --- reading files out ---------------------------------------------------------------------------

_temp: list[Path] = []


def temp_dir() -> Path:
    """The program's private folder for opened files, made on first use."""
    if not _temp or not _temp[0].is_dir():
        _temp[:] = [Path(tempfile.mkdtemp(prefix="rectify-evidence-"))]
        if not getattr(temp_dir, "_registered", False):
            atexit.register(cleanup_temp)
            temp_dir._registered = True  # type: ignore[attr-defined]
    return _temp[0]


def cleanup_temp() -> None:
    """Removes the opened copies (when the ledger closes and when the program exits)."""
    if not _temp:
        return
    folder = _temp.pop()

    def writable_again(func: Callable[..., object], path: str, _exc: object) -> None:
        try:  # the copies are read-only; Windows will not delete them until they are writable
            os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
            func(path)
        except OSError:
            pass  # still open in another program: the system's temp cleaning takes it later

    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=writable_again)
    else:
        shutil.rmtree(folder, onerror=writable_again)


def _file_name(ev: Evidence) -> str:
    from rectify_desktop.io.evidence_zip import safe_name

    return safe_name(evidence.export_name(ev.name, ev.blob_sha256), 120, keep_suffix=True)


def _write_out(parent: QWidget, sha: str, out: Path, title: str) -> bool:
    size = evidence.blob_size(sha) or 0
    progress = ByteProgress(parent, title, size)
    progress.set_label(f"正在写出“{out.name}”…")
    try:
        evidence.write_blob(sha, out, lambda done, _total: progress.report(done))
    except Cancelled:
        return False
    except outfile.OutputError as exc:  # a full disk, a read-only place, or the ledger itself as the target
        QMessageBox.critical(parent, title + "失败", str(exc))
        return False
    except OSError as exc:
        QMessageBox.critical(parent, title + "失败", _write_error(exc, out))
        return False
    finally:
        progress.close()
    return True


def _write_error(exc: OSError, out: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"磁盘空间不足，无法写出“{out.name}”。请清理空间或换一个位置。"
    if isinstance(exc, PermissionError):
        return f"没有权限写入“{out}”。该文件可能正在被其他程序打开，或该文件夹不允许写入，请换一个位置。"
    return f"无法写入“{out}”：{exc.strerror or exc}。"


def _may_run(parent: QWidget, ev: Evidence, file_name: str) -> bool:
    """Asks before a program (an .exe, a script, a shortcut …) is handed to the system, which would run it
    rather than show it; names its real extension, also when direction marks in its title hide it."""
    head = next(evidence.iter_blob(ev.blob_sha256), b"")[:4] if ev.blob_sha256 else b""
    if not (evidence.is_executable(ev.name, head) or evidence.is_executable(file_name, head)):
        return True
    suffix = evidence.executable_suffix(file_name) or evidence.executable_suffix(ev.name)
    kind = f"扩展名为“{suffix}”" if suffix in evidence.EXECUTABLE_SUFFIXES else "没有扩展名，内容是程序"
    text = f"佐证材料“{file_name}”是可执行文件（{kind}）。打开它会直接运行其中的程序，而不是显示文件内容。"
    if set(ev.name) & set(evidence.BIDI_CONTROLS):
        text += "\n\n注意：它的名称中含有隐藏的文字方向控制符，显示出来的扩展名可能是假的。"
    text += "\n\n佐证材料一般是文档、表格或图片。除非确知它的来源可靠，请不要打开。\n\n仍要打开吗？"
    return confirm(parent, "打开可执行文件", text)


def open_evidence(parent: QWidget, evidence_id: int) -> Path | None:
    """打开: a read-only copy in the private temporary folder, opened with the system's program; a program
    among the materials only after the clerk has been warned and said yes."""
    ev = Evidence.get_or_none(Evidence.id == evidence_id)
    if ev is None:
        return None
    if ev.blob_sha256 is None:
        QMessageBox.information(
            parent, "尚未附文件", f"“{ev.name}”只登记了名称，还没有附上文件。\n\n可以点击“附加文件…”选择它的文件。"
        )
        return None
    folder = temp_dir() / f"{ev.id}-{ev.blob_sha256[:12]}"
    out = folder / _file_name(ev)
    if not _may_run(parent, ev, out.name):
        return None
    if not (out.is_file() and out.stat().st_size == evidence.blob_size(ev.blob_sha256)):
        folder.mkdir(parents=True, exist_ok=True)
        if out.exists():
            os.chmod(out, stat.S_IWRITE | stat.S_IREAD)
        if not _write_out(parent, ev.blob_sha256, out, "打开佐证材料"):
            return None
        os.chmod(out, stat.S_IREAD)
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(out))):
        suffix = evidence.real_suffix(out.name) or "该类型"
        QMessageBox.warning(
            parent,
            "无法打开",
            f"系统中没有找到可以打开“{suffix}”文件的程序。\n\n可以用“另存为…”保存一份，再用其他程序打开。",
        )
        return out
    _status(parent, f"已打开“{out.name}”（只读副本；修改后请用“替换文件…”存回台账）")
    return out


def save_copy(parent: QWidget, evidence_id: int, target: Path | None = None) -> Path | None:
    """另存为: a copy of the stored file wherever the clerk chooses."""
    ev = Evidence.get_or_none(Evidence.id == evidence_id)
    if ev is None or ev.blob_sha256 is None:
        return None
    if target is None:
        name = _file_name(ev)
        suffix = evidence.real_suffix(name)
        filters = (f"{suffix[1:].upper()} 文件 (*{suffix});;" if suffix else "") + "所有文件 (*)"
        chosen, _ = QFileDialog.getSaveFileName(parent, "另存为", str(Path(_start_folder()) / name), filters)
        if not chosen:
            return None
        target = Path(chosen)
        if suffix and not evidence.real_suffix(target.name):
            target = target.with_name(target.name + suffix)
        _remember_folder(target)
    if not _write_out(parent, ev.blob_sha256, target, "另存为"):
        return None
    _status(parent, f"已保存到 {target}")
    return target


# --- pictures --------------------------------------------------------------------------------------

_thumbs: collections.OrderedDict[tuple[str, int, float], QPixmap | None] = collections.OrderedDict()
_badges: dict[tuple[str, bool, int, float], QPixmap] = {}
_BADGE_COLORS = {
    ".pdf": "#d93025",
    ".doc": "#1a5fb4",
    ".docx": "#1a5fb4",
    ".wps": "#1a5fb4",
    ".ofd": "#b5651d",
    ".xls": "#188038",
    ".xlsx": "#188038",
    ".et": "#188038",
    ".ppt": "#c2610c",
    ".pptx": "#c2610c",
    ".dps": "#c2610c",
}


def thumbnail(sha: str, name: str, px: int = THUMB_SIZE, ratio: float = 1.0) -> QPixmap | None:
    """A picture's thumbnail, decoded at the small size (QImageReader.setScaledSize) and cached; None for a
    file that is no picture, too large to decode here, or damaged."""
    key = (sha, px, ratio)
    if key in _thumbs:
        _thumbs.move_to_end(key)
        return _thumbs[key]
    pm = None
    size = evidence.blob_size(sha) or 0
    if evidence.real_suffix(name).lower() in evidence.IMAGE_SUFFIXES and 0 < size <= THUMB_MAX_BYTES:
        data = QByteArray(b"".join(evidence.iter_blob(sha)))
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buf)
        reader.setAutoTransform(True)
        if reader.canRead():
            full = reader.size()
            if full.isValid():
                reader.setScaledSize(
                    full.scaled(QSize(int(px * ratio), int(px * ratio)), Qt.AspectRatioMode.KeepAspectRatio)
                )
            image = reader.read()
            if not image.isNull():
                pm = QPixmap.fromImage(image)
                pm.setDevicePixelRatio(ratio)
        buf.close()
    _thumbs[key] = pm
    while len(_thumbs) > 300:
        _thumbs.popitem(last=False)
    return pm


def badge(name: str, has_file: bool, px: int = THUMB_SIZE, ratio: float = 1.0) -> QPixmap:
    """A small document icon with the file's type on it (PDF, DOCX …); dashed and empty for 未附文件."""
    suffix = evidence.real_suffix(name).lower()
    key = (suffix, has_file, px, ratio)
    if key in _badges:
        return _badges[key]
    pm = QPixmap(int(px * ratio), int(px * ratio))
    pm.setDevicePixelRatio(ratio)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    page = QRectF(px * 0.18, px * 0.06, px * 0.64, px * 0.88)
    if has_file:
        color = QColor(_BADGE_COLORS.get(suffix, "#5f6368"))
        p.setPen(QPen(QColor("#9aa0a6"), 1))
        p.setBrush(QColor("#ffffff"))
        p.drawRoundedRect(page, 2, 2)
        band = QRectF(px * 0.08, px * 0.52, px * 0.84, px * 0.3)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawRoundedRect(band, 2, 2)
        f = QFont()
        f.setPixelSize(max(7, int(px * 0.22)))
        f.setBold(True)
        p.setFont(f)
        p.setPen(QColor("#ffffff"))
        p.drawText(band, Qt.AlignmentFlag.AlignCenter, (suffix[1:] or "FILE").upper()[:4])
    else:
        pen = QPen(QColor("#c2610c"), 1.2, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(page, 2, 2)
        c = page.center()
        p.drawLine(int(c.x() - px * 0.12), int(c.y()), int(c.x() + px * 0.12), int(c.y()))
        p.drawLine(int(c.x()), int(c.y() - px * 0.12), int(c.x()), int(c.y() + px * 0.12))
    p.end()
    _badges[key] = pm
    return pm


def icon_for(ev: Evidence, px: int = THUMB_SIZE, ratio: float = 1.0) -> QPixmap:
    if ev.blob_sha256 is not None:
        thumb = thumbnail(ev.blob_sha256, ev.name, px, ratio)
        if thumb is not None:
            return thumb
    return badge(ev.name, ev.blob_sha256 is not None, px, ratio)


# --- the evidence package --------------------------------------------------------------------------


def export_zip(window: WindowHost) -> Path | None:
    """导出佐证材料包…: a save dialog, the package with progress, a message that says what is in it."""
    from rectify_desktop.io import evidence_zip

    if window.ledger is None or window.ledger.closed:
        return None
    insp_id = window.current_inspection_id()
    if insp_id is None:
        return None
    if window.panel is not None:
        window.panel.commit_pending()
    entries = evidence_zip.plan(insp_id)
    n_files = sum(1 for e in entries if e.arcname)
    default = Path(_start_folder()) / f"{window.ledger.name}-佐证材料.zip"
    chosen, _ = QFileDialog.getSaveFileName(window, "导出佐证材料包", str(default), "ZIP 压缩包 (*.zip)")
    if not chosen:
        return None
    out = Path(chosen)
    if out.suffix.lower() != ".zip":
        out = out.with_name(out.name + ".zip")
    _remember_folder(out)
    total = sum(e.size or 0 for e in entries if e.arcname)
    progress = ByteProgress(window, "导出佐证材料包", total)
    progress.set_label(f"正在导出 {n_files} 个文件…")
    try:
        evidence_zip.export_zip(insp_id, out, progress=lambda done, _total: progress.report(done))
    except Cancelled:
        _status(window, "已取消导出，未留下任何文件。")
        return None
    except evidence_zip.ZipExportError as exc:
        QMessageBox.critical(window, "导出佐证材料包失败", str(exc))
        return None
    finally:
        progress.close()
    missing = len(entries) - n_files
    from rectify_desktop.ui.done_box import show_done

    extra = "按“方面/问题/细化问题”分文件夹存放，附目录.xlsx和台账。"
    if missing:
        extra += f"\n另有 {missing} 项材料只登记了名称、尚未附文件，已在目录中标为“未附文件”。"
    _status(window, f"已导出佐证材料包：{out}")
    show_done(window, out, f"已导出佐证材料包（共 {n_files} 个文件）", title="导出佐证材料包", extra=extra)
    return out


def _status(widget: QWidget | None, text: str) -> None:
    """A message in the window's status bar, when the widget is inside one."""
    w = widget.window() if widget is not None else None
    bar = getattr(w, "statusBar", None)
    if callable(bar):
        bar().showMessage(text, 8000)
