#!/usr/bin/env python3
"""Hand-built PNG files for the kinds ImageEncoder does not write (palette, transparency chunks, grey below
8 bits, Adam7 by hand) and a header that claims 40000x40000. Chunks are assembled here with zlib and crc32,
independently of libpng, so the decoder is checked against values written down in this script and in
PNGDecoderTests.swift. Run from anywhere: python3 Tests/ImagingTests/Fixtures/make-png-fixtures.py"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, bit_depth, colour_type, raw, interlace=0, extra=b""):
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def rows(lines):
    """Each row prefixed by filter type 0 (none)."""
    return b"".join(b"\x00" + bytes(line) for line in lines)


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# 4x2, 8-bit palette: red, green, blue, white / white, blue, green, red.
palette = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
write("palette-4x2.png", png(4, 2, 8, 3, rows([[0, 1, 2, 3], [3, 2, 1, 0]]), extra=chunk(b"PLTE", palette)))

# 3x1, 4-bit palette with tRNS: index 0 opaque red, 1 transparent green, 2 half-transparent blue (alpha 128).
# 4-bit rows pack two pixels per byte: indices 0, 1, 2 -> 0x01, 0x20.
write("palette-trns-3x1.png", png(3, 1, 4, 3, rows([[0x01, 0x20]]),
                                  extra=chunk(b"PLTE", palette[:9]) + chunk(b"tRNS", bytes([255, 0, 128]))))

# 4x1, 2-bit grey 0, 1, 2, 3 (one byte: 00 01 10 11) -> 0, 85, 170, 255 after expansion.
write("grey2bit-4x1.png", png(4, 1, 2, 0, rows([[0b00011011]])))

# 3x1, 8-bit grey with tRNS saying grey 50 is transparent: 50, 100, 50.
write("grey-trns-3x1.png", png(3, 1, 8, 0, rows([[50, 100, 50]]), extra=chunk(b"tRNS", struct.pack(">H", 50))))

# 5x5, 16-bit RGB, Adam7 interlaced. Pixel (x, y) = (1000x + 7, 2000y + 11, 257(x + y)).
def pixel16(x, y):
    return struct.pack(">HHH", 1000 * x + 7, 2000 * y + 11, 257 * (x + y))

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
width = height = 5
raw = b""
for x0, y0, dx, dy in ADAM7:
    xs = list(range(x0, width, dx))
    ys = list(range(y0, height, dy))
    if not xs or not ys:
        continue  # an empty pass has no rows at all, not even filter bytes
    for y in ys:
        raw += b"\x00" + b"".join(pixel16(x, y) for x in xs)
write("interlaced-rgb16-5x5.png", png(width, height, 16, 2, raw, interlace=1))

# A header claiming 40000x40000 8-bit grey, followed by a few bytes of IDAT.
write("huge-40000x40000.png", png(40000, 40000, 8, 0, b"\x00" * 16))

# Real, valid images of 8000x8000 in under 8 KB (blank rows of 1-bit grey, and of a 1-bit palette that
# expands to RGB): each decodes to 64 megapixels, so only the memory estimate can refuse them in time.
blank_rows = b"\x00" * ((8000 + 7) // 8 + 1) * 8000
write("grey1-8000x8000.png", png(8000, 8000, 1, 0, blank_rows))
write("palette1-8000x8000.png", png(8000, 8000, 1, 3, blank_rows, extra=chunk(b"PLTE", b"\x00\x00\x00\xff\xff\xff")))
