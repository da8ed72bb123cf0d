"""Signing configuration. Each value is read from Django settings when settings defines it, else
from the environment variable of the same name (listed in the ADR 0003), else the default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings

NOTO_SERIF = Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")
TEX_GYRE_TERMES = Path("/usr/share/texmf/fonts/opentype/public/tex-gyre/texgyretermes-regular.otf")
TEX_GYRE_TERMES_ALT = Path("/usr/share/fonts/opentype/texgyre/texgyretermes-regular.otf")


def _get(name: str, default: Any = None) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or None
    return default if value is None else value


def _bool(name: str, default: bool) -> bool:
    value = _get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def keys_dir() -> Path:
    """``XASO_DATA_DIR/keys``: private keys (PKCS#12, 0600) and the demo CA, never the database."""
    return Path(settings.DATA_DIR) / "keys"


def keystore_passphrase_env() -> str | None:
    """``XASO_SIGNING_KEYSTORE_PASSPHRASE``: the passphrase of the stored PKCS#12 files. Without it
    a random one is generated once into ``keys/keystore.pass`` (0600)."""
    value = _get("XASO_SIGNING_KEYSTORE_PASSPHRASE")
    return str(value) if value else None


def trust_root_files() -> list[Path]:
    """``XASO_SIGNING_TRUST_ROOTS``: PEM or DER root certificates trusted when verifying (for
    example the Government CA and the licensed public CAs), separated by ``os.pathsep``."""
    value = _get("XASO_SIGNING_TRUST_ROOTS", "")
    if isinstance(value, list | tuple):
        return [Path(v) for v in value]
    return [Path(p) for p in str(value).split(os.pathsep) if p.strip()]


def trust_demo_ca() -> bool:
    """``XASO_SIGNING_TRUST_DEMO_CA``: whether this installation's own demo CA is a trust anchor
    (default: yes in development, no in production)."""
    return _bool("XASO_SIGNING_TRUST_DEMO_CA", not getattr(settings, "PRODUCTION", False))


def tsa_url() -> str:
    """``XASO_SIGNING_TSA_URL``: an RFC 3161 time-stamping authority; set, signatures are PAdES
    B-T (the TSA's time is proven), else B-B (the signer's clock only)."""
    return str(_get("XASO_SIGNING_TSA_URL", "") or "").strip()


def tsa_timeout() -> float:
    return float(_get("XASO_SIGNING_TSA_TIMEOUT", 10))


def verify_max_bytes() -> int:
    """``XASO_VERIFY_MAX_BYTES``: the largest PDF the public verification accepts (20 MB)."""
    return int(_get("XASO_VERIFY_MAX_BYTES", 20 * 1024 * 1024))


def stamp_font() -> Path:
    """``XASO_SIGNING_FONT``: the stamp font. Noto Serif and TeX Gyre Termes render Vietnamese
    correctly in pyHanko stamps; Liberation and DejaVu Serif do not (setup notes)."""
    configured = _get("XASO_SIGNING_FONT")
    candidates = [Path(configured)] if configured else []
    candidates += [NOTO_SERIF, TEX_GYRE_TERMES, TEX_GYRE_TERMES_ALT]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(
        "No stamp font: install fonts-noto-core (Noto Serif) or fonts-texgyre, "
        "or set XASO_SIGNING_FONT."
    )


def image_max_bytes() -> int:
    """``XASO_SIGNING_IMAGE_MAX_BYTES``: the largest signature or seal PNG accepted (512 KB)."""
    return int(_get("XASO_SIGNING_IMAGE_MAX_BYTES", 512 * 1024))


def images_dir() -> Path:
    """``XASO_DATA_DIR/signing/images``: the signature and seal PNGs."""
    return Path(settings.DATA_DIR) / "signing" / "images"


def pkcs11_modules() -> list[str]:
    """``XASO_SIGNING_PKCS11_MODULES``: PKCS#11 libraries the console may name (``os.pathsep``
    separated). Empty: any existing library file."""
    value = _get("XASO_SIGNING_PKCS11_MODULES", "")
    return [p for p in str(value).split(os.pathsep) if p.strip()]
