from __future__ import annotations

from pathlib import Path

import pytest

from tests.documents.world import World, build_world


@pytest.fixture(scope="session")
def documents_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("documents-data")


@pytest.fixture(autouse=True)
def _data_dir(settings, documents_data_dir, tmp_path):
    """Keys and the demo CA in a data folder shared by the session (making a CA once is
    enough); uploaded and signed files in the test's own folder."""
    settings.DATA_DIR = documents_data_dir
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.XASO_SIGNING_TRUST_ROOTS = ""
    settings.XASO_SIGNING_TRUST_DEMO_CA = True
    settings.XASO_SIGNING_TSA_URL = ""
    settings.XASO_SIGNING_KEYSTORE_PASSPHRASE = None


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def libreoffice() -> None:
    """LibreOffice (Debian's libreoffice-writer-nogui, installed by ./scripts/test) converts DOCX
    drafts: a machine without it fails these tests instead of skipping them."""
    from pathlib import Path

    if not Path("/usr/bin/soffice").exists():
        pytest.fail("/usr/bin/soffice is missing: apt-get install libreoffice-writer-nogui")
