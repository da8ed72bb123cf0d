"""Reports up, on one node through the real exchange: request → copies at the communes →
submissions back → what the district sees; refusals leave nothing written."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry
from xaso.exchange import services as exchange
from xaso.exchange.models import InboxMessage, Node, OutboxMessage, Package, RemoteAgency
from xaso.reports import errors, selectors, services
from xaso.reports.models import ReportRequest, ReportSubmission, ReportTarget

from .conftest import INDICATORS, request_kwargs

pytestmark = pytest.mark.django_db


def create(actor, **overrides):
    return services.report_request_create(actor=actor, **request_kwargs(**overrides))


def send(world, capture, request, codes=None):
    with capture(execute=True):
        return services.report_request_send(actor=world.leader, request=request, codes=codes)


def copy_at(request, agency):
    return ReportRequest.objects.get(origin_id=request.origin_id, agency=agency)


def submit(capture, actor, copy, **kwargs):
    with capture(execute=True):
        return services.report_submit(actor=actor, request=copy, **kwargs)


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


# --- Creating -----------------------------------------------------------------------------------


def test_create_keeps_the_form_and_audits(world):
    req = create(world.leader)
    assert req.direction == "outgoing" and req.status == "draft"
    assert req.origin_id == req.public_id
    assert (req.requester_code, req.agency_id) == ("H25.37", world.huyen.pk)
    assert req.indicators == INDICATORS
    assert AuditEntry.objects.filter(action="reports.request_create").count() == 1


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"title": "  "}, errors.RequestInvalid, "title"),
        ({"deadline": timezone.now() - timedelta(minutes=1)}, errors.RequestInvalid, "deadline"),
        ({"kind": "essay"}, errors.RequestInvalid, "kind"),
        ({"indicators": []}, errors.IndicatorsInvalid, "indicators"),
        (
            {"indicators": [{"code": "Hồ sơ", "label": "x", "unit": "", "type": "integer"}]},
            errors.IndicatorsInvalid,
            "indicators.1",
        ),
        (
            {"indicators": [*INDICATORS, {"code": "ty_le", "label": "Lặp", "type": "decimal"}]},
            errors.IndicatorsInvalid,
            "indicators.3",
        ),
        (
            {"indicators": [{"code": "a", "label": "A", "unit": "", "type": "float"}]},
            errors.IndicatorsInvalid,
            "indicators.1",
        ),
        ({"kind": "file"}, errors.IndicatorsInvalid, "indicators"),
        ({"signature_required": True}, errors.RequestInvalid, "signature_required"),
    ],
)
def test_create_refusals_write_nothing(world, overrides, error, field):
    with pytest.raises(error) as exc:
        create(world.leader, **overrides)
    assert field in exc.value.fields
    assert ReportRequest.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="reports.").exists()


def test_create_period_must_be_ordered(world):
    from datetime import date

    with pytest.raises(errors.RequestInvalid) as exc:
        create(world.leader, period_from=date(2026, 12, 31), period_to=date(2026, 10, 1))
    assert exc.value.fields == {"period_to": ["Kỳ báo cáo phải kết thúc sau khi bắt đầu."]}


@pytest.mark.parametrize("who", ["supervisor", "specialist_huyen", "clerk1", "reception1"])
def test_only_leaders_and_admins_request(world, who):
    with pytest.raises(PermissionDenied):
        create(getattr(world, who))
    assert ReportRequest.objects.count() == 0


def test_admin_may_request(world):
    assert create(world.admin).created_by_id == world.admin.pk


# --- Sending ------------------------------------------------------------------------------------


def test_send_to_all_below_makes_copies_at_each_commune(world, django_capture_on_commit_callbacks):
    req = create(world.leader, instructions="Số liệu tính đến hết ngày 31/12.")
    send(world, django_capture_on_commit_callbacks, req)
    req.refresh_from_db()
    assert req.status == "sent" and req.sent_at is not None
    targets = list(req.targets.order_by("agency_code"))
    assert [(t.agency_code, t.agency_id, t.state, t.delivery) for t in targets] == [
        ("H25.37.01", world.xa1.pk, "pending", "arrived"),
        ("H25.37.02", world.xa2.pk, "pending", "arrived"),
    ]
    # One package, one outbox row per target.
    assert len({t.message_id for t in targets}) == 1
    assert OutboxMessage.objects.filter(document_kind="report_request").count() == 2
    for agency in (world.xa1, world.xa2):
        c = copy_at(req, agency)
        assert c.direction == "incoming" and c.status == "sent"
        assert (c.requester_code, c.requester_name) == ("H25.37", "UBND huyện Thanh Sơn")
        assert c.indicators == INDICATORS and c.deadline == req.deadline
        assert c.instructions == "Số liệu tính đến hết ngày 31/12."
        assert [(t.agency_code, t.state) for t in c.targets.all()] == [(agency.code, "pending")]
    assert not ReportRequest.objects.filter(origin_id=req.origin_id, agency=world.other).exists()


def test_send_to_chosen_agencies_only(world, django_capture_on_commit_callbacks):
    req = create(world.leader)
    send(world, django_capture_on_commit_callbacks, req, codes=["H25.37.02"])
    assert list(req.targets.values_list("agency_code", flat=True)) == ["H25.37.02"]
    assert ReportRequest.objects.filter(origin_id=req.origin_id).count() == 2


def test_send_to_an_agency_not_below_writes_nothing(world, django_capture_on_commit_callbacks):
    req = create(world.leader)
    with pytest.raises(errors.TargetInvalid) as exc:
        send(world, django_capture_on_commit_callbacks, req, codes=["H25.37.01", "H25.38"])
    assert exc.value.fields == {"codes": ["H25.38"]}
    req.refresh_from_db()
    assert req.status == "draft"
    assert ReportTarget.objects.count() == 0
    assert OutboxMessage.objects.count() == 0 and Package.objects.count() == 0
    with pytest.raises(errors.TargetInvalid):
        send(world, django_capture_on_commit_callbacks, req, codes=[])


def test_send_twice_and_by_others_refused(world, django_capture_on_commit_callbacks):
    req = create(world.leader)
    with pytest.raises(PermissionDenied):
        services.report_request_send(actor=world.supervisor, request=req)
    send(world, django_capture_on_commit_callbacks, req)
    with pytest.raises(errors.RequestNotDraft):
        send(world, django_capture_on_commit_callbacks, req)
    assert ReportTarget.objects.filter(request=req).count() == 2


def test_agency_without_agencies_below_cannot_send(world, django_capture_on_commit_callbacks):
    from tests import factories

    leader = factories.staff(agency_obj=world.xa1, roles=("leader",))
    req = create(leader)
    with pytest.raises(errors.NotSuperior):
        services.report_request_send(actor=leader, request=req)
    assert ReportTarget.objects.count() == 0


def test_agency_on_another_node_is_a_target(world, django_capture_on_commit_callbacks):
    from xaso.exchange import directory, nodes

    # Packages to another node carry this node's signature: this node has its key.
    for made in (nodes.key_path(), nodes.certificate_path()):  # by an earlier test's node
        made.unlink(missing_ok=True)
    nodes._key_cache.clear()
    directory.node_init(code="NODE-H", name="Nút huyện", base_url="http://127.0.0.1:8")
    node = Node.objects.create(
        code="node-tan-son", name="Nút Tân Sơn", base_url="https://127.0.0.1:1", certificate="-"
    )
    RemoteAgency.objects.create(
        code="H25.37.09", name="UBND xã Xuân Sơn", node=node, parent_code="H25.37"
    )
    RemoteAgency.objects.create(code="H25.40", name="UBND huyện Khác", node=node, parent_code="")
    codes = [c.code for c in selectors.target_candidates(agency=world.huyen)]
    assert codes == ["H25.37.01", "H25.37.02", "H25.37.09"]
    req = create(world.leader)
    send(world, django_capture_on_commit_callbacks, req)
    remote = req.targets.get(agency_code="H25.37.09")
    assert (remote.agency_id, remote.agency_name, remote.delivery) == (None, "UBND xã Xuân Sơn", "")
    row = OutboxMessage.objects.get(recipient_code="H25.37.09")
    assert row.node_id == node.pk and row.state in ("pending", "failed")


# --- Submitting ---------------------------------------------------------------------------------


def test_round_trip_aggregates_and_resubmission(world, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    req = create(world.leader)
    send(world, cap, req)
    c1, c2 = copy_at(req, world.xa1), copy_at(req, world.xa2)

    s1 = submit(cap, world.clerk1, c1, values={"ho_so_truc_tuyen": 120, "ty_le": "87.5"})
    assert (s1.version, s1.is_current, s1.is_late, s1.delivery) == (1, True, False, "")
    s1.refresh_from_db()
    assert s1.delivery == "arrived"
    t1 = req.targets.get(agency_code="H25.37.01")
    assert (t1.state, t1.current_version) == ("submitted", 1)
    got = ReportSubmission.objects.get(target=t1)
    assert got.values == {"ho_so_truc_tuyen": 120, "ty_le": "87.5"}
    assert got.submitted_by_name == "Nguyễn Thị Hằng"
    assert got.message_id == s1.message_id

    summary = selectors.request_summary(request=req)
    assert [t.agency_code for t in summary.missing] == ["H25.37.02"]
    assert [t.agency_code for t in summary.submitted] == ["H25.37.01"]

    submit(cap, world.leader2, c2, values={"ho_so_truc_tuyen": "35", "ty_le": 62.25})
    # A corrected report before the deadline replaces the first; both are kept.
    submit(cap, world.specialist1, c1, values={"ho_so_truc_tuyen": 125, "ty_le": "88.10"})
    t1.refresh_from_db()
    assert (t1.state, t1.current_version) == ("submitted", 2)
    assert list(
        ReportSubmission.objects.filter(target=t1).values_list("version", "is_current")
    ) == [(2, True), (1, False)]
    assert c1.targets.get().current_version == 2

    summary = selectors.request_summary(request=req)
    assert summary.missing == [] and summary.late == []
    assert summary.submission_count == 2
    assert [(a["code"], a["total"], a["count"]) for a in summary.aggregates] == [
        ("ho_so_truc_tuyen", 160, 2),
        ("ty_le", "150.35", 2),
    ]
    assert Decimal(summary.aggregates[1]["total"]) == Decimal("88.1") + Decimal("62.25")


def test_redelivered_report_is_recorded_once(world, django_capture_on_commit_callbacks):
    from xaso.exchange.edxml import document_from_xml, document_to_xml

    cap = django_capture_on_commit_callbacks
    req = create(world.leader)
    send(world, cap, req)
    s = submit(
        cap, world.clerk1, copy_at(req, world.xa1), values={"ho_so_truc_tuyen": 1, "ty_le": "1"}
    )
    payload = Package.objects.get(message_id=s.message_id).data
    pkg = document_from_xml(bytes(payload))
    # The same package again (the exchange recognises it) and the same version under a new
    # message id (the handler recognises it): one submission at the district.
    exchange.inbox_receive(payload=bytes(payload), recipient_code="H25.37", from_node=None)
    import dataclasses

    again = dataclasses.replace(pkg, message_id="7d3c1c52-2b36-4f5e-9a55-6d1f0c1e9a01")
    with cap(execute=True):
        exchange.inbox_receive(
            payload=document_to_xml(again), recipient_code="H25.37", from_node=None
        )
    assert ReportSubmission.objects.filter(target__request=req).count() == 1


def test_report_from_an_agency_not_asked_is_refused(world, django_capture_on_commit_callbacks):
    from xaso.exchange.edxml import DocumentPackage, Organization

    cap = django_capture_on_commit_callbacks
    req = create(world.leader)
    send(world, cap, req, codes=["H25.37.01"])
    pkg = DocumentPackage(
        message_id="0f5b5d0e-8d0e-4a77-8b7a-3f6d1c2e4b11",
        sender=Organization("H25.37.02", "UBND xã Địch Quả"),
        recipients=[Organization("H25.37", "UBND huyện Thanh Sơn")],
        code_number="",
        code_notation="",
        place="",
        promulgation_date=timezone.localdate(),
        document_type="BC",
        document_type_name="Báo cáo",
        subject="Báo cáo",
        kind="report",
        extra={
            "request_id": str(req.origin_id),
            "version": "1",
            "submitted_at": timezone.now().isoformat(),
            "values": json.dumps({"ho_so_truc_tuyen": 5, "ty_le": "1"}),
        },
    )
    with cap(execute=True):
        exchange.exchange_send(package=pkg)
    inbox = InboxMessage.objects.get(message_id=pkg.message_id)
    assert inbox.state == "refused"
    assert inbox.reason == "Cơ quan H25.37.02 không được yêu cầu nộp báo cáo này."
    assert ReportSubmission.objects.count() == 0


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"ho_so_truc_tuyen": 12}, {"values.ty_le": ["Chưa nhập số liệu cho chỉ tiêu này."]}),
        (
            {"ho_so_truc_tuyen": "12,5", "ty_le": "abc"},
            {
                "values.ho_so_truc_tuyen": ["Phải là số nguyên."],
                "values.ty_le": ["Phải là một số."],
            },
        ),
        (
            {"ho_so_truc_tuyen": 1, "ty_le": "1.12345"},
            {"values.ty_le": ["Tối đa 4 chữ số sau dấu thập phân."]},
        ),
        (
            {"ho_so_truc_tuyen": 1, "ty_le": 1, "khac": 3},
            {"values.khac": ["Biểu mẫu không có chỉ tiêu này."]},
        ),
        (
            {"ho_so_truc_tuyen": True, "ty_le": "1"},
            {"values.ho_so_truc_tuyen": ["Phải là số nguyên."]},
        ),
    ],
)
def test_bad_values_refused_with_nothing_written(
    world, django_capture_on_commit_callbacks, values, fields
):
    cap = django_capture_on_commit_callbacks
    req = create(world.leader)
    send(world, cap, req)
    c1 = copy_at(req, world.xa1)
    with pytest.raises(errors.ValuesInvalid) as exc:
        submit(cap, world.clerk1, c1, values=values)
    assert exc.value.fields == fields
    assert ReportSubmission.objects.count() == 0
    assert not OutboxMessage.objects.filter(document_kind="report").exists()
    assert c1.targets.get().state == "pending"


@pytest.mark.parametrize("who", ["reception1", "leader2", "leader", "supervisor"])
def test_only_the_targets_staff_submit(world, django_capture_on_commit_callbacks, who):
    cap = django_capture_on_commit_callbacks
    req = create(world.leader)
    send(world, cap, req)
    with pytest.raises(PermissionDenied):
        submit(
            cap,
            getattr(world, who),
            copy_at(req, world.xa1),
            values={"ho_so_truc_tuyen": 1, "ty_le": "1"},
        )
    with pytest.raises(PermissionDenied):  # the district's own row is not a copy to answer
        submit(cap, world.leader, req, values={"ho_so_truc_tuyen": 1, "ty_le": "1"})
    assert ReportSubmission.objects.count() == 0


def _move_deadline(req, when):
    ReportRequest.objects.filter(origin_id=req.origin_id).update(deadline=when)


def test_late_submission_accepted_and_marked_then_no_replacement(
    world, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    req = create(world.leader)
    send(world, cap, req)
    _move_deadline(req, timezone.now() - timedelta(hours=1))
    c1 = copy_at(req, world.xa1)
    s = submit(cap, world.clerk1, c1, values={"ho_so_truc_tuyen": 7, "ty_le": "70"})
    assert s.is_late
    assert c1.targets.get().state == "late"
    t1 = req.targets.get(agency_code="H25.37.01")
    assert t1.state == "late"
    assert ReportSubmission.objects.get(target=t1).is_late
    req.refresh_from_db()
    summary = selectors.request_summary(request=req)
    assert [t.agency_code for t in summary.late] == ["H25.37.01"]
    assert summary.overdue
    with pytest.raises(errors.ResubmissionTooLate):
        submit(cap, world.clerk1, c1, values={"ho_so_truc_tuyen": 8, "ty_le": "70"})
    assert ReportSubmission.objects.filter(target__request=req).count() == 1


def test_closed_request_refuses_submissions(world, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    req = create(world.leader)
    send(world, cap, req)
    with pytest.raises(PermissionDenied):
        services.report_request_close(actor=world.supervisor, request=req)
    with cap(execute=True):
        services.report_request_close(actor=world.leader, request=req)
    c1 = copy_at(req, world.xa1)
    assert c1.status == "closed"  # the close notice reached the commune
    with pytest.raises(errors.RequestClosed) as exc:
        submit(cap, world.clerk1, c1, values={"ho_so_truc_tuyen": 1, "ty_le": "1"})
    assert exc.value.message == "Yêu cầu báo cáo đã đóng; không nhận báo cáo nữa."
    assert ReportSubmission.objects.count() == 0
    with pytest.raises(errors.RequestClosed):
        services.report_request_close(actor=world.leader, request=req)


def test_report_crossing_the_close_is_refused_by_the_requester(
    world, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    req = create(world.leader)
    send(world, cap, req)
    # Closed at the district, the notice not yet delivered to the commune.
    ReportRequest.objects.filter(pk=req.pk).update(status="closed")
    c1 = copy_at(req, world.xa1)
    s = submit(cap, world.clerk1, c1, values={"ho_so_truc_tuyen": 1, "ty_le": "1"})
    s.refresh_from_db()
    assert s.delivery == "refused"
    assert s.delivery_reason == "Yêu cầu báo cáo đã đóng; không nhận báo cáo nữa."
    assert not ReportSubmission.objects.filter(target__request=req).exists()


# --- Files --------------------------------------------------------------------------------------


def test_signed_pdf_required_and_verified(
    world, django_capture_on_commit_callbacks, report_pdf, signed_report_pdf, settings
):
    import hashlib

    cap = django_capture_on_commit_callbacks
    req = create(world.leader, kind="both", signature_required=True)
    send(world, cap, req)
    c1 = copy_at(req, world.xa1)
    assert c1.signature_required and c1.kind == "both"
    good = {"ho_so_truc_tuyen": 1234, "ty_le": "87.5"}
    with pytest.raises(errors.FileRequired):
        submit(cap, world.clerk1, c1, values=good)
    with pytest.raises(errors.SignatureInvalid) as exc:
        submit(cap, world.clerk1, c1, values=good, file_name="bc.pdf", file_data=report_pdf)
    assert "không có chữ ký số" in exc.value.message
    with pytest.raises(errors.FileTypeUnsupported):
        submit(cap, world.clerk1, c1, values=good, file_name="bc.docx", file_data=docx_bytes())
    tampered = signed_report_pdf.replace(b"/Producer", b"/Producex", 1)
    assert tampered != signed_report_pdf
    with pytest.raises(errors.SignatureInvalid):
        submit(cap, world.clerk1, c1, values=good, file_name="bc.pdf", file_data=tampered)
    assert ReportSubmission.objects.count() == 0

    s = submit(
        cap, world.clerk1, c1, values=good, file_name="BC 05/xa.pdf", file_data=signed_report_pdf
    )
    sha = hashlib.sha256(signed_report_pdf).hexdigest()
    assert (s.file_sha256, s.file_size, s.file_name) == (sha, len(signed_report_pdf), "xa.pdf")
    assert s.signer == "UBND xã Thạch Khoán"
    path = settings.DATA_DIR / s.file_path
    assert path.read_bytes() == signed_report_pdf
    at_district = ReportSubmission.objects.get(target__request=req)
    assert (at_district.file_sha256, at_district.file_path) == (sha, s.file_path)
    assert at_district.values == good


def test_file_only_report_accepts_docx_and_refuses_figures(
    world, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    req = create(world.leader, kind="file", indicators=None)
    send(world, cap, req)
    c2 = copy_at(req, world.xa2)
    with pytest.raises(errors.ValuesInvalid):
        submit(cap, world.leader2, c2, values={"x": 1}, file_name="a.docx", file_data=docx_bytes())
    with pytest.raises(errors.FileEmpty):
        submit(cap, world.leader2, c2, file_name="a.docx", file_data=b"")
    with pytest.raises(errors.FileTypeUnsupported):
        submit(cap, world.leader2, c2, file_name="a.exe", file_data=b"MZ\x90\x00" * 10)
    s = submit(cap, world.leader2, c2, file_name="bao-cao.docx", file_data=docx_bytes())
    assert s.file_content_type.endswith("wordprocessingml.document")
    assert req.targets.get(agency_code="H25.37.02").state == "submitted"


def test_figures_only_report_refuses_a_file(world, django_capture_on_commit_callbacks, report_pdf):
    cap = django_capture_on_commit_callbacks
    req = create(world.leader)
    send(world, cap, req)
    with pytest.raises(errors.FileNotExpected):
        submit(
            cap,
            world.clerk1,
            copy_at(req, world.xa1),
            values={"ho_so_truc_tuyen": 1, "ty_le": "1"},
            file_name="a.pdf",
            file_data=report_pdf,
        )
    assert ReportSubmission.objects.count() == 0


# --- Reminders ----------------------------------------------------------------------------------


def test_reminder_once_per_target_not_submitted(world, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    req = create(world.leader)
    send(world, cap, req)
    far = create(world.leader, title="Báo cáo năm", deadline=timezone.now() + timedelta(days=30))
    send(world, cap, far)
    submit(cap, world.clerk1, copy_at(req, world.xa1), values={"ho_so_truc_tuyen": 1, "ty_le": "1"})
    with cap(execute=True):
        assert services.reminders_send() == 0  # 3 days ahead, outside the 24 hours
    _move_deadline(req, timezone.now() + timedelta(hours=5))
    with cap(execute=True):
        assert services.reminders_send() == 1
    t1, t2 = req.targets.order_by("agency_code")
    assert t1.reminded_at is None and t2.reminded_at is not None
    assert copy_at(req, world.xa2).targets.get().reminded_at is not None
    assert copy_at(req, world.xa1).targets.get().reminded_at is None
    assert far.targets.filter(reminded_at__isnull=False).count() == 0
    with cap(execute=True):
        assert services.reminders_send() == 0
        out = io.StringIO()
        call_command("reports", "remind", stdout=out)
    assert out.getvalue().strip() == "Đã nhắc 0 cơ quan."
    assert AuditEntry.objects.filter(action="reports.remind").count() == 1
    assert OutboxMessage.objects.filter(document_kind="report_request").count() == 5


def test_reminder_command_and_task(world, django_capture_on_commit_callbacks, settings):
    cap = django_capture_on_commit_callbacks
    settings.XASO_REPORT_REMIND_HOURS = 100
    req = create(world.leader)
    send(world, cap, req)
    out = io.StringIO()
    with cap(execute=True):
        call_command("reports", "remind", stdout=out)
    assert out.getvalue().strip() == "Đã nhắc 2 cơ quan."
    from xaso.reports.tasks import send_reminders

    with cap(execute=True):
        assert send_reminders.call() == 0
