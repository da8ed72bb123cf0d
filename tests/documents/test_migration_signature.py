"""Migration 0003 fills the signature check of incoming documents received before it: a paper
scan "not_checked" without a note; an electronic one "not_checked" with a note sending the clerk
to the public check page (whether it was signed was not kept, so it is not guessed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests import factories

BEFORE = [("documents", "0002_outgoing_content")]
AFTER = [("documents", "0003_incoming_signature_check")]


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_filled():
    agency = factories.agency(code="H25.38.21", name="UBND xã Thạch Khoán")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("documents", "IncomingDocument")
    common = {
        "agency_id": agency.pk,
        "sender_name": "UBND tỉnh Phú Thọ",
        "doc_type": "CV",
        "subject": "Về việc rà soát hộ nghèo",
        "arrived_at": timezone.now(),
    }
    paper = old.objects.create(source="paper", **common).pk
    electronic = old.objects.create(source="electronic", message_id="m-1", **common).pk

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("documents", "IncomingDocument")
    rows = dict(new.objects.values_list("pk", "signature_state"))
    assert rows == {paper: "not_checked", electronic: "not_checked"}
    assert new.objects.get(pk=paper).signature_note == ""
    assert new.objects.get(pk=electronic).signature_note.startswith(
        "Nhận trước khi hệ thống lưu kết quả kiểm tra chữ ký số"
    )
    assert new.objects.get(pk=electronic).signature_signer == ""
