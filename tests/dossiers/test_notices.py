"""Notices to the applicant (SMS and e-mail) at reception, supplement request, result ready and
delay: queued after commit, sent by the real task through the real SMS client to a local gateway
and through Django's locmem mail backend; outcomes recorded once per event and channel, so a
second supplement request or apology is told too, and a retried task never sends twice."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from tests.dossiers.world import APPLICANT, World, drive, receive, vn
from tests.integrations.gateway import Gateway, sms_gateway
from xaso.core.models import AuditEntry
from xaso.dossiers import notices, services
from xaso.dossiers.errors import TransitionNotAllowed
from xaso.dossiers.models import Dossier, DossierEvent, DossierNotice, Status
from xaso.dossiers.notices import dossier_notice_send, notice_queue
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


def event_id(code: str, action: str = "receive", nth: int = 0) -> int:
    """The id of the ``nth`` ``action`` event of dossier ``code``."""
    events = DossierEvent.objects.filter(dossier__code=code, action=action).order_by("at", "pk")
    return events.values_list("pk", flat=True)[nth]


def queued(callbacks: list[object]) -> list[object]:
    """The on-commit callbacks that queue a notice (other apps may register their own)."""
    return [c for c in callbacks if isinstance(c, partial) and c.func is notices._enqueue]


def rows() -> list[tuple[str, str, str, int, bool, str, str]]:
    return list(
        DossierNotice.objects.order_by("kind", "event__at", "event_id", "channel").values_list(
            "kind", "channel", "status", "attempts", "permanent", "error", "provider_id"
        )
    )


def sms_texts(gateway: Gateway) -> list[str]:
    return [r.json["text"] for r in gateway.requests]


def test_receipt_one_sms_and_one_email_after_commit(w, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        receive(w)
    assert len(queued(callbacks)) == 1
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
    assert len(queued(callbacks)) == 1
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
    assert len(queued(callbacks)) == 1
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
    assert len(queued(callbacks)) == 1
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
    assert queued(callbacks) == []
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
    result = send_dossier_notice.enqueue(event_id(CODE))
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
    assert dossier_notice_send(event_id=event_id(d.code)) == {
        "sms": "failed",
        "email": "sent",
    }
    gateway.delay = 0.0
    assert dossier_notice_send(event_id=event_id(d.code)) == {
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
    send_dossier_notice.enqueue(event_id(CODE))
    assert rows() == expected
    assert len(gateway.requests) == 1
    assert len(mail.outbox) == 1


def test_bad_phone_number_fails_for_good_without_calling_the_gateway(w, gateway):
    d = drive(w, Status.RECEIVED)
    # The intake refuses such numbers; a record imported from elsewhere may still hold one.
    Person.objects.filter(pk=d.applicant_id).update(phone="12345")
    dossier_notice_send(event_id=event_id(d.code))
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
    dossier_notice_send(event_id=event_id(d.code))
    settings.XASO_SMS_URL = gateway.url
    dossier_notice_send(event_id=event_id(d.code))
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
    assert dossier_notice_send(event_id=event_id(d.code)) == {
        "sms": "sent",
        "email": "failed",
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert dossier_notice_send(event_id=event_id(d.code)) == {
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
        assert send_dossier_notice.enqueue(event_id(CODE)).return_value == {
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
        dossier=d,
        event_id=event_id(d.code),
        kind="received",
        channel="sms",
        status="sending",
        at=now,
    )
    assert dossier_notice_send(event_id=event_id(d.code))["sms"] == "sending"
    assert gateway.requests == []
    # A worker that died mid-send: after ten minutes the notice is taken over.
    DossierNotice.objects.filter(channel="sms").update(at=now - timedelta(minutes=11))
    assert dossier_notice_send(event_id=event_id(d.code))["sms"] == "sent"
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
    assert queued(callbacks) == []
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
    assert queued(callbacks) == []
    assert gateway.requests == []


def test_unknown_dossier_sends_nothing(w, gateway):
    assert dossier_notice_send(event_id=987654) == {}
    assert send_dossier_notice.enqueue("H98.01-260910-9999", "received").return_value == {}
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
    send_dossier_notice.enqueue(event_id(CODE))

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
    assert dossier_notice_send(event_id=event_id(d.code))["sms"] == "failed"
    [retry] = DBTaskResult.objects.filter(task_path="xaso.dossiers.tasks.send_dossier_notice")
    assert retry.args_kwargs == {"args": [event_id(d.code)], "kwargs": {}}
    assert before + timedelta(minutes=5) <= retry.run_after <= timezone.now() + timedelta(minutes=5)


def test_retries_stop_after_five_attempts(w, gateway, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    d = drive(w, Status.RECEIVED)
    gateway.answers.extend([(500, b"{}")] * 5)
    for _ in range(5):
        dossier_notice_send(event_id=event_id(d.code))
    assert DossierNotice.objects.get(channel="sms").attempts == 5
    run_after = sorted(
        r.run_after - r.enqueued_at
        for r in DBTaskResult.objects.filter(task_path="xaso.dossiers.tasks.send_dossier_notice")
    )
    assert [round(t.total_seconds() / 60) for t in run_after] == [5, 10, 20, 40]


# --- One notice per event -------------------------------------------------------------------


def supplement_round(w: World, d: Dossier, missing: list[str], day: int) -> Dossier:
    """Request a supplement on ``day`` at 09:00 and receive it at 10:00."""
    d = services.dossier_request_supplement(
        actor=w.all_a, dossier=d, missing=missing, at=vn(2026, 9, day, 9, 0)
    )
    return services.dossier_receive_supplement(actor=w.all_a, dossier=d, at=vn(2026, 9, day, 10, 0))


def test_a_second_supplement_request_is_told_too(w, gateway, django_capture_on_commit_callbacks):
    d = drive(w, Status.IN_PROCESSING)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        d = supplement_round(w, d, ["Tờ khai"], 11)
        services.dossier_request_supplement(
            actor=w.all_a, dossier=d, missing=["Bản sao sổ hộ khẩu"], at=vn(2026, 9, 14, 9, 0)
        )
    assert len(queued(callbacks)) == 2
    text = (
        f"Hồ sơ {CODE} cần bổ sung giấy tờ; thời hạn giải quyết tạm dừng đến khi bổ sung đủ. "
        f"Chi tiết: {URL}"
    )
    assert sms_texts(gateway) == [text, text]
    assert [m.body.split("\n")[3] for m in mail.outbox] == ["- Tờ khai", "- Bản sao sổ hộ khẩu"]
    assert rows() == [
        ("supplement", "email", "sent", 1, False, "", ""),
        ("supplement", "sms", "sent", 1, False, "", "msg-1"),
        ("supplement", "email", "sent", 1, False, "", ""),
        ("supplement", "sms", "sent", 1, False, "", "msg-2"),
    ]
    first, second = (event_id(CODE, "request_supplement", n) for n in (0, 1))
    assert sorted(DossierNotice.objects.values_list("event_id", "channel")) == [
        (first, "email"),
        (first, "sms"),
        (second, "email"),
        (second, "sms"),
    ]
    # Retrying either task sends nothing again.
    for event in (first, second):
        assert send_dossier_notice.enqueue(event).return_value == {"sms": "sent", "email": "sent"}
    assert len(gateway.requests) == 2
    assert len(mail.outbox) == 2


def test_a_second_apology_is_told_with_its_own_date(w, gateway, django_capture_on_commit_callbacks):
    d = drive(w, Status.IN_PROCESSING)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for new_due, day in ((vn(2026, 9, 18, 16, 30), 15), (vn(2026, 9, 24, 10, 0), 18)):
            d = services.dossier_apologize(
                actor=w.all_a,
                dossier=d,
                new_due_at=new_due,
                reason=f"Lý do lần ngày {day}",
                at=vn(2026, 9, day, 9, 0),
            )
    assert len(queued(callbacks)) == 2
    assert sms_texts(gateway) == [
        f"Xin lỗi ông/bà: hồ sơ {CODE} bị chậm. Hẹn trả kết quả mới: {due}. Tra cứu: {URL}"
        for due in ("16:30 18/09/2026", "10:00 24/09/2026")
    ]
    assert [m.body.split("\n")[3:5] for m in mail.outbox] == [
        ["Lý do: Lý do lần ngày 15", "Ngày hẹn trả kết quả mới: 16:30 18/09/2026."],
        ["Lý do: Lý do lần ngày 18", "Ngày hẹn trả kết quả mới: 10:00 24/09/2026."],
    ]
    assert [r[:3] for r in rows()] == [
        ("delay", "email", "sent"),
        ("delay", "sms", "sent"),
        ("delay", "email", "sent"),
        ("delay", "sms", "sent"),
    ]


def test_a_late_task_tells_what_its_event_recorded(w, gateway, django_capture_on_commit_callbacks):
    """The worker may run after the dossier moved on: the notice still says what was asked."""
    d = drive(w, Status.IN_PROCESSING)
    with django_capture_on_commit_callbacks(execute=False):
        d = services.dossier_apologize(
            actor=w.all_a,
            dossier=d,
            new_due_at=vn(2026, 9, 18, 16, 30),
            reason="Chờ xác minh",
            at=vn(2026, 9, 14, 9, 0),
        )
        d = supplement_round(w, d, ["Tờ khai"], 15)
        services.dossier_apologize(
            actor=w.all_a,
            dossier=d,
            new_due_at=vn(2026, 9, 25, 16, 30),
            reason="Chờ cơ quan khác",
            at=vn(2026, 9, 16, 9, 0),
        )
    assert gateway.requests == []
    send_dossier_notice.enqueue(event_id(CODE, "request_supplement"))
    send_dossier_notice.enqueue(event_id(CODE, "apologize", 0))
    assert mail.outbox[0].body.split("\n")[3] == "- Tờ khai"
    assert "Hẹn trả kết quả mới: 16:30 18/09/2026." in sms_texts(gateway)[1]
    assert mail.outbox[1].body.split("\n")[3] == "Lý do: Chờ xác minh"


def test_a_retry_of_one_event_leaves_the_other_alone(
    w, gateway, django_capture_on_commit_callbacks
):
    d = drive(w, Status.IN_PROCESSING)
    gateway.answers.append((500, b"{}"))
    with django_capture_on_commit_callbacks(execute=True):
        d = supplement_round(w, d, ["Tờ khai"], 11)
        services.dossier_request_supplement(
            actor=w.all_a, dossier=d, missing=["Ảnh"], at=vn(2026, 9, 14, 9, 0)
        )
    first = event_id(CODE, "request_supplement", 0)
    assert DossierNotice.objects.get(event_id=first, channel="sms").status == "failed"
    assert send_dossier_notice.enqueue(first).return_value == {"sms": "sent", "email": "sent"}
    assert [r[:4] for r in rows()] == [
        ("supplement", "email", "sent", 1),
        ("supplement", "sms", "sent", 2),
        ("supplement", "email", "sent", 1),
        ("supplement", "sms", "sent", 1),
    ]
    assert len(gateway.requests) == 3
    assert len(mail.outbox) == 2


def test_a_task_queued_with_the_old_arguments_is_sent_for_its_event(w, gateway):
    """Tasks queued before the upgrade carry (dossier code, kind): the first event of the kind."""
    d = drive(w, Status.IN_PROCESSING)
    d = supplement_round(w, d, ["Tờ khai"], 11)
    result = send_dossier_notice.enqueue(CODE, "supplement")
    assert result.return_value == {"sms": "sent", "email": "sent"}
    assert set(DossierNotice.objects.values_list("event_id", flat=True)) == {
        event_id(CODE, "request_supplement")
    }


def test_an_event_without_a_notice_is_refused_at_queueing(w):
    d = drive(w, Status.IN_PROCESSING)
    assign = DossierEvent.objects.get(dossier=d, action="assign")
    with pytest.raises(ValueError, match="'assign' event sends no notice"):
        notice_queue(event=assign)
