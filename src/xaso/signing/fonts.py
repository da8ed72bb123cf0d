"""The stamp font, prepared once.

pyHanko embeds a subset of the stamp font in every signed PDF, and fontTools spends most of a
signature's time (≈ 300 ms of ≈ 330 ms for Noto Serif, 575 KB with large layout tables) reading
and compacting the whole font for that subset. The stamp only ever needs Latin and Vietnamese,
so the font is cut once to that repertoire (≈ 65 KB, no layout tables: every Vietnamese letter
has a precomposed glyph, and stamp text is NFC) and kept under ``XASO_DATA_DIR/signing/fonts``;
each signature then subsets the small font.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from . import conf

#: Raise when the repertoire below changes, so cached fonts are cut again.
REPERTOIRE_VERSION = 1
#: Basic Latin, Latin-1, Latin Extended-A/B (ư ơ Ư Ơ), combining marks, the Vietnamese block
#: (U+1EA0–U+1EF9), general punctuation, ₫, €, №.
REPERTOIRE = (
    set(range(0x20, 0x7F))
    | set(range(0xA0, 0x250))
    | set(range(0x300, 0x324))
    | set(range(0x1EA0, 0x1EFA))
    | set(range(0x2010, 0x2040))
    | {0x20AB, 0x20AC, 0x2116}
)


def _cache_dir() -> Path:
    return Path(settings.DATA_DIR) / "signing" / "fonts"


def stamp_font_file(source: Path | None = None) -> Path:
    """The path of the Vietnamese cut of the stamp font, made on first use."""
    return _cut(source or conf.stamp_font(), _cache_dir())


@lru_cache(maxsize=8)
def _cut(source: Path, cache_dir: Path) -> Path:
    stat = source.stat()
    tag = hashlib.sha256(
        f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{REPERTOIRE_VERSION}".encode()
    ).hexdigest()[:16]
    target = cache_dir / f"{source.stem}-vi-{tag}{source.suffix}"
    if target.exists():
        return target
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    options = subset.Options()
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=REPERTOIRE)
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    font.save(tmp)
    os.replace(tmp, target)  # atomic: a concurrent process sees the old state or the whole font
    return target
