"""An X window dump (XWD, as Xvfb -fbdir keeps its screen) as a PNG, with the standard library only.

    python3 xwd_to_png.py SCREEN.xwd [OUT.png]

Prints the number of distinct colours on the screen (an empty Xvfb screen has one or two): the test bench
(test_on_old_system.sh) takes a window as shown when there are many. Handles the TrueColor dumps Xvfb writes
(24 or 32 bits per pixel, either byte order).
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path


def read_xwd(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, RGB bytes) of the dump."""
    order = ">"
    if struct.unpack(">I", data[:4])[0] > 0xFFFF:  # the header in the other byte order
        order = "<"
    h = struct.unpack(order + "25I", data[:100])
    header_size, width, height, byte_order, bpp, stride = h[0], h[4], h[5], h[7], h[11], h[12]
    masks, ncolors = h[14:17], h[19]
    if bpp not in (24, 32):
        raise ValueError(f"unsupported XWD: {bpp} bits per pixel")
    step = bpp // 8
    start = header_size + 12 * ncolors
    shifts = [(m & -m).bit_length() - 1 for m in masks]
    # With 8-bit masks on byte boundaries each channel is a byte at a fixed place: slice instead of loop.
    places = [s // 8 if byte_order == 0 else step - 1 - s // 8 for s in shifts]
    rows = []
    for y in range(height):
        row = data[start + y * stride : start + y * stride + width * step]
        rgb = bytearray(width * 3)
        for c in range(3):
            rgb[c::3] = row[places[c] :: step]
        rows.append(bytes(rgb))
    return width, height, b"".join(rows)


def write_png(path: Path, width: int, height: int, rgb: bytes) -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\0" + rgb[y * width * 3 : (y + 1) * width * 3] for y in range(height))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def main(argv: list[str]) -> int:
    width, height, rgb = read_xwd(Path(argv[0]).read_bytes())
    if len(argv) > 1:
        write_png(Path(argv[1]), width, height, rgb)
    print(len({rgb[i : i + 3] for i in range(0, len(rgb), 3 * 7)}))  # every 7th pixel: enough to tell
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
