"""Dossier documents built from real dossiers (``xaso.dossiers.slips``): the receipt of a dossier
received through the intake service, read back with pdftotext and zbarimg; the place of the date
line; the other notices as values; the control sheet's hand-overs and marks after a real
processing sequence; the tracking book's rows; the audit entry each document writes."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.dossiers.documents import pdftools
from tests.dossiers.world import APPLICANT, BIRTH, World, drive, receive, vn
from xaso.core.errors import InvalidInput, PermissionDenied
from xaso.core.models import AuditEntry
from xaso.dossiers import services, slips
from xaso.dossiers.documents import (
    ApologyLetter,
    Issuer,
    RefusalNotice,
    StopNotice,
    SupplementItem,
    SupplementRequest,
    Timeliness,
    TrackingBookRow,
    render_document,
)
from xaso.dossiers.errors import DossierNotFound
from xaso.dossiers.models import Dossier, Status
from xaso.dossiers.selectors import dossier_get_for
from xaso.org.models import Agency, Staff
from xaso.org.selectors import agency_tree_changed
from xaso.procedures.models import Procedure

LAN, HA, VU, NAM = "Trần Thị Lan", "Phạm Thu Hà", "Lê Quang Vũ", "Đỗ Văn Nam"
BINH = APPLICANT["full_name"]
CENTRE = "Trung tâm Phục vụ hành chính công xã Đông"
ISSUER_A = Issuer(name=CENTRE, parent_name="UBND xã Đông", place="Đông")


def name_world(world: World) -> World:
    """The shared world with A named like a real one-stop centre under its commune's committee,
    and its officers with distinct names (the documents print them)."""
    parent = factories.agency(code="H98.00", name="UBND xã Đông", unit_obj=world.a.unit)
    Agency.objects.filter(pk=world.a.pk).update(name=CENTRE, parent=parent)
    Agency.objects.filter(pk=world.b.pk).update(name="UBND xã Tây")
    agency_tree_changed()
    names = {"tiepnhan": LAN, "chuyenvien": HA, "lanhdao": VU, "vanthu": NAM}
    for username, full_name in names.items():
        Staff.objects.filter(username=username).update(full_name=full_name)
    Staff.objects.filter(username="lanhdao").update(title="Giám đốc", phone="0203 3811 222")
    Staff.objects.filter(username="chuyenvien").update(phone="0203 3811 333")
    for field in ("reception", "specialist", "leader", "clerk", "reception_b"):
        staff = getattr(world, field)
        setattr(world, field, Staff.objects.select_related("agency").get(pk=staff.pk))
    return world


@pytest.fixture
def w(world: World) -> World:
    return name_world(world)


def fresh(w: World, d: Dossier) -> Dossier:
    """The dossier as the API loads it (``dossier_get_for``), for a reception officer of A."""
    return dossier_get_for(actor=w.reception, code=d.code)


def reads() -> list[tuple[str, str, dict]]:
    return [
        (e.action, e.object_id, e.changes)
        for e in AuditEntry.objects.filter(action="person.read").order_by("seq")
    ]


# --- the place of the date line -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit_name", "place"),
    [
        ("Xã Thanh Sơn", "Thanh Sơn"),
        ("xã Thanh Sơn", "Thanh Sơn"),
        ("Phường Ba Đình", "Ba Đình"),
        ("Thị trấn Phố Lu", "Phố Lu"),
        ("Thị xã Sơn Tây", "Sơn Tây"),
        ("Thành phố Hà Nội", "Hà Nội"),
        ("Đặc khu Phú Quốc", "Phú Quốc"),
        ("Tỉnh Phú Thọ", "Phú Thọ"),
        ("Huyện Yên Lập", "Yên Lập"),
        ("Quận 1", "Quận 1"),  # a numbered unit keeps its kind: "1, ngày ..." names no place
        ("Phường 12", "Phường 12"),
        ("Xã  Thanh   Sơn ", "Thanh Sơn"),
        ("Xa\u0303 Thanh So\u031bn", "Thanh Sơn"),  # NFD from a scanner's OCR
        ("Xã", "Xã"),
        ("Xãhội", "Xãhội"),  # not a prefix without the space
        ("Thanh Sơn", "Thanh Sơn"),
    ],
)
def test_place_name_drops_the_kind_of_unit(unit_name, place):
    assert slips.place_name(unit_name) == place


@pytest.mark.parametrize(
    ("kind", "value", "cutoff", "words"),
    [
        ("working_days", 3, dt.time(15), "03 ngày làm việc"),
        ("working_days", 12, dt.time(15), "12 ngày làm việc"),
        ("working_hours", 4, dt.time(15), "04 giờ làm việc"),
        (
            "same_day_cutoff",
            None,
            dt.time(15),
            "Trong ngày (nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo)",
        ),
        (
            "same_day_cutoff",
            None,
            dt.time(15, 30),
            "Trong ngày (nhận sau 15 giờ 30 thì trả kết quả trong ngày làm việc tiếp theo)",
        ),
    ],
)
def test_processing_time_words(kind, value, cutoff, words):
    procedure = Procedure(time_limit_kind=kind, time_limit_value=value)
    assert slips.processing_time_words(procedure, Agency(same_day_cutoff=cutoff)) == words


def test_issuer_from_the_agency(w):
    assert slips.issuer_for(Agency.objects.get(pk=w.a.pk)) == ISSUER_A
    assert slips.issuer_for(Agency.objects.get(pk=w.b.pk)) == Issuer(
        name="UBND xã Tây", parent_name="", place="Tây"
    )


def test_lookup_url_uses_the_public_base(settings):
    settings.XASO_PUBLIC_BASE_URL = "https://xaso.dong.gov.vn/"
    assert slips.lookup_url("H98.01-260910-0001") == (
        "https://xaso.dong.gov.vn/lookup/H98.01-260910-0001/"
    )


# --- the receipt ------------------------------------------------------------------------------


RECEIPT_LINES = [
    ("UBND XÃ ĐÔNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("TRUNG TÂM PHỤC VỤ HÀNH", "Độc lập - Tự do - Hạnh phúc"),
    ("CHÍNH CÔNG XÃ ĐÔNG", "Đông, ngày 10 tháng 9 năm 2026"),
    ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",),
    ("Mã hồ sơ: H98.01-260910-0001",),
    ("Trung tâm Phục vụ hành chính công xã Đông tiếp nhận hồ sơ của:",),
    ("Ông/Bà: Nguyễn Văn Bình",),
    ("Địa chỉ: Thôn Đông, xã Thử Nghiệm",),
    ("Số điện thoại: 0912345678; Email: binh@example.vn",),
    ("Nội dung yêu cầu giải quyết: Thủ tục cấp Giấy xác nhận tình",),
    ("trạng hôn nhân",),
    ("Hình thức nộp hồ sơ: Trực tiếp tại Bộ phận Một cửa",),
    ("1. Thành phần hồ sơ nộp gồm:",),
    ("Bản",),
    ("STT", "Tên giấy tờ", "Bản sao"),
    ("chính",),
    ("1", "Trường hợp cá nhân yêu cầu cấp lại Giấy xác nhận", "1", "0"),
    ("tình trạng hôn nhân để sử dụng vào mục đích khác",),
    ("hoặc do Giấy xác nhận tình trạng hôn nhân đã hết",),
    ("thời hạn sử dụng theo quy định thì phải nộp lại",),
    ("Giấy xác nhận tình trạng hôn nhân đã được cấp",),
    ("trước đó.",),
    ("2. Số lượng hồ sơ: 01 bộ",),
    ("3. Thời gian giải quyết hồ sơ theo quy định: 03 ngày làm việc",),
    ("4. Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 10/09/2026",),
    ("5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 15/09/2026",),
    ("6. Đăng ký nhận kết quả tại: Bộ phận Một cửa",),
    ("Vào Sổ theo dõi hồ sơ, Quyển số: ......, Số thứ tự: ......",),
    ("Tra cứu tình trạng hồ sơ: http://127.0.0.1:8000/lookup/H98.01-260910-0001/",),
    ("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"),
    ("(Ký và ghi rõ họ tên)", "(Ký và ghi rõ họ tên)"),
    ("Nguyễn Văn Bình", "Trần Thị Lan"),
    (
        "Giấy này được lập thành 02 liên: 01 liên giao người nộp hồ sơ, 01 liên chuyển kèm"
        " Phiếu kiểm",
    ),
    ("soát quá trình giải quyết hồ sơ.",),
]


def test_receipt_of_a_received_dossier_reads_back(w, settings):
    settings.XASO_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    d = receive(w, checklist=[{"document": 1, "originals": 1}])
    assert d.code == "H98.01-260910-0001"
    pdf = render_document(slips.receipt_for(actor=w.reception, dossier=fresh(w, d)))
    assert pdftools.text_lines(pdf) == RECEIPT_LINES
    assert pdftools.decode_qr(pdf) == ["http://127.0.0.1:8000/lookup/H98.01-260910-0001/"]
    assert pdftools.page_size_mm(pdf) == (148.0, 210.0)


def test_receipt_keeps_the_appointment_of_the_intake_day(w):
    """A supplement moves the dossier's due time; the reprinted receipt shows the slip as given."""
    d = drive(w, Status.AWAITING_SUPPLEMENT)
    d = services.dossier_receive_supplement(actor=w.reception, dossier=d, at=vn(2026, 9, 14, 8))
    assert d.due_at != d.initial_due_at
    slip = slips.receipt_for(actor=w.reception, dossier=fresh(w, d))
    assert (slip.received_at, slip.due_at) == (vn(2026, 9, 10, 10), vn(2026, 9, 15, 17))
    assert slip.officer_name == LAN
    assert slip.documents == ()


def test_same_day_and_post_wording(w):
    d = receive(w, BIRTH, channel="post", at=vn(2026, 9, 10, 9))
    slip = slips.receipt_for(actor=w.reception, dossier=fresh(w, d))
    assert slip.processing_time == (
        "Trong ngày (nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo)"
    )
    assert slip.result_place == "Qua dịch vụ bưu chính công ích"
    assert slip.channel.label == "Qua dịch vụ bưu chính công ích"
    assert slip.due_at == vn(2026, 9, 10, 17)


def test_each_document_audits_one_read_of_the_applicant(w):
    d = receive(w)
    person = d.applicant
    slips.document_for(actor=w.specialist, code=d.code, kind="receipt")
    slips.document_for(actor=w.reception, code=d.code, kind="control_sheet")
    via = {"via": "dossier.document", "dossier": d.code}
    assert reads() == [
        ("person.read", str(person.public_id), {**via, "document": "receipt"}),
        ("person.read", str(person.public_id), {**via, "document": "control_sheet"}),
    ]
    entry = AuditEntry.objects.filter(action="person.read").order_by("seq").first()
    assert (entry.actor_username, entry.agency_code, entry.object_type) == (
        "chuyenvien",
        "H98.01",
        "people.person",
    )


def test_a_refused_document_reads_and_logs_nothing(w):
    d = receive(w)
    before = AuditEntry.objects.count()
    for kind in ("supplement", "refusal", "apology", "stop"):
        with pytest.raises(slips.DocumentNotApplicable) as caught:
            slips.document_for(actor=w.reception, code=d.code, kind=kind)
        assert (caught.value.code, caught.value.status) == ("document_not_applicable", 409)
    with pytest.raises(DossierNotFound):
        slips.document_for(actor=w.reception_b, code=d.code, kind="receipt")
    with pytest.raises(DossierNotFound):
        slips.document_for(actor=w.supervisor, code=d.code, kind="receipt")
    assert AuditEntry.objects.count() == before


# --- the notices ------------------------------------------------------------------------------


def test_supplement_request_from_the_request_event(w):
    d = receive(w)
    d = services.dossier_assign(
        actor=w.reception, dossier=d, assignee=w.specialist, at=vn(2026, 9, 10, 10, 30)
    )
    d = services.dossier_request_supplement(
        actor=w.specialist,
        dossier=d,
        missing=["Bản sao giấy tờ tùy thân", "Tờ khai có chữ ký"],
        note="Bản chụp không đọc được",
        at=vn(2026, 9, 10, 11),
    )
    assert slips.supplement_request_for(actor=w.reception, dossier=fresh(w, d)) == (
        SupplementRequest(
            issuer=ISSUER_A,
            dossier_code=d.code,
            procedure_name="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
            applicant_name=BINH,
            applicant_address=APPLICANT["address"],
            received_at=vn(2026, 9, 10, 10),
            items=[
                SupplementItem("Bản sao giấy tờ tùy thân", "Bản chụp không đọc được"),
                SupplementItem("Tờ khai có chữ ký", "Bản chụp không đọc được"),
            ],
            officer_name=HA,
            contact_phone="0203 3811 333",
            issued_at=vn(2026, 9, 10, 11),
        )
    )
    # Still printable after the supplement came in: it is part of the dossier's history.
    d = services.dossier_receive_supplement(actor=w.reception, dossier=d, at=vn(2026, 9, 11, 8))
    assert slips.supplement_request_for(actor=w.reception, dossier=fresh(w, d)).items[0] == (
        SupplementItem("Bản sao giấy tờ tùy thân", "Bản chụp không đọc được")
    )


def test_refusal_notice(w):
    d = drive(w, Status.REFUSED)
    assert slips.refusal_for(actor=w.reception, dossier=fresh(w, d)) == RefusalNotice(
        issuer=ISSUER_A,
        dossier_code=d.code,
        procedure_name="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        applicant_name=BINH,
        applicant_address=APPLICANT["address"],
        reason="Không thuộc thẩm quyền",
        officer_name="Nguyễn Thị Hằng",  # w.all_a refused it, with the factory's default name
        issued_at=vn(2026, 9, 10, 10, 30),
    )


def test_apology_letter_with_old_and_new_appointment(w):
    d = drive(w, Status.IN_PROCESSING)
    d = services.dossier_apologize(
        actor=w.leader,
        dossier=d,
        new_due_at=vn(2026, 9, 18, 16),
        reason="Cần xác minh thêm tại nơi cư trú trước đây",
        at=vn(2026, 9, 15, 15),
    )
    assert slips.apology_for(actor=w.reception, dossier=fresh(w, d)) == ApologyLetter(
        issuer=ISSUER_A,
        dossier_code=d.code,
        procedure_name="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        applicant_name=BINH,
        received_at=vn(2026, 9, 10, 10),
        old_due_at=vn(2026, 9, 15, 17),
        new_due_at=vn(2026, 9, 18, 16),
        reason="Cần xác minh thêm tại nơi cư trú trước đây",
        signer_title="Giám đốc",
        signer_name=VU,
        issued_at=vn(2026, 9, 15, 15),
    )
    text = pdftools.text_lines(render_document(slips.apology_for(actor=w.leader, dossier=d)))
    assert ("GIÁM ĐỐC",) in text and (VU,) in text


def test_stop_notice(w):
    d = receive(w)
    d = services.dossier_withdraw(
        actor=w.reception, dossier=d, reason="Đã làm thủ tục ở nơi khác", at=vn(2026, 9, 11, 9)
    )
    assert slips.stop_notice_for(actor=w.reception, dossier=fresh(w, d)) == StopNotice(
        issuer=ISSUER_A,
        dossier_code=d.code,
        procedure_name="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        applicant_name=BINH,
        applicant_address=APPLICANT["address"],
        received_at=vn(2026, 9, 10, 10),
        requested_at=vn(2026, 9, 11, 9),
        reason="Đã làm thủ tục ở nơi khác",
        signer_title="Người tiếp nhận hồ sơ",
        signer_name=LAN,
        issued_at=vn(2026, 9, 11, 9),
    )


# --- the control sheet ------------------------------------------------------------------------


def process(w: World) -> Dossier:
    """Received Thu 10/09 10:00 (3 working days, due Tue 15/09 17:00; steps 4 h, 12 h, 8 h),
    handed on late, early, on time, and the result ready after the appointment."""
    d = receive(w)
    d = services.dossier_assign(
        actor=w.reception, dossier=d, assignee=w.specialist, at=vn(2026, 9, 10, 16)
    )
    d = services.dossier_forward(
        actor=w.specialist, dossier=d, assignee=w.leader, note="Đủ điều kiện", at=vn(2026, 9, 11, 9)
    )
    d = services.dossier_approve(actor=w.leader, dossier=d, at=vn(2026, 9, 14, 8, 30))
    d = services.dossier_mark_ready(actor=w.clerk, dossier=d, at=vn(2026, 9, 16, 8))
    return services.dossier_return_result(actor=w.reception, dossier=d, at=vn(2026, 9, 16, 9))


def test_control_sheet_rows_after_a_real_processing_sequence(w):
    d = process(w)
    sheet = slips.control_sheet_for(actor=w.reception, dossier=fresh(w, d))
    rows = [
        (h.step, h.from_name, h.to_name, h.received_at, h.deadline, h.done_at, h.result, h.note)
        for h in sheet.hand_overs
    ]
    late, early, on_time = Timeliness.LATE, Timeliness.EARLY, Timeliness.ON_TIME
    assert rows == [
        (
            "Tiếp nhận, kiểm tra và chuyển hồ sơ",
            BINH,
            LAN,
            vn(2026, 9, 10, 10),
            vn(2026, 9, 10, 15, 30),  # 4 working hours: 10:00-11:30, 13:00-15:30
            vn(2026, 9, 10, 16),
            late,
            "",
        ),
        (
            "Thẩm định, xử lý và dự thảo kết quả",
            LAN,
            HA,
            vn(2026, 9, 10, 16),
            vn(2026, 9, 14, 10, 30),  # 12 h: 1 h Thursday, 8 h Friday, 3 h Monday
            vn(2026, 9, 11, 9),
            early,
            "",
        ),
        (
            "Xem xét, ký duyệt kết quả",
            HA,
            VU,
            vn(2026, 9, 11, 9),
            vn(2026, 9, 14, 9),  # 8 h: 6.5 h Friday, 1.5 h Monday
            vn(2026, 9, 14, 8, 30),
            on_time,
            "Đủ điều kiện",
        ),
        (
            "Phê duyệt, chuyển kết quả về Bộ phận Một cửa",
            VU,
            NAM,
            vn(2026, 9, 14, 8, 30),
            vn(2026, 9, 15, 17),  # the statutory appointment: processing ends at mark_ready
            vn(2026, 9, 16, 8),
            late,
            "",
        ),
        ("Có kết quả, chờ trả", NAM, LAN, vn(2026, 9, 16, 8), None, vn(2026, 9, 16, 9), None, ""),
        ("Trả kết quả", LAN, BINH, vn(2026, 9, 16, 9), None, None, None, ""),
    ]
    assert (sheet.issuer, sheet.handling_agency, sheet.due_at) == (
        ISSUER_A,
        CENTRE,
        vn(2026, 9, 15, 17),
    )
    marks = {"Quá hạn", "Trước hạn", "Đúng hạn"}
    text = pdftools.text_lines(render_document(sheet))
    assert [line[-1] for line in text if line[-1] in marks] == [
        "Quá hạn",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
    ]
    assert ("Mã hồ sơ: H98.01-260910-0001",) in text


def test_control_sheet_supplement_and_transfer_rows(w):
    d = receive(w)
    d = services.dossier_assign(
        actor=w.leader, dossier=d, assignee=w.specialist, at=vn(2026, 9, 10, 10, 30)
    )
    d = services.dossier_request_supplement(
        actor=w.specialist, dossier=d, missing=["Tờ khai"], at=vn(2026, 9, 10, 11)
    )
    d = services.dossier_receive_supplement(actor=w.reception, dossier=d, at=vn(2026, 9, 11, 8))
    d = services.dossier_apologize(
        actor=w.leader,
        dossier=d,
        new_due_at=vn(2026, 9, 21, 17),
        reason="Chậm",
        at=vn(2026, 9, 11, 9),
    )
    d = services.dossier_transfer(actor=w.leader, dossier=d, agency=w.b, at=vn(2026, 9, 11, 10))
    sheet = slips.control_sheet_for(actor=w.reception, dossier=fresh(w, d))
    rows = [(h.step, h.from_name, h.to_name, h.received_at, h.done_at) for h in sheet.hand_overs]
    assert rows == [
        (
            "Tiếp nhận, kiểm tra và chuyển hồ sơ",
            BINH,
            LAN,
            vn(2026, 9, 10, 10),
            vn(2026, 9, 10, 10, 30),
        ),
        (
            "Thẩm định, xử lý và dự thảo kết quả",
            VU,
            HA,
            vn(2026, 9, 10, 10, 30),
            vn(2026, 9, 10, 11),
        ),
        ("Yêu cầu bổ sung hồ sơ", HA, BINH, vn(2026, 9, 10, 11), vn(2026, 9, 11, 8)),
        # the apology hands nothing over: the holding runs on to the transfer
        ("Thẩm định, xử lý và dự thảo kết quả", LAN, HA, vn(2026, 9, 11, 8), vn(2026, 9, 11, 10)),
        ("Chuyển liên thông", VU, "UBND xã Tây", vn(2026, 9, 11, 10), None),
    ]
    # No deadline while the applicant holds the dossier; the step's deadline moved by the pause.
    assert sheet.hand_overs[2].deadline is None
    assert sheet.hand_overs[1].deadline == vn(2026, 9, 11, 16)  # 12 h: 5 h Thu, 7 h Fri
    # Paused 5 working hours (11:00-11:30, 13:00-17:00, 07:30-08:00): 1 h Fri, 4 h Mon.
    assert sheet.hand_overs[3].deadline == vn(2026, 9, 14, 11, 30)
    assert sheet.handling_agency == "UBND xã Tây"


# --- the tracking book ------------------------------------------------------------------------


def book_dossiers(w: World) -> list[Dossier]:
    """Three dossiers of A's counter in 10-14/09 (one returned, one refused, one for B), one of A
    before the period and one of B's counter inside it."""
    returned = process(w)  # received 10/09 10:00
    refused = receive(w, at=vn(2026, 9, 11, 14, 5))
    refused = services.dossier_refuse(
        actor=w.reception, dossier=refused, reason="Không thuộc thẩm quyền", at=vn(2026, 9, 11, 15)
    )
    routed = receive(
        w,
        BIRTH,
        at=vn(2026, 9, 14, 16, 45),
        competent_agency=w.b,
        applicant={**APPLICANT, "full_name": "Lò Thị Sương", "personal_id": "", "phone": ""},
    )
    receive(w, at=vn(2026, 9, 9, 16, 59, 59))
    receive(w, actor=w.reception_b, at=vn(2026, 9, 11, 9))
    return [returned, refused, routed]


def test_tracking_book_rows(w):
    returned, refused, routed = book_dossiers(w)
    book = slips.tracking_book_for(
        actor=w.reception, start=dt.date(2026, 9, 10), end=dt.date(2026, 9, 14)
    )
    marital = "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân"
    assert (book.issuer, book.period_start, book.period_end) == (
        ISSUER_A,
        dt.date(2026, 9, 10),
        dt.date(2026, 9, 14),
    )
    assert book.rows == (
        TrackingBookRow(
            dossier_code="H98.01-260910-0001",
            procedure_name=marital,
            applicant_name=BINH,
            applicant_address=APPLICANT["address"],
            applicant_phone=APPLICANT["phone"],
            handling_agency=CENTRE,
            received_at=vn(2026, 9, 10, 10),
            due_at=vn(2026, 9, 15, 17),
            transferred_at=vn(2026, 9, 10, 16),
            result_received_at=vn(2026, 9, 16, 8),
            returned_at=vn(2026, 9, 16, 9),
        ),
        TrackingBookRow(
            dossier_code="H98.01-260911-0001",
            procedure_name=marital,
            applicant_name=BINH,
            applicant_address=APPLICANT["address"],
            applicant_phone=APPLICANT["phone"],
            handling_agency=CENTRE,
            received_at=vn(2026, 9, 11, 14, 5),
            due_at=vn(2026, 9, 16, 17),
            note="Từ chối giải quyết",
        ),
        TrackingBookRow(
            dossier_code="H98.01-260914-0001",
            procedure_name=routed.procedure.name,
            applicant_name="Lò Thị Sương",
            applicant_address=APPLICANT["address"],
            applicant_phone="",
            handling_agency="UBND xã Tây",
            received_at=vn(2026, 9, 14, 16, 45),
            due_at=vn(2026, 9, 15, 17),
        ),
    )
    entry = AuditEntry.objects.get(action="dossier.tracking_book")
    assert (entry.actor_username, entry.object_id, entry.changes) == (
        "tiepnhan",
        "H98.01",
        {
            "from": "2026-09-10",
            "to": "2026-09-14",
            "dossiers": ["H98.01-260910-0001", "H98.01-260911-0001", "H98.01-260914-0001"],
        },
    )


def test_tracking_book_roles_and_period(w):
    book_dossiers(w)
    day = dt.date(2026, 9, 11)
    assert [
        r.dossier_code for r in slips.tracking_book_for(actor=w.leader, start=day, end=day).rows
    ] == ["H98.01-260911-0001"]
    assert [
        r.dossier_code
        for r in slips.tracking_book_for(actor=w.reception_b, start=day, end=day).rows
    ] == ["H98.02-260911-0001"]
    before = AuditEntry.objects.count()
    for staff in (w.specialist, w.clerk, w.supervisor, w.admin):
        with pytest.raises(PermissionDenied):
            slips.tracking_book_for(actor=staff, start=day, end=day)
    with pytest.raises(PermissionDenied):
        slips.tracking_book_for(actor=w.reception, start=day, end=day, agency=w.b)
    with pytest.raises(InvalidInput) as caught:
        slips.tracking_book_for(actor=w.reception, start=day, end=day - dt.timedelta(days=1))
    assert caught.value.fields == {"to": ["Phải từ ngày bắt đầu trở đi."]}
    with pytest.raises(InvalidInput):
        slips.tracking_book_for(actor=w.reception, start=day, end=day + dt.timedelta(days=366))
    assert AuditEntry.objects.count() == before
    # The last day of the period is included up to midnight, Vietnam time.
    rows = slips.tracking_book_for(
        actor=w.reception, start=dt.date(2026, 9, 8), end=dt.date(2026, 9, 9)
    ).rows
    assert [r.received_at for r in rows] == [vn(2026, 9, 9, 16, 59, 59)]
