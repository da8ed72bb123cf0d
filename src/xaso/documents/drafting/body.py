"""The body of a draft, typed as plain text with a light markup, into the blocks of the page.

One line is one paragraph (officials type documents that way; a blank line changes nothing).
What a line may start with (Decree 30/2020/NĐ-CP Appendix I, §II.8 "nội dung văn bản"):

- ``Căn cứ …`` — a legal basis (căn cứ ban hành): italic, one per line;
- ``Điều 1.`` — an article: "Điều 1." bold, the rest of the line regular;
- ``Chương I``/``Mục 1`` or a line starting with ``# `` — a centred bold heading;
- ``- `` or ``+ `` — an item of a list, kept with its dash as Vietnamese documents print it.

Inside a line, ``**bold**`` and ``*italic*``. Everything else is escaped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ARTICLE = re.compile(r"^(Điều\s+\d+[a-zđ]?\.)\s*(.*)$")
_HEADING = re.compile(r"^(?:#\s+(.+)|((?:Chương|Mục|Phần)\s+[IVXLCDM\d]+\b.*))$")
_ITEM = re.compile(r"^[-+]\s+\S")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


@dataclass(frozen=True)
class Block:
    """``kind``: paragraph, basis, article, heading or item; ``lead`` is the bold "Điều N.";
    ``text`` the line (after the lead) with its markup, for ``runs``."""

    kind: str
    html: SafeString
    lead: str = ""
    text: str = ""


def runs(text: str) -> list[tuple[str, bool, bool]]:
    """``text`` as (piece, bold, italic) runs, for a Word paragraph."""
    pieces: list[tuple[str, bool, bool]] = []
    for index, part in enumerate(_BOLD.split(text)):
        bold = index % 2 == 1
        position = 0
        for match in _ITALIC.finditer(part):
            if match.start() > position:
                pieces.append((part[position : match.start()], bold, False))
            pieces.append((match.group(1), bold, True))
            position = match.end()
        if position < len(part):
            pieces.append((part[position:], bold, False))
    return [piece for piece in pieces if piece[0]]


def inline(text: str) -> SafeString:
    """Escape ``text`` and turn ``**…**`` and ``*…*`` into bold and italic."""
    html: str = str(escape(text))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return mark_safe(html)  # noqa: S308 (escaped above; only our own tags added)


def parse_body(text: str) -> list[Block]:
    """The blocks of ``text`` (NFC), in order; blank lines are dropped."""
    blocks: list[Block] = []
    for raw in unicodedata.normalize("NFC", text).replace("\r\n", "\n").split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        if match := _ARTICLE.match(line):
            rest = match.group(2)
            blocks.append(Block("article", inline(rest), lead=match.group(1), text=rest))
        elif match := _HEADING.match(line):
            title = match.group(1) or match.group(2)
            blocks.append(Block("heading", inline(title), text=title))
        elif line.startswith("Căn cứ "):
            blocks.append(Block("basis", inline(line), text=line))
        elif _ITEM.match(line):
            blocks.append(Block("item", inline(line), text=line))
        else:
            blocks.append(Block("paragraph", inline(line), text=line))
    return blocks
