"""The stamp font, prepared once.

pyHanko embeds a subset of the stamp font in every signed PDF, and fontTools spends most of a
signature's time (≈ 300 ms of ≈ 330 ms for Noto Serif, 575 KB with large layout tables) reading
and compacting the whole font for that subset. The stamp only ever needs Latin and Vietnamese,
so the font is cut once to that repertoire (≈ 65 KB, no layout tables: every Vietnamese letter
has a precomposed glyph, and stamp text is NFC) and kept under ``XASO_DATA_DIR/signing/fonts``;
each signature then subsets the small font. And the subset itself (the font program embedded in
the PDF) is kept per glyph set (``font_engine_factory``): the same signer's stamps use the same
glyphs, the signing time's digits are always included.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

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


#: Characters every stamp's subset carries whatever the text, so that the signing time's
#: digits do not make each signature's subset (and its cache key) different.
STABLE_CHARS = "0123456789:/-–. "
#: Subset font programs kept per process (≈ 20 KB each: one per signer's name and agency).
PROGRAM_CACHE_SIZE = 128

_programs: OrderedDict[tuple[str, frozenset[int]], bytes] = OrderedDict()
_programs_lock = threading.Lock()


def subset_program_cache_clear() -> None:
    with _programs_lock:
        _programs.clear()


def _cached_accumulator_class() -> type:
    """Built on first use: pyHanko and fontTools are imported only where a stamp is drawn."""
    from fontTools import subset
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

    class CachedSubsetAccumulator(GlyphAccumulator):  # type: ignore[misc]
        """pyHanko's glyph accumulator, except that the embedded font program (the subset of
        the glyphs a stamp uses, written by fontTools: ≈ 25 ms a signature) is made once per
        glyph set and reused. TrueType fonts only (Noto Serif); CFF fonts go to pyHanko."""

        font_path: str = ""

        def _extract_subset(self, options: Any = None) -> None:
            if self.cff_charset is not None or options is not None:
                super()._extract_subset(options)
                return
            cmap = self.tt.getBestCmap() or {}
            order = self.tt.getGlyphOrder()
            extra = {self.tt.getGlyphID(cmap[ord(c)]) for c in STABLE_CHARS if ord(c) in cmap}
            gids = frozenset(set(self._glyphs) | extra)
            key = (self.font_path, gids)
            with _programs_lock:
                program = _programs.get(key)
                if program is not None:
                    _programs.move_to_end(key)
            if program is None:
                opts = subset.Options(layout_closure=False)
                opts.drop_tables += ["GPOS", "GDEF", "GSUB"]
                opts.retain_gids = True  # the content streams use the font's own glyph ids
                subsetter = subset.Subsetter(options=opts)
                subsetter.populate(gids=sorted(g for g in gids if g < len(order)))
                subsetter.subset(self.tt)
                buf = io.BytesIO()
                self.tt.save(buf)
                program = buf.getvalue()
                with _programs_lock:
                    _programs[key] = program
                    while len(_programs) > PROGRAM_CACHE_SIZE:
                        _programs.popitem(last=False)
            cidfont = self.cidfont_obj
            data = program

            def set_font_file(writer: Any) -> Any:
                stream = generic.StreamObject(stream_data=data)
                stream.compress()
                ref = writer.add_object(stream)
                cidfont._font_descriptor[generic.pdf_name("/FontFile2")] = ref
                return ref

            cidfont.set_font_file = set_font_file  # type: ignore[method-assign]

    return CachedSubsetAccumulator


@lru_cache(maxsize=1)
def _accumulator_class() -> type:
    return _cached_accumulator_class()


def font_engine_factory(font_file: Path, font_size: int) -> Any:
    """A pyHanko font engine factory for the stamp font whose subsets are cached."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    class CachedFactory(GlyphAccumulatorFactory):  # type: ignore[misc]
        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> Any:
            cls = _accumulator_class()
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            with open(self.font_file, "rb") as fh:
                engine = cls(
                    writer=writer,
                    font_handle=io.BytesIO(fh.read()),
                    font_size=self.font_size,
                    ot_script_tag=self.ot_script_tag,
                    ot_language_tag=self.ot_language_tag,
                    writing_direction=self.writing_direction,
                    bcp47_lang_code=self.bcp47_lang_code,
                    obj_stream=obj_stream,
                )
            engine.font_path = str(self.font_file)
            return engine

    return CachedFactory(str(font_file), font_size=font_size)
