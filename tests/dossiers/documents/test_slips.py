import dataclasses
import datetime as dt
import unicodedata

import pytest

from tests.dossiers.documents import examples
from xaso.dossiers.documents import (
    Channel,
    HandOver,
    Issuer,
    SubmittedDocument,
    SupplementItem,
    Timeliness,
    render_document,
)


def test_text_is_stored_nfc_and_lists_become_tuples():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hằng")
    assert nfd != "Nguyễn Thị Hằng"
    slip = dataclasses.replace(
        examples.receipt(),
        applicant_name=nfd,
        documents=[(unicodedata.normalize("NFD", "Giấy chứng sinh"), 1, 0)],
    )
    assert slip.applicant_name == "Nguyễn Thị Hằng"
    assert slip.documents == (SubmittedDocument("Giấy chứng sinh", 1, 0),)
    assert isinstance(slip.documents[0], SubmittedDocument)
    issuer = Issuer(
        name=unicodedata.normalize("NFD", "UBND xã Đồng Lương"), parent_name="", place=""
    )
    assert issuer.name == "UBND xã Đồng Lương"
    request = examples.supplement()
    assert request.items == (
        SupplementItem("Giấy chứng sinh (bản chính)", "Bản đã nộp là bản chụp, không rõ dấu"),
        SupplementItem("Văn bản ủy quyền", "Người nộp không phải cha, mẹ của trẻ"),
    )


def test_values_are_frozen():
    slip = examples.receipt()
    with pytest.raises(dataclasses.FrozenInstanceError):
        slip.applicant_name = "Đặng Văn Đức"  # type: ignore[misc]


def test_channel_accepts_the_api_values_and_refuses_others():
    slip = dataclasses.replace(examples.receipt(), channel="post")
    assert slip.channel is Channel.POST
    assert slip.channel.label == "Qua dịch vụ bưu chính công ích"
    assert Channel("online").label == "Trực tuyến"
    with pytest.raises(ValueError, match="'fax' is not a valid Channel"):
        dataclasses.replace(examples.receipt(), channel="fax")


def _step(deadline: dt.datetime | None, done: dt.datetime | None, **kwargs) -> HandOver:
    return HandOver(
        step="Thẩm định",
        from_name="Đặng Văn Đức",
        to_name="Lê Quang Vũ",
        received_at=examples.at(27, 8),
        deadline=deadline,
        done_at=done,
        **kwargs,
    )


def test_hand_over_marks_follow_the_step_deadline():
    deadline = examples.at(28, 16, 0)
    assert _step(deadline, examples.at(27, 16, 59)).result is Timeliness.EARLY
    assert _step(deadline, examples.at(28, 7, 30)).result is Timeliness.ON_TIME
    assert _step(deadline, deadline).result is Timeliness.ON_TIME
    assert _step(deadline, examples.at(28, 16, 1)).result is Timeliness.LATE
    assert _step(deadline, None).result is None
    assert _step(None, examples.at(28, 9)).result is None
    overridden = _step(deadline, examples.at(27, 9), timeliness="late")
    assert overridden.result is Timeliness.LATE
    assert [mark.label for mark in Timeliness] == ["Trước hạn", "Đúng hạn", "Quá hạn"]


def test_render_document_dispatches_on_the_value_and_refuses_others():
    pdf = render_document(examples.refusal())
    assert pdf.startswith(b"%PDF-")
    with pytest.raises(TypeError, match="no renderer for dict"):
        render_document({"kind": "receipt"})
