"""Liberation Serif, metric-compatible with Times New Roman, the font documents are set in.

Decree 30/2020/NĐ-CP Appendix I asks for a Vietnamese Unicode font (TCVN 6909:2001) of the Times
New Roman family. Debian ships Liberation Serif with the same glyph widths, so a draft laid out
here breaks lines where Word would with Times New Roman. The faces are named by file in
``@font-face`` rules (no fontconfig lookup per document, and the same font on every server); a
deployment may point ``XASO_DOCUMENT_FONT_DIR`` at another folder holding the same file names.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from django.conf import settings

#: (font-weight, font-style) → Liberation Serif file: the four faces a document uses.
FACES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}
#: Debian's fonts-liberation2, then the older fonts-liberation.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)


def _configured_dir() -> Path | None:
    value = getattr(settings, "XASO_DOCUMENT_FONT_DIR", None) or os.environ.get(
        "XASO_DOCUMENT_FONT_DIR"
    )
    return Path(value) if value else None


@functools.cache
def font_dir() -> Path | None:
    """The first folder holding all four faces, or None (then fontconfig's alias is used)."""
    configured = _configured_dir()
    for folder in [*([configured] if configured else []), *FONT_DIRS]:
        if all((folder / name).is_file() for name in FACES.values()):
            return folder
    return None


def font_face_rules(family: str = "Liberation Serif") -> str:
    """``@font-face`` rules mapping ``family`` to the Liberation Serif files."""
    folder = font_dir()
    if folder is None:
        return ""
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{(folder / name).as_uri()}"); }}'
        for (weight, style), name in FACES.items()
    )
