"""24 clerks number 24 approved documents at once (a few abandon after taking their number), and
12 paper documents arrive at once: the committed numbers are unique and gapless, the registers'
counters agree, and the audit chain holds. On SQLite (a file, as in production) and on
PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tests import factories
from tests.documents.world import build_world, draft, draft_pdf
from xaso.core.audit import audit_verify
from xaso.documents import services
from xaso.documents.models import DocumentRegister, IncomingDocument, OutgoingDocument

DOCUMENTS = 24


class Abandon(Exception):
    pass


def _run(n: int, work) -> list[BaseException]:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except Abandon:
            pass
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_parallel_numbering_is_unique_and_gapless(file_database):
    w = build_world(certificates=False)
    clerks = [w.clerk, factories.staff(agency_obj=w.a, roles=("clerk",))]
    docs = []
    for i in range(DOCUMENTS):
        d = draft(w, doc_type="CV" if i % 3 == 0 else "QĐ", drafting_unit="VP")
        d = services.outgoing_submit(actor=w.specialist, document=d)
        docs.append(services.outgoing_approve(actor=w.leader, document=d))

    def number(i: int) -> None:
        with transaction.atomic():
            services.outgoing_number(actor=clerks[i % 2], document=docs[i])
            if i % 8 == 7:
                raise Abandon

    assert _run(DOCUMENTS, number) == []
    committed = DOCUMENTS - DOCUMENTS // 8
    numbered = OutgoingDocument.objects.filter(number__isnull=False)
    assert sorted(numbered.values_list("number", flat=True)) == list(range(1, committed + 1))
    assert OutgoingDocument.objects.filter(status="approved").count() == DOCUMENTS // 8
    register = DocumentRegister.objects.get(direction="outgoing")
    assert register.last_number == committed
    for d in numbered:
        expected = "UBND-VP" if d.doc_type == "CV" else "QĐ-UBND"
        assert d.notation == expected
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_parallel_incoming_registration_is_unique_and_gapless(file_database):
    w = build_world(certificates=False)
    n = 12

    def receive(i: int) -> None:
        services.incoming_create_paper(
            actor=w.clerk,
            sender_name="UBND tỉnh Phú Thọ",
            doc_type="CV",
            subject=f"Công văn số {i}",
            scan_data=draft_pdf(),
            scan_name=f"scan-{i}.pdf",
        )

    assert _run(n, receive) == []
    assert sorted(IncomingDocument.objects.values_list("incoming_number", flat=True)) == list(
        range(1, n + 1)
    )
    assert DocumentRegister.objects.get(direction="incoming").last_number == n
    assert audit_verify().ok
