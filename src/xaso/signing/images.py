"""Signature and seal images (Decree 30/2020/NĐ-CP Appendix I: the signer's handwritten
signature, blue, and the agency's seal, red, real size, both transparent PNG), checked by their
content before anything is stored, kept under ``XASO_DATA_DIR/signing/images``."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from . import conf
from .errors import ImageInvalid, ImageTooLarge

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: The image-end chunk every whole PNG ends with (length 0, type, CRC).
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
#: Pixels: a signature scanned at 300 dpi is about 600 × 250, a 40 mm seal about 470 × 470.
MIN_SIDE, MAX_SIDE = 16, 2000


@dataclass(frozen=True)
class CheckedPng:
    data: bytes
    sha256: str
    width: int
    height: int


def check_png(data: bytes) -> CheckedPng:
    """Accept ``data`` only if it is a whole, decodable PNG within the size limits. The
    dimensions are read from the header before any pixel is decoded (no decompression bomb)."""
    limit = conf.image_max_bytes()
    if not data:
        raise ImageInvalid(_("Tệp ảnh rỗng."), fields={"file": [_("Tệp rỗng.")]})
    if len(data) > limit:
        raise ImageTooLarge(
            _("Tệp ảnh quá lớn (%(kb)d KB); tối đa %(max)d KB.")
            % {"kb": len(data) // 1024, "max": limit // 1024},
            fields={"file": [_("Tệp quá lớn.")]},
        )
    if not data.startswith(PNG_MAGIC):
        raise ImageInvalid(
            _("Ảnh chữ ký, con dấu phải là tệp PNG (nền trong suốt)."),
            fields={"file": [_("Không phải tệp PNG.")]},
        )
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if probe.format != "PNG":
                raise ImageInvalid(_("Ảnh chữ ký, con dấu phải là tệp PNG (nền trong suốt)."))
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                raise ImageInvalid(
                    _(
                        "Kích thước ảnh %(w)d × %(h)d điểm ảnh không hợp lệ "
                        "(mỗi chiều từ %(min)d đến %(max)d)."
                    )
                    % {"w": width, "h": height, "min": MIN_SIDE, "max": MAX_SIDE},
                    fields={"file": [_("Kích thước không hợp lệ.")]},
                )
        if not data.endswith(PNG_END):
            raise ImageInvalid(
                _("Tệp PNG bị hỏng, không đọc được."), fields={"file": [_("Tệp hỏng.")]}
            )
        # Check every chunk's CRC, then decode every row. WeasyPrint sets Pillow's global
        # LOAD_TRUNCATED_IMAGES, so decoding alone would accept a cut file.
        with Image.open(io.BytesIO(data)) as whole:
            whole.verify()
        with Image.open(io.BytesIO(data)) as whole:
            whole.load()
    except ImageInvalid:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageInvalid(
            _("Tệp PNG bị hỏng, không đọc được."), fields={"file": [_("Tệp hỏng.")]}
        ) from exc
    return CheckedPng(data, hashlib.sha256(data).hexdigest(), width, height)


def image_path(relative: str) -> Path:
    root = conf.images_dir().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"image outside the image folder: {relative!r}")
    return path


def write_image(relative: str, data: bytes) -> Path:
    """Write then rename, so a reader never sees half a file."""
    path = image_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


@lru_cache(maxsize=64)
def _decoded(path: str, sha256: str) -> Any:
    from PIL import Image

    with Image.open(path) as img:
        img.load()
        # RGBA keeps the transparency pyHanko turns into a soft mask.
        return img.convert("RGBA") if img.mode not in ("RGB", "RGBA") else img.copy()


def decoded(relative: str, sha256: str) -> Any:
    """The image as a decoded PIL image, once per process and content."""
    return _decoded(str(image_path(relative)), sha256)


def _png_bytes(img: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def demo_seal_png(agency_name: str, *, side: int = 470) -> bytes:
    """A demo seal for ``xaso demo``: red rings, a star and the agency's name, transparent."""
    from PIL import Image, ImageDraw, ImageFont

    red = (204, 16, 16, 255)
    img = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((6, 6, side - 6, side - 6), outline=red, width=12)
    draw.ellipse((64, 64, side - 64, side - 64), outline=red, width=5)
    draw.regular_polygon((side // 2, side // 2 - 40, 46), 5, fill=red)
    text = agency_name.upper()
    inner = side - 2 * 64 - 24
    font: Any = ImageFont.load_default()
    for size in range(30, 9, -2):  # the largest size that fits inside the inner ring
        try:
            candidate = ImageFont.truetype(str(conf.stamp_font()), size)
        except (OSError, FileNotFoundError):
            break
        font = candidate
        if draw.textlength(text, font=font) <= inner:
            break
    draw.text((side // 2, side // 2 + 45), text, fill=red, font=font, anchor="mm")
    return _png_bytes(img)


def demo_signature_png(full_name: str, *, width: int = 600, height: int = 250) -> bytes:
    """A demo handwritten signature for ``xaso demo``: a blue stroke shaped by the name (each
    person's differs), transparent."""
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(full_name.encode()).digest()
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    step = (width - 60) / (len(digest) - 1)
    points = [
        (30 + i * step, height / 2 + (b - 128) * (height / 2 - 30) / 128)
        for i, b in enumerate(digest)
    ]
    draw.line(points, fill=(16, 40, 170, 255), width=6, joint="curve")
    draw.line([(40, height - 40), (width - 80, height - 55)], fill=(16, 40, 170, 255), width=4)
    return _png_bytes(img)
