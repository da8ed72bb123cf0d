"""Trả lại báo cáo để hoàn thiện: the requester returns one agency's latest report with the
reason; it is kept but no longer counted, the agency is "not submitted" again (reminded again,
may submit again), its copy shows the reason; a repeated return message changes nothing; a
closed request, nothing submitted, or a report already returned is refused with nothing
changed. Same node through the real exchange, and a target on another node."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.dossiers.world import bearer
from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry
from xaso.exchange import services as exchange
from xaso.exchange.models import Node, OutboxMessage, Package, RemoteAgency
from xaso.reports import errors, selectors, services
from xaso.reports.models import ReportRequest, ReportSubmission, ReportTarget

from .conftest import request_kwargs

pytestmark = pytest.mark.django_db

REASON = "Thiếu số liệu hồ sơ trực tuyến tháng 12; bổ sung và ký số lại."


@pytest.fixture
def sent(world, django_capture_on_commit_callbacks):
    """Sent 6 h before its deadline (inside the reminder window); both communes reminded."""
    req = services.report_request_create(
        actor=world.leader, **request_kwargs(deadline=timezone.now() + timedelta(hours=6))
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_send(actor=world.leader, request=req)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 2
    req.refresh_from_db()
    return req


def copy_at(req, agency):
    return ReportRequest.objects.get(origin_id=req.origin_id, agency=agency)


def submit(cap, actor, copy, n):
    with cap(execute=True):
        return services.report_submit(
            actor=actor, request=copy, values={"ho_so_truc_tuyen": n, "ty_le": "50.5"}
        )


def do_return(cap, actor, req, code="H25.37.01", reason=REASON):
    with cap(execute=True):
        return services.report_submission_return(
            actor=actor, request=req, agency_code=code, reason=reason
        )


def totals(req):
    return {a["code"]: a["total"] for a in selectors.request_summary(request=req).aggregates}


def return_package(req):
    row = OutboxMessage.objects.get(subject__startswith="Trả lại báo cáo để hoàn thiện")
    from xaso.exchange.edxml import document_from_xml

    return row, document_from_xml(bytes(Package.objects.get(message_id=row.message_id).data))


def test_return_reaches_the_agency_stops_counting_and_a_resubmission_counts(
    world, sent, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    c1, c2 = copy_at(sent, world.xa1), copy_at(sent, world.xa2)
    submit(cap, world.clerk1, c1, 120)
    submit(cap, world.leader2, c2, 35)
    assert totals(sent)["ho_so_truc_tuyen"] == 155

    sub = do_return(cap, world.leader, sent)
    # At the district: kept, marked, not counted; the commune is missing again.
    sub.refresh_from_db()
    assert (sub.version, sub.is_current, sub.return_reason) == (1, False, REASON)
    assert sub.returned_by_name == "Hà Văn Tuấn" and sub.returned_at is not None
    t1 = sent.targets.get(agency_code="H25.37.01")
    assert (t1.state, t1.submitted_at, t1.reminded_at, t1.current_version) == (
        "pending",
        None,
        None,
        1,
    )
    summary = selectors.request_summary(request=sent)
    assert [t.agency_code for t in summary.missing] == ["H25.37.01"]
    assert summary.submission_count == 1 and totals(sent)["ho_so_truc_tuyen"] == 35
    assert summary.returned[t1.pk].pk == sub.pk
    assert ReportSubmission.objects.filter(target=t1).count() == 1  # history kept
    entry = AuditEntry.objects.get(action="reports.submission_return")
    assert entry.changes["agency"] == "H25.37.01" and entry.changes["reason"] == REASON
    row, pkg = return_package(sent)
    assert row.recipient_code == "H25.37.01"
    assert pkg.kind == "report_request"
    assert (pkg.extra["action"], pkg.extra["version"], pkg.extra["reason"]) == (
        "return",
        "1",
        REASON,
    )

    # At the commune: its copy learned it through the exchange.
    own = c1.targets.get()
    mine = own.submissions.get()
    assert (own.state, own.current_version) == ("pending", 1)
    assert (mine.is_current, mine.return_reason) == (False, REASON)
    assert selectors.returned_submission(own).pk == mine.pk
    assert AuditEntry.objects.filter(action="reports.received_return").count() == 1

    # The deadline is near: the sweep reminds the commune again (only it).
    with cap(execute=True):
        assert services.reminders_send() == 1
    assert c1.targets.get().reminded_at is not None

    # Submitted again: version 2 counts, the returned version 1 stays as history.
    s2 = submit(cap, world.specialist1, c1, 125)
    assert s2.version == 2
    t1.refresh_from_db()
    assert (t1.state, t1.current_version) == ("submitted", 2)
    assert totals(sent)["ho_so_truc_tuyen"] == 160
    assert selectors.request_summary(request=sent).returned == {}
    assert list(
        ReportSubmission.objects.filter(target=t1).values_list("version", "is_current")
    ) == [(2, True), (1, False)]
    assert selectors.returned_submission(c1.targets.get()) is None
    # The new version may be returned in its turn.
    do_return(cap, world.admin, sent, reason="Sai tỷ lệ.")
    assert ReportSubmission.objects.get(target=t1, version=2).return_reason == "Sai tỷ lệ."


def test_a_repeated_return_message_changes_nothing(world, sent, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    c1 = copy_at(sent, world.xa1)
    submit(cap, world.clerk1, c1, 7)
    do_return(cap, world.leader, sent)
    mine = c1.targets.get().submissions.get()
    row, pkg = return_package(sent)
    payload = bytes(Package.objects.get(message_id=row.message_id).data)
    # The same package again (the exchange knows it) and under a new message id (the handler
    # sees the version is already returned).
    exchange.inbox_receive(payload=payload, recipient_code="H25.37.01", from_node=None)
    from xaso.exchange.edxml import document_to_xml

    again = dataclasses.replace(pkg, message_id="5b0f7a3e-0c3a-4b6e-8f3e-2d9a1c7b4e21")
    with cap(execute=True):
        exchange.inbox_receive(
            payload=document_to_xml(again), recipient_code="H25.37.01", from_node=None
        )
    again_sub = c1.targets.get().submissions.get()
    assert again_sub.returned_at == mine.returned_at
    assert AuditEntry.objects.filter(action="reports.received_return").count() == 1


def test_an_old_return_crossing_a_resubmission_leaves_the_new_report(world, sent):
    """The commune submitted v2 before the return of v1 reached it: v1 is marked returned, v2
    stands."""
    from xaso.exchange.edxml import DocumentPackage, Organization

    c1 = copy_at(sent, world.xa1)
    services.report_submit(
        actor=world.clerk1, request=c1, values={"ho_so_truc_tuyen": 1, "ty_le": "1"}
    )
    services.report_submit(
        actor=world.clerk1, request=c1, values={"ho_so_truc_tuyen": 2, "ty_le": "1"}
    )
    package = DocumentPackage(
        message_id="m-old-return",
        sender=Organization(code="H25.37", name="UBND huyện Thanh Sơn"),
        recipients=[Organization(code="H25.37.01", name="UBND xã Thạch Khoán")],
        code_number="",
        code_notation="",
        place="",
        promulgation_date=timezone.localdate(),
        document_type="CV",
        document_type_name="Công văn",
        subject="Trả lại",
        kind="report_request",
        extra={
            "action": "return",
            "request_id": str(sent.origin_id),
            "version": "1",
            "reason": "Thiếu số liệu.",
        },
    )
    services.report_request_received(package, world.xa1)
    own = c1.targets.get()
    assert (own.state, own.current_version) == ("submitted", 2)
    assert list(own.submissions.values_list("version", "is_current", "return_reason")) == [
        (2, True, ""),
        (1, False, "Thiếu số liệu."),
    ]
    # A return without a reason or naming a version the commune never sent is refused.
    for extra in ({"version": "1", "reason": " "}, {"version": "9", "reason": "x"}):
        bad = dataclasses.replace(
            package, extra={"action": "return", "request_id": str(sent.origin_id), **extra}
        )
        with pytest.raises(errors.PackageMismatch):
            services.report_request_received(bad, world.xa1)


def test_refusals_change_nothing(world, sent, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    c1 = copy_at(sent, world.xa1)
    submit(cap, world.clerk1, c1, 7)
    outbox = OutboxMessage.objects.count()

    with pytest.raises(errors.NothingSubmitted) as exc:
        do_return(cap, world.leader, sent, code="H25.37.02")
    assert exc.value.code == "report_nothing_submitted"
    assert exc.value.message == "UBND xã Địch Quả chưa nộp báo cáo; không có gì để trả lại."
    for reason in ("", "   ", "x" * 2001):
        with pytest.raises(errors.ReturnReasonRequired) as exc:
            do_return(cap, world.leader, sent, reason=reason)
        assert exc.value.code == "report_return_reason_required" and "reason" in exc.value.fields
    with pytest.raises(errors.TargetNotFound):
        do_return(cap, world.leader, sent, code="H25.38")
    for who in ("supervisor", "specialist_huyen", "clerk1", "leader2"):
        with pytest.raises(PermissionDenied):
            do_return(cap, getattr(world, who), sent)
    draft = services.report_request_create(actor=world.leader, **request_kwargs())
    with pytest.raises(errors.RequestNotOpen):
        do_return(cap, world.leader, draft)
    assert ReportSubmission.objects.filter(returned_at__isnull=False).count() == 0
    assert OutboxMessage.objects.count() == outbox

    do_return(cap, world.leader, sent)
    outbox = OutboxMessage.objects.count()
    with pytest.raises(errors.AlreadyReturned) as exc:
        do_return(cap, world.leader, sent, reason="Lần nữa")
    assert exc.value.code == "report_already_returned"
    assert ReportSubmission.objects.get(target__request=sent).return_reason == REASON

    submit(cap, world.clerk1, c1, 8)
    with cap(execute=True):
        services.report_request_close(actor=world.leader, request=sent)
    outbox = OutboxMessage.objects.count()
    with pytest.raises(errors.RequestNotOpen) as exc:
        do_return(cap, world.leader, sent)
    assert exc.value.message == "Yêu cầu báo cáo đã đóng; không trả lại báo cáo được nữa."
    t1 = sent.targets.get(agency_code="H25.37.01")
    assert (t1.state, t1.current_version) == ("submitted", 2)
    assert ReportSubmission.objects.get(target=t1, version=2).returned_at is None
    assert OutboxMessage.objects.count() == outbox
    assert AuditEntry.objects.filter(action="reports.submission_return").count() == 1


def test_returned_after_the_deadline_may_be_submitted_again_late(
    world, sent, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    c1 = copy_at(sent, world.xa1)
    submit(cap, world.clerk1, c1, 7)
    past = timezone.now() - timedelta(hours=1)
    ReportRequest.objects.filter(origin_id=sent.origin_id).update(deadline=past)
    c1.refresh_from_db()
    sent.refresh_from_db()
    # Without a return, a submitted report is not replaced after the deadline.
    with pytest.raises(errors.ResubmissionTooLate):
        submit(cap, world.clerk1, c1, 8)
    do_return(cap, world.leader, sent)
    s2 = submit(cap, world.clerk1, c1, 9)
    assert (s2.version, s2.is_late) == (2, True)
    t1 = sent.targets.get(agency_code="H25.37.01")
    assert (t1.state, t1.current_version) == ("late", 2)
    assert totals(sent)["ho_so_truc_tuyen"] == 9


def test_return_to_an_agency_on_another_node_goes_through_the_exchange(
    world, django_capture_on_commit_callbacks
):
    from xaso.exchange import directory, nodes
    from xaso.exchange.edxml import DocumentPackage, Organization

    cap = django_capture_on_commit_callbacks
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
    req = services.report_request_create(
        actor=world.leader, **request_kwargs(target_codes=["H25.37.09"])
    )
    with cap(execute=True):
        services.report_request_send(actor=world.leader, request=req, codes=["H25.37.09"])
    # The commune's report arrives from its node (the handler the exchange calls).
    report = DocumentPackage(
        message_id="8c1e6a0e-3a4f-4c0b-9a55-1f2d3c4b5a61",
        sender=Organization("H25.37.09", "UBND xã Xuân Sơn"),
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
            "values": json.dumps({"ho_so_truc_tuyen": 40, "ty_le": "10"}),
            "file_sha256": "",
        },
    )
    services.report_received(report, world.huyen)
    assert totals(req)["ho_so_truc_tuyen"] == 40

    do_return(cap, world.leader, req, code="H25.37.09")
    row, pkg = return_package(req)
    assert (row.recipient_code, row.node_id) == ("H25.37.09", node.pk)
    assert row.state in ("pending", "failed")
    assert pkg.extra["action"] == "return" and pkg.extra["reason"] == REASON
    assert pkg.extra["request_id"] == str(req.origin_id) and pkg.extra["version"] == "1"
    assert pkg.reply_to == "8c1e6a0e-3a4f-4c0b-9a55-1f2d3c4b5a61"
    assert totals(req)["ho_so_truc_tuyen"] == 0
    # Its corrected report (version 2) is accepted and counts.
    services.report_received(
        dataclasses.replace(
            report,
            message_id="8c1e6a0e-3a4f-4c0b-9a55-1f2d3c4b5a62",
            extra={
                **report.extra,
                "version": "2",
                "values": json.dumps({"ho_so_truc_tuyen": 44, "ty_le": "1"}),
            },
        ),
        world.huyen,
    )
    t = ReportTarget.objects.get(request=req)
    assert (t.state, t.current_version) == ("submitted", 2)
    assert totals(req)["ho_so_truc_tuyen"] == 44


def test_return_from_the_page_and_the_reason_on_the_agencys_copy(
    client, world, sent, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    c1 = copy_at(sent, world.xa1)
    submit(cap, world.clerk1, c1, 7)
    client.force_login(world.leader)
    detail = reverse("reports:detail", args=[sent.public_id])
    page = client.get(detail).content.decode()
    assert 'data-testid="return-H25.37.01"' in page
    assert 'data-testid="return-H25.37.02"' not in page  # nothing submitted: nothing to return
    url = reverse("reports:return", args=[sent.public_id, "H25.37.01"])
    assert f'hx-post="{url}"' in page

    r = client.post(url, {"reason": "  "}, follow=True)
    assert "Nhập lý do trả lại báo cáo" in r.content.decode()
    assert ReportSubmission.objects.filter(returned_at__isnull=False).count() == 0

    with cap(execute=True):
        r = client.post(url, {"reason": REASON}, HTTP_HX_REQUEST="true")
    assert (r.status_code, r["HX-Redirect"]) == (204, detail)
    page = client.get(detail).content.decode()
    assert "Đã trả lại báo cáo của UBND xã Thạch Khoán để hoàn thiện" in page
    assert f"Bị trả lại: {REASON}" in page
    assert 'data-testid="return-H25.37.01"' not in page

    r = client.post(url, {"reason": REASON}, follow=True)
    assert "đã bị trả lại; đang chờ cơ quan nộp lại" in r.content.decode()
    assert (
        client.post(
            reverse("reports:return", args=[sent.public_id, "H25.99"]), {"reason": REASON}
        ).status_code
        == 404
    )

    client.force_login(world.supervisor)
    assert client.post(url, {"reason": REASON}).status_code == 403

    client.force_login(world.clerk1)
    inbox = client.get(reverse("reports:inbox_detail", args=[c1.public_id])).content.decode()
    assert f"Bị trả lại: {REASON}" in inbox
    assert 'data-testid="returned"' in inbox and "bị trả lại" in inbox
    assert 'enctype="multipart/form-data"' in inbox  # it may submit again
    with cap(execute=True):
        r = client.post(
            reverse("reports:inbox_detail", args=[c1.public_id]),
            {"v_ho_so_truc_tuyen": "9", "v_ty_le": "1"},
            follow=True,
        )
    assert 'data-testid="returned"' not in r.content.decode()
    assert sent.targets.get(agency_code="H25.37.01").current_version == 2


def test_return_through_the_api(client, world, sent, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    c1 = copy_at(sent, world.xa1)
    submit(cap, world.clerk1, c1, 7)
    auth = bearer(world.admin)

    def post(code, reason=REASON):
        with cap(execute=True):
            return client.post(
                f"/api/v1/reports/requests/{sent.public_id}/submissions/{code}/return",
                json.dumps({"reason": reason}),
                content_type="application/json",
                **auth,
            )

    assert (post("H25.37.01", "").json()["code"]) == "report_return_reason_required"
    r = post("H25.37.01")
    assert r.status_code == 200, r.content
    body = r.json()
    t1 = next(t for t in body["targets"] if t["code"] == "H25.37.01")
    assert (t1["state"], t1["submission"]) == ("pending", None)
    assert t1["returned"]["return_reason"] == REASON and t1["returned"]["version"] == 1
    assert body["missing"] == ["H25.37.01", "H25.37.02"] and body["submission_count"] == 0
    assert (post("H25.37.01").status_code, post("H25.37.01").json()["code"]) == (
        409,
        "report_already_returned",
    )
    assert post("H25.37.02").json()["code"] == "report_nothing_submitted"
    assert post("H25.99").status_code == 404
    r = client.post(
        f"/api/v1/reports/requests/{sent.public_id}/submissions/H25.37.01/return",
        json.dumps({"reason": REASON}),
        content_type="application/json",
        **bearer(world.supervisor),
    )
    assert r.status_code == 403

    inbox = client.get(f"/api/v1/reports/inbox/{c1.public_id}", **bearer(world.clerk1)).json()
    assert inbox["state"] == "pending" and inbox["return_reason"] == REASON
    assert inbox["submissions"][0]["returned_at"] is not None

    with cap(execute=True):
        services.report_request_close(actor=world.leader, request=sent)
    r = post("H25.37.01")
    assert (r.status_code, r.json()["code"]) == (409, "report_request_not_open")


@pytest.mark.parametrize(
    "extra",
    [
        {"action": "return", "version": "1", "reason": "Giả mạo."},
        {"action": "extend", "deadline": "2099-01-01T00:00:00+07:00"},
        {"action": "close"},
        {"action": "remind"},
    ],
)
def test_only_the_requester_acts_on_the_copy(world, sent, extra):
    """Another commune asked the same request knows its id (it is in every package): a return,
    extension, closing or reminder it sends for this commune's copy is refused, nothing
    changed — only the requester acts on its request (the exchange vouches for the sender)."""
    from xaso.exchange.edxml import DocumentPackage, Organization

    c1 = copy_at(sent, world.xa1)
    services.report_submit(
        actor=world.clerk1, request=c1, values={"ho_so_truc_tuyen": 1, "ty_le": "1"}
    )
    before = (c1.deadline, c1.status, list(ReportSubmission.objects.values_list("returned_at")))
    reminded = c1.targets.get().reminded_at
    package = DocumentPackage(
        message_id="m-forged",
        sender=Organization(code="H25.37.02", name="UBND xã Địch Quả"),
        recipients=[Organization(code="H25.37.01", name="UBND xã Thạch Khoán")],
        code_number="",
        code_notation="",
        place="",
        promulgation_date=timezone.localdate(),
        document_type="CV",
        document_type_name="Công văn",
        subject="Giả mạo",
        kind="report_request",
        extra={"request_id": str(sent.origin_id), **extra},
    )
    with pytest.raises(errors.PackageMismatch):
        services.report_request_received(package, world.xa1)
    c1.refresh_from_db()
    after = (c1.deadline, c1.status, list(ReportSubmission.objects.values_list("returned_at")))
    assert after == before
    assert c1.targets.get().reminded_at == reminded
