"""A province with two communes (A, B) and a commune of another province (C), their staff, the
shipped catalogue, and helpers that drive a dossier into any status."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from tests import factories
from xaso.accounts.models import ApiToken
from xaso.accounts.services import _hash
from xaso.core.models import AuditEntry
from xaso.dossiers import services
from xaso.dossiers.models import Dossier, DossierChecklistItem, DossierEvent, Status
from xaso.org.models import Agency, Staff
from xaso.procedures.exchange import catalogue_load_seed

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BIRTH = "1.001193"  # đăng ký khai sinh: same day, 15:00 cut-off
MARITAL = "1.004873"  # xác nhận tình trạng hôn nhân: 3 working days
PID = "001090012345"  # Hà Nội (001), male born 1990 (0, 90)
APPLICANT = {
    "full_name": "Nguyễn Văn Bình",
    "personal_id": PID,
    "date_of_birth": "1990-05-17",
    "phone": "0912345678",
    "email": "binh@example.vn",
    "address": "Thôn Đông, xã Thử Nghiệm",
}


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


ALL_ROLES = ("reception", "specialist", "leader", "clerk")


@dataclass
class World:
    a: Agency
    b: Agency
    c: Agency
    reception: Staff
    specialist: Staff
    leader: Staff
    clerk: Staff
    admin: Staff
    supervisor: Staff
    all_a: Staff  # every working role in A, to test the table apart from permissions
    all_b: Staff
    reception_b: Staff
    specialist_b: Staff
    leader_b: Staff
    reception_c: Staff

    def staff_of_a(self) -> dict[str, Staff]:
        return {
            "reception": self.reception,
            "specialist": self.specialist,
            "leader": self.leader,
            "clerk": self.clerk,
            "admin": self.admin,
            "supervisor": self.supervisor,
        }


def build_world() -> World:
    province = factories.unit(name="Tỉnh Thử Nghiệm", code="98", level_code="province")
    other = factories.unit(name="Tỉnh Khác", code="97", level_code="province")
    a = factories.agency(code="H98.01", unit_obj=factories.unit(parent=province, name="Xã Đông"))
    b = factories.agency(code="H98.02", unit_obj=factories.unit(parent=province, name="Xã Tây"))
    c = factories.agency(code="H97.01", unit_obj=factories.unit(parent=other, name="Xã Bắc"))

    def s(agency: Agency, *roles: str, name: str) -> Staff:
        return factories.staff(agency_obj=agency, roles=roles, username=name)

    catalogue_load_seed()
    return World(
        a=a,
        b=b,
        c=c,
        reception=s(a, "reception", name="tiepnhan"),
        specialist=s(a, "specialist", name="chuyenvien"),
        leader=s(a, "leader", name="lanhdao"),
        clerk=s(a, "clerk", name="vanthu"),
        admin=s(a, "admin", name="quantri"),
        supervisor=s(a, "supervisor", name="giamsat"),
        all_a=s(a, *ALL_ROLES, name="danang"),
        all_b=s(b, *ALL_ROLES, name="danang_b"),
        reception_b=s(b, "reception", name="tiepnhan_b"),
        specialist_b=s(b, "specialist", name="chuyenvien_b"),
        leader_b=s(b, "leader", name="lanhdao_b"),
        reception_c=s(c, "reception", name="tiepnhan_c"),
    )


def receive(w: World, code: str = MARITAL, at: datetime | None = None, **kw: Any) -> Dossier:
    return services.dossier_receive(
        actor=kw.pop("actor", w.reception),
        procedure_code=code,
        channel=kw.pop("channel", "counter"),
        applicant=kw.pop("applicant", APPLICANT),
        received_at=at or vn(2026, 9, 10, 10, 0),
        **kw,
    )


def drive(w: World, status: str, code: str = MARITAL) -> Dossier:
    """A dossier of agency A in ``status``, reached through the services (times in Sept 2026)."""
    d = receive(w, code)
    t = vn(2026, 9, 10, 10, 30)
    if status == Status.RECEIVED:
        return d
    if status == Status.TRANSFERRED:
        return services.dossier_transfer(actor=w.all_a, dossier=d, agency=w.b, at=t)
    if status == Status.REFUSED:
        return services.dossier_refuse(
            actor=w.all_a, dossier=d, reason="Không thuộc thẩm quyền", at=t
        )
    if status == Status.WITHDRAWN:
        return services.dossier_withdraw(actor=w.all_a, dossier=d, reason="Xin rút", at=t)
    d = services.dossier_assign(actor=w.all_a, dossier=d, assignee=w.specialist, at=t)
    if status == Status.IN_PROCESSING:
        return d
    if status == Status.AWAITING_SUPPLEMENT:
        return services.dossier_request_supplement(
            actor=w.all_a,
            dossier=d,
            missing=["Bản sao giấy tờ tùy thân"],
            at=t + timedelta(hours=1),
        )
    d = services.dossier_forward(
        actor=w.all_a, dossier=d, assignee=w.leader, at=t + timedelta(hours=1)
    )
    d = services.dossier_approve(actor=w.all_a, dossier=d, at=t + timedelta(hours=2))
    if status == Status.APPROVED:
        return d
    d = services.dossier_mark_ready(actor=w.all_a, dossier=d, at=t + timedelta(hours=3))
    if status == Status.RESULT_READY:
        return d
    assert status == Status.RETURNED
    return services.dossier_return_result(actor=w.all_a, dossier=d, at=t + timedelta(hours=4))


def state() -> tuple[Any, ...]:
    """Everything a refused call must leave as it was."""
    return (
        sorted(
            Dossier.objects.values_list(
                "code",
                "status",
                "competent_agency_id",
                "current_step_id",
                "assignee_id",
                "step_due_at",
                "due_at",
                "statutory_due_at",
                "supplement_count",
                "supplement_late",
                "finished_at",
                "returned_at",
                "refusal_reason",
                "withdrawal_reason",
                "apologized_at",
            )
        ),
        DossierEvent.objects.count(),
        DossierChecklistItem.objects.count(),
        AuditEntry.objects.count(),
    )


def bearer(staff: Staff) -> dict[str, str]:
    token = secrets.token_urlsafe(16)
    ttl = timedelta(hours=settings.XASO_API_TOKEN_TTL_HOURS)
    ApiToken.objects.create(key_hash=_hash(token), staff=staff, expires_at=timezone.now() + ttl)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
