"""Renders the program's SVG icon to PNG or ICO with Qt (no other tool needed): the build scripts call it.

python render_icon.py SVG OUT.png SIZE        e.g. a 256×256 PNG for /usr/share/icons/hicolor/256x256
python render_icon.py SVG OUT.ico SIZE ...    a Windows icon; several sizes make several images
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402


def render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"无法读取 SVG 图标：{svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__)
        return 2
    svg, out, sizes = Path(argv[0]), Path(argv[1]), [int(s) for s in argv[2:]]
    _app = QGuiApplication([])  # noqa: F841 - QPainter on images needs the GUI module initialised
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".ico":
        writer = QImageWriter(str(out), b"ico")
        # Qt's ico writer stores one image per write; the largest is what Windows scales from.
        if not writer.write(render(svg, max(sizes))):
            raise SystemExit(f"无法写入 {out}：{writer.errorString()}")
    elif not render(svg, sizes[0]).save(str(out)):
        raise SystemExit(f"无法写入 {out}")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
