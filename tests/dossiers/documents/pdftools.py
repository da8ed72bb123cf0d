"""Independent readers of the rendered PDFs: poppler-utils and zbar, run as subprocesses."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _with_file(pdf: bytes, *command: str) -> str:
    """Run command with the PDF's path in place of "{}" (or appended)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        if "{}" not in command:
            command = (*command, "{}")
        return _run(*(str(path) if part == "{}" else part for part in command))


def text_lines(pdf: bytes) -> list[tuple[str, ...]]:
    """pdftotext -layout, NFC, each non-blank line split into its cells at runs of 2+ spaces.

    Column gaps depend on glyph widths; the cells and their order are what the reader sees.
    """
    text = unicodedata.normalize(
        "NFC", _with_file(pdf, "pdftotext", "-layout", "-enc", "UTF-8", "{}", "-")
    )
    return [
        tuple(re.split(r"\s{2,}", line.strip()))
        for line in text.replace("\f", "\n").splitlines()
        if line.strip()
    ]


def info(pdf: bytes) -> dict[str, str]:
    """pdfinfo as a dict ("Pages", "Page size", "Title", ...)."""
    output = unicodedata.normalize("NFC", _with_file(pdf, "pdfinfo"))
    return {
        key.strip(): value.strip()
        for key, value in (line.split(":", 1) for line in output.splitlines() if ":" in line)
    }


def page_size_mm(pdf: bytes) -> tuple[float, float]:
    """The first page's size in millimetres, rounded to 0.1 mm."""
    match = re.match(r"([\d.]+) x ([\d.]+) pts", info(pdf)["Page size"])
    assert match is not None
    width, height = (float(value) * 25.4 / 72 for value in match.groups())
    return round(width, 1), round(height, 1)


def fonts(pdf: bytes) -> set[tuple[str, str]]:
    """(font name without the subset prefix, embedded yes/no) for every font of pdffonts."""
    rows = _with_file(pdf, "pdffonts").splitlines()[2:]
    result = set()
    for row in rows:
        parts = row.split()
        name = parts[0].split("+", 1)[-1]
        embedded = parts[-5]  # columns: name type [encoding...] emb sub uni object ID
        result.add((name, embedded))
    return result


def images(pdf: bytes) -> list[Path]:
    """The embedded images as PNG files (pdfimages -png), in a folder the caller may read."""
    folder = Path(tempfile.mkdtemp())
    (folder / "document.pdf").write_bytes(pdf)
    _run("pdfimages", "-png", str(folder / "document.pdf"), str(folder / "image"))
    return sorted(folder.glob("image-*.png"))


def decode_qr(pdf: bytes) -> list[str]:
    """Rasterise the first page at 300 dpi (pdftoppm) and read every QR symbol with zbarimg."""
    if shutil.which("zbarimg") is None:
        raise AssertionError("zbarimg is missing: apt-get install zbar-tools")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        _run("pdftoppm", "-r", "300", "-png", "-singlefile", str(path), str(Path(folder) / "page"))
        output = _run(
            "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", f"{folder}/page.png"
        )
    return output.splitlines()
