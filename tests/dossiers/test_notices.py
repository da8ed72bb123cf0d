"""Notices to the applicant (SMS and e-mail) at reception, supplement request, result ready and
delay: queued after commit, sent by the real task through the real SMS client to a local gateway
and through Django's locmem mail backend; outcomes recorded once per dossier, kind and channel."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from tests.dossiers.world import APPLICANT, World, drive, receive, vn
from tests.integrations.gateway import Gateway, sms_gateway
from xaso.core.models import AuditEntry
from xaso.dossiers import services
from xaso.dossiers.errors import TransitionNotAllowed
from xaso.dossiers.models import Dossier, DossierNotice, Status
from xaso.dossiers.notices import dossier_notice_send
from xaso.dossiers.tasks import send_dossier_notice
from xaso.org.models import Agency
from xaso.people.models import Person

CODE = "H98.01-260910-0001"
URL = f"https://motcua.example.vn/lookup/{CODE}/"
PROCEDURE = "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân"
FOOTER = [
    f"Tra cứu tình trạng hồ sơ: {URL}",
    "",
    "Thư này được gửi tự động từ hệ thống một cửa điện tử, xin đừng trả lời thư.",
    "",
]


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    with sms_gateway() as g:
        settings.XASO_SMS_URL = g.url
        settings.XASO_SMS_API_KEY = "test-key"
        settings.XASO_SMS_SENDER = "XASO"
        yield g


@pytest.fixture
def w(world: World, settings, gateway) -> World:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "motcua@xadong.example.vn"
    settings.XASO_PUBLIC_BASE_URL = "https://motcua.example.vn"
    Agency.objects.filter(pk=world.a.pk).update(name="UBND xã Đông")
    Agency.objects.filter(pk=world.b.pk).update(name="UBND xã Tây")
    return world


def rows() -> list[tuple[str, str, str, int, bool, str, str]]:
    return list(
        DossierNotice.objects.order_by("kind", "channel").values_list(
            "kind", "channel", "status", "attempts", "permanent", "error", "provider_id"
        )
    )


def sms_texts(gateway: Gateway) -> list[str]:
    return [r.json["text"] for r in gateway.requests]


def test_receipt_one_sms_and_one_email_after_commit(w, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        receive(w)
    assert len(callbacks) == 1
    assert [r.json for r in gateway.requests] == [
        {
            "to": "+84912345678",
            "text": (
                f"Hồ sơ {CODE} đã được tiếp nhận. Hẹn trả kết quả: 17:00 15/09/2026. Tra cứu: {URL}"
            ),
            "sender": "XASO",
        }
    ]
    assert gateway.requests[0].headers["authorization"] == "Bearer test-key"
    [email] = mail.outbox
    assert email.to == ["binh@example.vn"]
    assert email.from_email == "motcua@xadong.example.vn"
    assert email.subject == f"Hồ sơ {CODE}: đã tiếp nhận"
    assert email.body.split("\n") == [
        "Kính gửi ông/bà Nguyễn Văn Bình,",
        "",
        f"UBND xã Đông đã tiếp nhận hồ sơ số {CODE}, thủ tục “{PROCEDURE}”.",
        "Ngày hẹn trả kết quả: 17:00 15/09/2026.",
        "",
        *FOOTER,
    ]
    assert rows() == [
        ("received", "email", "sent", 1, False, "", ""),
        ("received", "sms", "sent", 1, False, "", "msg-1"),
    ]


def test_supplement_request(w, gateway, django_capture_on_commit_callbacks):
    d = drive(w, Status.IN_PROCESSING)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.dossier_request_supplement(
            actor=w.all_a,
            dossier=d,
            missing=["Bản sao giấy tờ tùy thân", "Tờ khai có xác nhận"],
            at=vn(2026, 9, 10, 11, 30),
        )
    assert len(callbacks) == 1
    assert sms_texts(gateway) == [
        f"Hồ sơ {CODE} cần bổ sung giấy tờ; thời hạn giải quyết tạm dừng đến khi bổ sung đủ. "
        f"Chi tiết: {URL}"
    ]
    [email] = mail.outbox
    assert email.subject == f"Hồ sơ {CODE}: cần bổ sung giấy tờ"
    assert email.body.split("\n") == [
        "Kính gửi ông/bà Nguyễn Văn Bình,",
        "",
        f"Hồ sơ số {CODE}, thủ tục “{PROCEDURE}”, cần bổ sung:",
        "- Bản sao giấy tờ tùy thân",
        "- Tờ khai có xác nhận",
        "Thời hạn giải quyết tạm dừng cho đến khi UBND xã Đông nhận đủ giấy tờ bổ sung; "
        "ngày hẹn trả kết quả sẽ được tính lại.",
        "",
        *FOOTER,
    ]
    assert rows() == [
        ("supplement", "email", "sent", 1, False, "", ""),
        ("supplement", "sms", "sent", 1, False, "", "msg-1"),
    ]


def test_result_ready(w, gateway, django_capture_on_commit_callbacks):
    d = drive(w, Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.dossier_mark_ready(actor=w.all_a, dossier=d, at=vn(2026, 9, 11, 9, 0))
    assert len(callbacks) == 1
    assert sms_texts(gateway) == [
        f"Hồ sơ {CODE} đã có kết quả. Mời ông/bà đến nhận tại bộ phận một cửa. {URL}"
    ]
    [email] = mail.outbox
    assert email.subject == f"Hồ sơ {CODE}: đã có kết quả"
    assert email.body.split("\n") == [
        "Kính gửi ông/bà Nguyễn Văn Bình,",
        "",
        f"Hồ sơ số {CODE}, thủ tục “{PROCEDURE}”, đã có kết quả.",
        "Mời ông/bà đến nhận kết quả tại bộ phận một cửa của UBND xã Đông.",
        "",
        *FOOTER,
    ]
    assert [r[:3] for r in rows()] == [
        ("result_ready", "email", "sent"),
        ("result_ready", "sms", "sent"),
    ]


def test_delay_apology(w, gateway, django_capture_on_commit_callbacks):
    d = drive(w, Status.IN_PROCESSING)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.dossier_apologize(
            actor=w.all_a,
            dossier=d,
            new_due_at=vn(2026, 9, 18, 16, 30),
            reason="Cần xác minh thêm tại nơi cư trú trước",
            at=vn(2026, 9, 15, 9, 0),
        )
    assert len(callbacks) == 1
    assert sms_texts(gateway) == [
        f"Xin lỗi ông/bà: hồ sơ {CODE} bị chậm. Hẹn trả kết quả mới: 16:30 18/09/2026. "
        f"Tra cứu: {URL}"
    ]
    [email] = mail.outbox
    assert email.subject == f"Hồ sơ {CODE}: thư xin lỗi và hẹn lại"
    assert email.body.split("\n") == [
        "Kính gửi ông/bà Nguyễn Văn Bình,",
        "",
        f"UBND xã Đông xin lỗi ông/bà vì hồ sơ số {CODE}, thủ tục “{PROCEDURE}”, "
        "chưa được giải quyết đúng hẹn.",
        "Lý do: Cần xác minh thêm tại nơi cư trú trước",
        "Ngày hẹn trả kết quả mới: 16:30 18/09/2026.",
        "",
        *FOOTER,
    ]
    assert [r[:3] for r in rows()] == [("delay", "email", "sent"), ("delay", "sms", "sent")]


def test_transferred_dossier_supplement_names_the_competent_agency(
    w, gateway, django_capture_on_commit_callbacks
):
    d = drive(w, Status.TRANSFERRED)
    d = services.dossier_assign(
        actor=w.all_b, dossier=d, assignee=w.specialist_b, at=vn(2026, 9, 10, 14, 0)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_request_supplement(
            actor=w.all_b, dossier=d, missing=["Tờ khai"], at=vn(2026, 9, 10, 15, 0)
        )
    assert "cho đến khi UBND xã Tây nhận đủ" in mail.outbox[0].body


def test_other_events_send_nothing(w, gateway, django_capture_on_commit_callbacks):
    d = drive(w, Status.RECEIVED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        d = services.dossier_assign(
            actor=w.all_a, dossier=d, assignee=w.specialist, at=vn(2026, 9, 10, 10, 30)
        )
        d = services.dossier_forward(
            actor=w.all_a, dossier=d, assignee=w.leader, at=vn(2026, 9, 10, 11, 0)
        )
        d = services.dossier_approve(actor=w.all_a, dossier=d, at=vn(2026, 9, 10, 11, 30))
    assert callbacks == []
    assert gateway.requests == []
    assert mail.outbox == []
    assert rows() == []


def test_only_the_channels_the_applicant_has(w, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receive(w, applicant={**APPLICANT, "email": ""})
    assert len(gateway.requests) == 1
    assert mail.outbox == []
    assert rows() == [("received", "sms", "sent", 1, False, "", "msg-1")]


def test_email_only(w, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receive(w, applicant={**APPLICANT, "phone": ""})
    assert gateway.requests == []
    assert len(mail.outbox) == 1
    assert rows() == [("received", "email", "sent", 1, False, "", "")]


def test_no_contact_no_notice(w, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receive(w, applicant={**APPLICANT, "phone": "", "email": ""})
    assert gateway.requests == []
    assert mail.outbox == []
    assert rows() == []
    assert not AuditEntry.objects.filter(action="person.read").exists()


def test_gateway_500_fails_then_the_next_run_sends(w, gateway, django_capture_on_commit_callbacks):
    gateway.answers.append((500, b'{"error": "busy"}'))
    with django_capture_on_commit_callbacks(execute=True):
        receive(w)
    assert rows() == [
        ("received", "email", "sent", 1, False, "", ""),
        ("received", "sms", "failed", 1, False, "http_500", ""),
    ]
    result = send_dossier_notice.enqueue(CODE, "received")
    assert result.return_value == {"sms": "sent", "email": "sent"}
    assert rows() == [
        ("received", "email", "sent", 1, False, "", ""),
        ("received", "sms", "sent", 2, False, "", "msg-1"),
    ]
    assert len(gateway.requests) == 2
    assert gateway.requests[0].json == gateway.requests[1].json
    assert len(mail.outbox) == 1  # the e-mail had gone out: not sent again


def test_gateway_timeout_is_retried(w, gateway, settings):
    settings.XASO_SMS_TIMEOUT = 0.2
    d = drive(w, Status.RECEIVED)
    gateway.delay = 1.0
    assert dossier_notice_send(dossier_code=d.code, kind="received") == {
        "sms": "failed",
        "email": "sent",
    }
    gateway.delay = 0.0
    assert dossier_notice_send(dossier_code=d.code, kind="received") == {
        "sms": "sent",
        "email": "sent",
    }
    assert rows() == [
        ("received", "email", "sent", 1, False, "", ""),
        ("received", "sms", "sent", 2, False, "", "msg-1"),
    ]


def test_gateway_400_fails_for_good(w, gateway, django_capture_on_commit_callbacks):
    gateway.answers.append((400, b'{"error": "blocked number"}'))
    with django_capture_on_commit_callbacks(execute=True):
        receive(w)
    expected = [
        ("received", "email", "sent", 1, False, "", ""),
        ("received", "sms", "failed", 1, True, "http_400", ""),
    ]
    assert rows() == expected
    send_dossier_notice.enqueue(CODE, "received")
    assert rows() == expected
    assert len(gateway.requests) == 1
    assert len(mail.outbox) == 1


def test_bad_phone_number_fails_for_good_without_calling_the_gateway(w, gateway):
    d = drive(w, Status.RECEIVED)
    # The intake refuses such numbers; a record imported from elsewhere may still hold one.
    Person.objects.filter(pk=d.applicant_id).update(phone="12345")
    dossier_notice_send(dossier_code=d.code, kind="received")
    assert gateway.requests == []
    assert ("received", "sms", "failed", 1, True, "bad_phone", "") in rows()


def test_no_sms_gateway_configured_skips_sms(w, settings, django_capture_on_commit_callbacks):
    del settings.XASO_SMS_URL
    with django_capture_on_commit_callbacks(execute=True):
        receive(w)
    assert rows() == [
        ("received", "email", "sent", 1, False, "", ""),
        ("received", "sms", "skipped", 0, False, "no_gateway", ""),
    ]


def test_skipped_sms_goes_out_once_a_gateway_is_configured(w, gateway, settings):
    d = drive(w, Status.RECEIVED)
    settings.XASO_SMS_URL = ""
    dossier_notice_send(dossier_code=d.code, kind="received")
    settings.XASO_SMS_URL = gateway.url
    dossier_notice_send(dossier_code=d.code, kind="received")
    assert rows() == [
        ("received", "email", "sent", 1, False, "", ""),
        ("received", "sms", "sent", 1, False, "", "msg-1"),
    ]


def test_mail_server_down_is_retried(w, gateway, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    d = drive(w, Status.RECEIVED)
    assert dossier_notice_send(dossier_code=d.code, kind="received") == {
        "sms": "sent",
        "email": "failed",
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert dossier_notice_send(dossier_code=d.code, kind="received") == {
        "sms": "sent",
        "email": "sent",
    }
    assert rows() == [
        ("received", "email", "sent", 2, False, "", ""),
        ("received", "sms", "sent", 1, False, "", "msg-1"),
    ]
    assert len(gateway.requests) == 1
    assert len(mail.outbox) == 1


def test_running_twice_sends_once(w, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receive(w)
    for _ in range(2):
        assert send_dossier_notice.enqueue(CODE, "received").return_value == {
            "sms": "sent",
            "email": "sent",
        }
    assert len(gateway.requests) == 1
    assert len(mail.outbox) == 1
    assert rows() == [
        ("received", "email", "sent", 1, False, "", ""),
        ("received", "sms", "sent", 1, False, "", "msg-1"),
    ]


def test_a_notice_being_sent_by_another_worker_is_left_alone(w, gateway):
    d = drive(w, Status.RECEIVED)
    now = timezone.now()
    DossierNotice.objects.create(
        dossier=d, kind="received", channel="sms", status="sending", at=now
    )
    assert dossier_notice_send(dossier_code=d.code, kind="received")["sms"] == "sending"
    assert gateway.requests == []
    # A worker that died mid-send: after ten minutes the notice is taken over.
    DossierNotice.objects.filter(channel="sms").update(at=now - timedelta(minutes=11))
    assert dossier_notice_send(dossier_code=d.code, kind="received")["sms"] == "sent"
    assert len(gateway.requests) == 1


def test_nothing_queued_when_the_transaction_rolls_back(
    w, gateway, django_capture_on_commit_callbacks
):
    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        receive(w)
        raise Abort
    assert callbacks == []
    assert Dossier.objects.count() == 0
    assert gateway.requests == []
    assert mail.outbox == []
    assert rows() == []


def test_refused_transition_queues_nothing(w, gateway, django_capture_on_commit_callbacks):
    d = drive(w, Status.RECEIVED)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(TransitionNotAllowed),
    ):
        services.dossier_mark_ready(actor=w.all_a, dossier=d)
    assert callbacks == []
    assert gateway.requests == []


def test_unknown_dossier_sends_nothing(w, gateway):
    assert dossier_notice_send(dossier_code="H98.01-260910-9999", kind="received") == {}
    assert gateway.requests == []


def test_no_personal_data_in_logs(w, gateway, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    gateway.answers.append((500, b'{"error": "busy for +84912345678"}'))
    with django_capture_on_commit_callbacks(execute=True):
        receive(w)
    gateway.answers.append((400, b'{"error": "blocked +84912345678"}'))
    d = drive(w, Status.IN_PROCESSING)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_request_supplement(actor=w.all_a, dossier=d, missing=["Tờ khai"])
    send_dossier_notice.enqueue(CODE, "received")

    text = caplog.text
    assert "notice H98.01-260910-0001 received sms: failed (http_500, attempt 1)" in text
    assert "notice H98.01-260910-0002 supplement sms: failed (http_400, attempt 1, permanent)" in (
        text
    )
    assert "notice H98.01-260910-0001 received sms: sent" in text
    for secret in ("0912345678", "912345678", "binh@example.vn", "Nguyễn Văn Bình", "Bình"):
        assert secret not in text
    # Nor in what the notices write to the audit trail (the read of the contact details and
    # each outcome); the person's own entries (person.create) are the people app's business.
    ours = AuditEntry.objects.filter(action__in=["person.read", "dossier.notice"])
    assert ours.count() == 8
    changes = " ".join(f"{e.object_repr} {e.changes}" for e in ours)
    for secret in ("912345678", "binh@example.vn"):
        assert secret not in changes


def test_audit_trail(w, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receive(w)
    reads = AuditEntry.objects.filter(action="person.read")
    assert [(e.actor_id, e.changes) for e in reads] == [
        (None, {"via": "dossier_notice", "dossier": CODE, "kind": "received"})
    ]
    notices = AuditEntry.objects.filter(action="dossier.notice").order_by("seq")
    assert [(e.object_id, e.changes) for e in notices] == [
        (
            CODE,
            {"kind": "received", "channel": "sms", "status": "sent", "attempts": 1, "error": ""},
        ),
        (
            CODE,
            {"kind": "received", "channel": "email", "status": "sent", "attempts": 1, "error": ""},
        ),
    ]


def test_database_backend_queues_after_commit_and_retries_later(w, gateway, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    d = drive(w, Status.RECEIVED)
    gateway.answers.append((503, b"{}"))
    before = timezone.now()
    assert dossier_notice_send(dossier_code=d.code, kind="received")["sms"] == "failed"
    [retry] = DBTaskResult.objects.filter(task_path="xaso.dossiers.tasks.send_dossier_notice")
    assert retry.args_kwargs == {"args": [d.code, "received"], "kwargs": {}}
    assert before + timedelta(minutes=5) <= retry.run_after <= timezone.now() + timedelta(minutes=5)


def test_retries_stop_after_five_attempts(w, gateway, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    d = drive(w, Status.RECEIVED)
    gateway.answers.extend([(500, b"{}")] * 5)
    for _ in range(5):
        dossier_notice_send(dossier_code=d.code, kind="received")
    assert DossierNotice.objects.get(channel="sms").attempts == 5
    run_after = sorted(
        r.run_after - r.enqueued_at
        for r in DBTaskResult.objects.filter(task_path="xaso.dossiers.tasks.send_dossier_notice")
    )
    assert [round(t.total_seconds() / 60) for t in run_after] == [5, 10, 20, 40]
