"""``xaso catalogue load|export|import``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from xaso.procedures.models import Procedure

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("catalogue", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_load_twice_export_import(tmp_path):
    assert run("load") == "Thêm mới 60, cập nhật 0, không đổi 0.\n"
    assert run("load") == "Thêm mới 0, cập nhật 0, không đổi 60.\n"
    target = tmp_path / "dm.xlsx"
    run("export", "--format", "xlsx", "-o", str(target))
    Procedure.objects.all().delete()
    assert run("import", str(target)) == "Thêm mới 60, cập nhật 0, không đổi 0.\n"


def test_import_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"code": "1.001193", "name": "X"}]), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("import", str(bad))
    assert str(caught.value) == "Không nhập danh mục: 1 mục bị từ chối, chưa ghi gì."
    assert Procedure.objects.count() == 0
