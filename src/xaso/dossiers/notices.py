"""Notices to the applicant by SMS and e-mail: at reception, when a supplement is requested, when
the result is ready, and with the apology for a late dossier (Decree 118/2025 Arts 17-19, 21;
Circular 01/2018/TT-VPCP Form 04 for the apology).

The workflow services call ``notice_queue`` with the event they just recorded, inside their
transaction: the task (``tasks.send_dossier_notice``) is queued only when the transaction
commits, and takes the event's id only. The task calls ``dossier_notice_send``, which renders the
text from that event (the items it asked for, the new appointment it gave), sends it on every
channel the applicant has (``Person.phone``, ``Person.email``) and records the outcome in
``DossierNotice``: one row per event and channel. So a second supplement request or a second
apology is a new notice, and a notice that went out is never sent again however often the task
runs. A temporary failure (gateway 5xx, timeout, mail
server down) is retried by running the task again; the task re-queues itself with a delay when
the task backend can defer (the database backend). A refusal by the gateway (4xx) is final.

SMS text is Vietnamese in Unicode NFC: every Vietnamese SMS brandname gateway accepts UCS-2
messages, and Vietnamese without its marks is ambiguous (a date, a name of a procedure). The
texts are kept short (code, appointment, lookup address) — about two UCS-2 segments.

Logs carry the dossier code, the kind, the channel and the outcome, never a name, phone number
or e-mail address. Reading the applicant's contact details is audited as ``person.read``
(Decree 13/2023/NĐ-CP), with no actor: the system reads them to notify the applicant.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.integrations.sms import SmsError, phone_e164, sms_client
from xaso.people.models import Person
from xaso.workdays.clock import to_vietnam_time

from .models import (
    NOTICE_ACTIONS,
    Dossier,
    DossierEvent,
    DossierNotice,
    NoticeChannel,
    NoticeKind,
    NoticeStatus,
)

logger = logging.getLogger(__name__)

#: Attempts per channel before a temporary failure is given up (the row stays ``failed``).
MAX_ATTEMPTS = 5
#: First retry delay; it doubles with every failed attempt (5, 10, 20, 40 minutes).
RETRY_DELAY = timedelta(minutes=5)
#: A ``sending`` row older than this is taken to belong to a worker that died.
STALE_SENDING = timedelta(minutes=10)


@dataclass(frozen=True)
class NoticeText:
    sms: str
    subject: str
    body: str


def lookup_url(code: str) -> str:
    """The public status page of the dossier (the address of the receipt's QR code)."""
    return f"{settings.XASO_PUBLIC_BASE_URL}/lookup/{code}/"


def _when(moment: datetime) -> str:
    """'10:00 15/09/2026', Vietnam time."""
    return f"{to_vietnam_time(moment):%H:%M %d/%m/%Y}"


#: The kind of notice each event action causes (the inverse of ``models.NOTICE_ACTIONS``).
NOTICE_KINDS = {action: kind for kind, action in NOTICE_ACTIONS.items()}


def notice_kind(event: DossierEvent) -> NoticeKind:
    """The notice ``event`` causes; ``ValueError`` for an event the applicant is not told of."""
    try:
        return NOTICE_KINDS[event.action]
    except KeyError:
        raise ValueError(f"a '{event.action}' event sends no notice") from None


def notice_render(*, event: DossierEvent, full_name: str) -> NoticeText:
    """The SMS and the e-mail ``event`` causes, in Vietnamese, with what that event recorded (the
    items a supplement request asked for, the new appointment of an apology), whatever the
    dossier has become since."""
    with translation.override("vi"):
        return _render(event, notice_kind(event), full_name)


def _render(event: DossierEvent, kind: NoticeKind, full_name: str) -> NoticeText:
    dossier = event.dossier
    due = dossier.initial_due_at if kind == NoticeKind.RECEIVED else dossier.due_at
    if kind == NoticeKind.DELAY:
        due = datetime.fromisoformat(event.data["due_at"][1])
    values: dict[str, Any] = {
        "code": dossier.code,
        "due": _when(due),
        "url": lookup_url(dossier.code),
        "procedure": dossier.procedure.name,
        "receiving": dossier.receiving_agency.name,
        # The agency that asked or apologised: the competent one at that moment.
        "competent": event.agency.name,
        "reason": event.data.get("reason", ""),
    }
    missing = [str(item) for item in event.data.get("missing", [])]

    def f(template: str) -> str:
        return template % values

    if kind == NoticeKind.RECEIVED:
        sms = f(_("Hồ sơ %(code)s đã được tiếp nhận. Hẹn trả kết quả: %(due)s. Tra cứu: %(url)s"))
        subject = f(_("Hồ sơ %(code)s: đã tiếp nhận"))
        lines = [
            f(_("%(receiving)s đã tiếp nhận hồ sơ số %(code)s, thủ tục “%(procedure)s”.")),
            f(_("Ngày hẹn trả kết quả: %(due)s.")),
        ]
    elif kind == NoticeKind.SUPPLEMENT:
        sms = f(
            _(
                "Hồ sơ %(code)s cần bổ sung giấy tờ; thời hạn giải quyết tạm dừng đến khi "
                "bổ sung đủ. Chi tiết: %(url)s"
            )
        )
        subject = f(_("Hồ sơ %(code)s: cần bổ sung giấy tờ"))
        lines = [
            f(_("Hồ sơ số %(code)s, thủ tục “%(procedure)s”, cần bổ sung:")),
            *[f"- {item}" for item in missing],
            f(
                _(
                    "Thời hạn giải quyết tạm dừng cho đến khi %(competent)s nhận đủ giấy tờ "
                    "bổ sung; ngày hẹn trả kết quả sẽ được tính lại."
                )
            ),
        ]
    elif kind == NoticeKind.RESULT_READY:
        sms = f(_("Hồ sơ %(code)s đã có kết quả. Mời ông/bà đến nhận tại bộ phận một cửa. %(url)s"))
        subject = f(_("Hồ sơ %(code)s: đã có kết quả"))
        lines = [
            f(_("Hồ sơ số %(code)s, thủ tục “%(procedure)s”, đã có kết quả.")),
            f(_("Mời ông/bà đến nhận kết quả tại bộ phận một cửa của %(receiving)s.")),
        ]
    else:
        sms = f(
            _(
                "Xin lỗi ông/bà: hồ sơ %(code)s bị chậm. Hẹn trả kết quả mới: %(due)s. "
                "Tra cứu: %(url)s"
            )
        )
        subject = f(_("Hồ sơ %(code)s: thư xin lỗi và hẹn lại"))
        lines = [
            f(
                _(
                    "%(competent)s xin lỗi ông/bà vì hồ sơ số %(code)s, thủ tục “%(procedure)s”, "
                    "chưa được giải quyết đúng hẹn."
                )
            ),
            f(_("Lý do: %(reason)s")),
            f(_("Ngày hẹn trả kết quả mới: %(due)s.")),
        ]
    body = "\n".join(
        [
            _("Kính gửi ông/bà %(name)s,") % {"name": full_name},
            "",
            *lines,
            "",
            f(_("Tra cứu tình trạng hồ sơ: %(url)s")),
            "",
            _("Thư này được gửi tự động từ hệ thống một cửa điện tử, xin đừng trả lời thư."),
            "",
        ]
    )
    return NoticeText(sms=sms, subject=subject, body=body)


def notice_queue(*, event: DossierEvent) -> None:
    """Queue the notice ``event`` causes once the current transaction commits; nothing is
    queued if it rolls back. A failure to queue is logged, never raised: the dossier change
    stands."""
    notice_kind(event)
    transaction.on_commit(partial(_enqueue, event.pk), robust=True)


def _enqueue(event_id: int, run_after: datetime | None = None) -> None:
    from .tasks import send_dossier_notice

    task = send_dossier_notice
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue(event_id)


# --- Sending --------------------------------------------------------------------------------


def _settled(notice: DossierNotice, now: datetime) -> bool:
    """True when this run must leave the row alone: sent, refused for good, or being sent by
    another worker right now."""
    if notice.status == NoticeStatus.SENT:
        return True
    if notice.status == NoticeStatus.FAILED and notice.permanent:
        return True
    return notice.status == NoticeStatus.SENDING and now - notice.at < STALE_SENDING


def _audit(notice: DossierNotice, code: str) -> None:
    audit_record(
        actor=None,
        action="dossier.notice",
        obj=notice,
        object_id=code,
        object_repr=code,
        changes={
            "kind": notice.kind,
            "channel": notice.channel,
            "status": notice.status,
            "attempts": notice.attempts,
            "error": notice.error,
        },
    )


def _deliver(
    event: DossierEvent, kind: str, channel: str, send: Callable[[], str] | None
) -> DossierNotice:
    """One channel: claim the event's row, send outside any transaction, record the outcome.
    ``send`` returns the provider's id or raises ``SmsError``/``smtplib``/``OSError``; None
    means the channel is not configured here (the notice is skipped)."""
    dossier = event.dossier
    now = timezone.now()
    with transaction.atomic():
        notice, _created = DossierNotice.objects.select_for_update().get_or_create(
            event=event,
            channel=channel,
            defaults={
                "dossier": dossier,
                "kind": kind,
                "status": NoticeStatus.SENDING,
                "at": now,
            },
        )
        if not _created and _settled(notice, now):
            return notice
        notice.at = now
        if send is None:
            notice.status, notice.error = NoticeStatus.SKIPPED, "no_gateway"
            notice.save()
            _audit(notice, dossier.code)
            logger.info("notice %s %s %s: skipped (no gateway)", dossier.code, kind, channel)
            return notice
        notice.status, notice.error = NoticeStatus.SENDING, ""
        notice.attempts += 1
        notice.save()

    provider_id, error, permanent = "", "", False
    try:
        provider_id = send()
    except SmsError as exc:
        error, permanent = exc.reason, exc.permanent
    except smtplib.SMTPRecipientsRefused:
        error, permanent = "smtp_refused", True
    except (smtplib.SMTPException, OSError):
        error = "smtp_error"

    notice.at = timezone.now()
    notice.status = NoticeStatus.FAILED if error else NoticeStatus.SENT
    notice.error, notice.permanent, notice.provider_id = error, permanent, provider_id
    with transaction.atomic():
        notice.save(update_fields=["at", "status", "error", "permanent", "provider_id"])
        _audit(notice, dossier.code)
    if error:
        logger.warning(
            "notice %s %s %s: failed (%s, attempt %d%s)",
            dossier.code,
            kind,
            channel,
            error,
            notice.attempts,
            ", permanent" if permanent else "",
        )
    else:
        logger.info("notice %s %s %s: sent", dossier.code, kind, channel)
    return notice


def _contacts(dossier: Dossier, kind: str) -> Person:
    """The applicant's row, its read audited (personal data, Decree 13/2023 Art 27)."""
    person = dossier.applicant
    audit_record(
        actor=None,
        action="person.read",
        obj=person,
        changes={"via": "dossier_notice", "dossier": dossier.code, "kind": kind},
    )
    return person


def dossier_notice_send(*, event_id: int) -> dict[str, str]:
    """Send the notice event ``event_id`` causes on each channel the applicant has and record
    each outcome; returns {channel: status}. Safe to run again: what was sent is not sent twice,
    what failed for a while is tried again, what the gateway refused stays refused."""
    event = (
        DossierEvent.objects.select_related(
            "agency",
            "dossier__applicant",
            "dossier__procedure",
            "dossier__receiving_agency",
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        logger.warning("notice: no event %s", event_id)
        return {}
    kind = notice_kind(event).value
    dossier = event.dossier
    if not (dossier.applicant.phone or dossier.applicant.email):
        logger.info("notice %s %s: the applicant has no phone or e-mail", dossier.code, kind)
        return {}
    person = _contacts(dossier, kind)
    text = notice_render(event=event, full_name=person.full_name)
    outcome: dict[str, DossierNotice] = {}

    if person.phone:
        client = sms_client()
        send_sms: Callable[[], str] | None = None
        if client is not None:
            phone = person.phone

            def send_sms() -> str:
                return client.send(to=phone_e164(phone), text=text.sms)

        outcome[NoticeChannel.SMS] = _deliver(event, kind, NoticeChannel.SMS, send_sms)

    if person.email:
        email = person.email

        def send_email() -> str:
            send_mail(
                text.subject,
                text.body,
                settings.DEFAULT_FROM_EMAIL,
                [email],
                fail_silently=False,
            )
            return ""

        outcome[NoticeChannel.EMAIL] = _deliver(event, kind, NoticeChannel.EMAIL, send_email)

    retry = [
        n.attempts
        for n in outcome.values()
        if n.status == NoticeStatus.FAILED and not n.permanent and n.attempts < MAX_ATTEMPTS
    ]
    if retry:
        _schedule_retry(event, kind, attempts=max(retry))
    return {str(channel): n.status for channel, n in outcome.items()}


def notice_event_for(*, dossier_code: str, kind: str) -> int | None:
    """The event a notice queued as (dossier code, kind) was about — the task's arguments before
    notices were tied to events (migration 0005): the dossier's first event of that kind, the one
    such a notice was sent for. None when there is no such dossier or event."""
    event = (
        DossierEvent.objects.filter(
            dossier__code=dossier_code, action=NOTICE_ACTIONS[NoticeKind(kind)]
        )
        .order_by("at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if event is None:
        logger.warning("notice %s %s: no such dossier or event", dossier_code, kind)
    return event


def _schedule_retry(event: DossierEvent, kind: str, *, attempts: int) -> None:
    """Queue the task again later when the backend can defer; with a backend that runs tasks at
    once (tests, no worker) the retry is left to the next run of the task."""
    from .tasks import send_dossier_notice

    code = event.dossier.code
    if not send_dossier_notice.get_backend().supports_defer:
        logger.info("notice %s %s: retry left to the next run", code, kind)
        return
    delay = RETRY_DELAY * (2 ** (attempts - 1))
    _enqueue(event.pk, run_after=timezone.now() + delay)
    logger.info("notice %s %s: retry in %d minutes", code, kind, delay.total_seconds() // 60)
