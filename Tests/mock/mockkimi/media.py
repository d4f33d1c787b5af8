"""Media checks for the mock, written independently of the library's
detector: decode data URIs, recognise formats from their bytes, and digest
what arrived so tests can compare it with what was sent."""

import base64
import binascii

IMAGE = {"image/png", "image/jpeg", "image/webp", "image/gif"}
VIDEO = {"video/mp4", "video/mpeg", "video/mov", "video/avi", "video/x-flv", "video/webm", "video/wmv", "video/3gpp"}


def sniff(data):
    """The MIME type of image/video bytes Kimi accepts, or None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"AVI ":
        return "video/avi"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand == b"qt  ":
            return "video/mov"
        if brand.startswith(b"3gp") or brand.startswith(b"3g2"):
            return "video/3gpp"
        if brand in (b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mmp4"):
            return "video/mp4"
        return None
    if data[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "video/mpeg"
    if len(data) > 376 and data[0] == 0x47 and data[188] == 0x47 and data[376] == 0x47:
        return "video/mpeg"
    if data[:4] == b"FLV\x01":
        return "video/x-flv"
    if data[:4] == b"\x1a\x45\xdf\xa3" and b"\x42\x82\x84webm" in data[:64]:
        return "video/webm"
    if data[:16] == bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"):
        return "video/wmv"
    return None


def fnv1a(data):
    """64-bit FNV-1a, as hex: cheap to recompute in a C test."""
    h = 0xcbf29ce484222325
    for byte in data:
        h ^= byte
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def decode_part(kind, url, files):
    """(mime, data, where) of an image_url/video_url, or raises ValueError with
    Kimi-style text."""
    allowed = IMAGE if kind == "image" else VIDEO
    if url.startswith("ms://"):
        record = files.get(url[5:])
        if record is None:
            raise ValueError(f"invalid {kind} url: file {url} not found")
        if record["meta"]["purpose"] != kind:
            raise ValueError(f"invalid {kind} url: file {url} was uploaded with purpose {record['meta']['purpose']}, not {kind}")
        data = record["data"]
        mime = sniff(data[:1024])
        return mime, data, url
    if url.startswith(("http://", "https://")):
        raise ValueError(f"unsupported {kind} url")
    if not url.startswith("data:") or ";base64," not in url:
        raise ValueError(f"invalid {kind} url: expected a base64 data URI or ms://<file id>")
    header, payload = url[5:].split(";base64,", 1)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"invalid {kind} url: the base64 data is invalid")
    if header not in allowed:
        raise ValueError(f"unsupported {kind} format: {header}")
    found = sniff(data[:1024])
    if found is None:
        raise ValueError(f"unsupported {kind} format: the data is not a {kind} Kimi accepts")
    if found != header:
        raise ValueError(f"invalid {kind} url: the data is {found}, not {header}")
    return header, data, "inline"


def media_parts(body):
    """(kind, url) of every image and video part in a chat body."""
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for part in content:
            if not isinstance(part, dict):
                continue
            for kind in ("image", "video"):
                if part.get("type") == f"{kind}_url":
                    value = part.get(f"{kind}_url")
                    url = value.get("url") if isinstance(value, dict) else value
                    yield kind, url if isinstance(url, str) else ""
