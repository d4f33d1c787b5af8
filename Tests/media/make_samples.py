#!/usr/bin/env python3
"""Writes small sample media files for the tests, and manifest.json naming
the MIME type each should be detected as (null: must be refused).

    python3 Tests/media/make_samples.py OUTDIR

PNG and GIF samples are complete, decodable images; the others are
structurally real files (RIFF chunks, ISO boxes, EBML elements, ASF objects,
MPEG packs and packets, JPEG markers as their formats define them) padded to
a few KB. Detection only reads the structure; nothing here needs a codec.
"""

import json
import os
import struct
import sys
import zlib


def png(width=16, height=16):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 16 % 256, y * 16 % 256, 128))
                   for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


GIF = bytes.fromhex("4749463839610100010080000000ffffff21f90401000000002c00000000010001000002024401003b")


def jpeg():
    # A baseline JFIF: SOI, APP0, DQT, SOF0 (8x8, 1 component), DHT, SOS,
    # entropy data, EOI.
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes([1] * 64)
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 8, 8, 1) + b"\x01\x11\x00"
    dht = b"\xff\xc4" + struct.pack(">H", 20) + b"\x00" + bytes([1] + [0] * 15) + b"\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + app0 + dqt + sof + dht + sos + b"\x00" * 2048 + b"\xff\xd9"


def box(kind, payload):
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def iso(major, compatible):
    ftyp = box(b"ftyp", major + struct.pack(">I", 0x200) + b"".join(compatible))
    mvhd = box(b"mvhd", b"\x00" * 4 + struct.pack(">IIII", 0, 0, 1000, 0) + b"\x00" * 80)
    return ftyp + box(b"moov", mvhd) + box(b"mdat", b"\x00" * 3000)


def riff(form, chunks):
    body = form + b"".join(kind + struct.pack("<I", len(data)) + data for kind, data in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def avi():
    avih = b"avih" + struct.pack("<I", 56) + b"\x00" * 56
    hdrl = b"LIST" + struct.pack("<I", 4 + len(avih)) + b"hdrl" + avih
    movi = b"LIST" + struct.pack("<I", 4 + 2000) + b"movi" + b"\x00" * 2000
    body = b"AVI " + hdrl + movi
    return b"RIFF" + struct.pack("<I", len(body)) + body


def flv():
    header = b"FLV\x01\x05" + struct.pack(">I", 9) + struct.pack(">I", 0)
    tag = b"\x12" + (1000).to_bytes(3, "big") + b"\x00" * 7 + b"\x00" * 1000
    return header + tag + struct.pack(">I", len(tag))


def ebml(doctype):
    element = lambda i, data: i + bytes([0x80 | len(data)]) + data
    header = (element(b"\x42\x86", b"\x01") + element(b"\x42\xf7", b"\x01") + element(b"\x42\xf2", b"\x04")
              + element(b"\x42\xf3", b"\x08") + element(b"\x42\x82", doctype) + element(b"\x42\x87", b"\x04")
              + element(b"\x42\x85", b"\x02"))
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + b"\x18\x53\x80\x67\x01" + b"\x00" * 2500


def asf():
    guid = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
    return guid + struct.pack("<QIBB", 30 + 2000, 0, 1, 2) + b"\x00" * 2000


def mpeg_ps():
    pack = b"\x00\x00\x01\xba" + bytes([0x44, 0, 4, 0, 4, 1, 1, 0x89, 0xc3, 0xf8])
    system = b"\x00\x00\x01\xbb" + struct.pack(">H", 12) + b"\x80\x00\x01\x04\xe1\xff\xe0\xe0\xe8\xc0\xc0\x20"
    return pack + system + b"\x00\x00\x01\xe0" + struct.pack(">H", 2000) + b"\x00" * 2000 + b"\x00\x00\x01\xb9"


def mpeg_ts():
    return b"".join(b"\x47" + bytes([0x40 if i == 0 else 0, 0, 0x10 | (i % 16)]) + b"\xff" * 184 for i in range(12))


SAMPLES = {
    "image.png": (png(), "image/png"),
    "image.gif": (GIF, "image/gif"),
    "image.webp": (riff(b"WEBP", [(b"VP8L", bytes.fromhex("2f0000001007101111888888fe0700"))]), "image/webp"),
    "image.jpg": (jpeg(), "image/jpeg"),
    "png-named.jpg": (png(8, 8), "image/png"),  # a mislabelled file: detected from the bytes
    "video.mp4": (iso(b"isom", [b"isom", b"iso2", b"avc1", b"mp41"]), "video/mp4"),
    "video.mov": (iso(b"qt  ", [b"qt  "]), "video/mov"),
    "video.3gp": (iso(b"3gp4", [b"3gp4", b"isom"]), "video/3gpp"),
    "video.mpg": (mpeg_ps(), "video/mpeg"),
    "video.ts": (mpeg_ts(), "video/mpeg"),
    "video.avi": (avi(), "video/avi"),
    "video.flv": (flv(), "video/x-flv"),
    "video.webm": (ebml(b"webm"), "video/webm"),
    "video.wmv": (asf(), "video/wmv"),
    # Refused, each for a reason the error message must name.
    "video.mkv": (ebml(b"matroska"), None),
    "image.heic": (iso(b"heic", [b"mif1", b"heic"]), None),
    "document.pdf": (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", None),
    "notes.txt": (b"plain text, not an image\n" * 10, None),
    "image.bmp": (b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + b"\x00" * 56, None),
    "empty.png": (b"", None),
}


def main(out):
    os.makedirs(out, exist_ok=True)
    manifest = {}
    for name, (data, mime) in SAMPLES.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        manifest[name] = mime
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/samples")
