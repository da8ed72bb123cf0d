from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime

import pytest
from lxml import etree

from xaso.exchange import edxml
from xaso.exchange.edxml import (
    NS,
    Attachment,
    Organization,
    StatusPackage,
    Trace,
    document_from_xml,
    document_to_xml,
    status_from_xml,
    status_to_xml,
)
from xaso.exchange.errors import PackageInvalid

from .conftest import make_package

HUYEN = Organization(code="H25.37", name="Ủy ban nhân dân huyện Thanh Sơn")
XA = Organization(code="H25.37.01", name="Ủy ban nhân dân xã Thạch Khoán")
XA2 = Organization(code="H25.37.02", name="Ủy ban nhân dân xã Địch Quả")


def test_document_round_trip_keeps_every_field():
    p = make_package(HUYEN, [XA, XA2], reply_to=str(uuid.uuid4()), kind="directive")
    back = document_from_xml(document_to_xml(p))
    assert back == p
    assert back.traces[0].at == datetime(2026, 11, 27, 2, 30, tzinfo=UTC)


def test_xml_follows_qcvn_102_layout():
    p = make_package(HUYEN, [XA])
    root = etree.fromstring(document_to_xml(p))
    ns = {"e": NS}
    assert root.tag == f"{{{NS}}}edXML"
    mh = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", ns)
    assert mh.findtext("e:From/e:OrganId", namespaces=ns) == "H25.37"
    assert mh.findtext("e:To/e:OrganName", namespaces=ns) == XA.name
    assert mh.findtext("e:Code/e:CodeNumber", namespaces=ns) == "05"
    assert mh.findtext("e:Code/e:CodeNotation", namespaces=ns) == "QĐ-UBND"
    assert mh.findtext("e:PromulgationInfo/e:PromulgationDate", namespaces=ns) == "2026/11/27"
    assert mh.findtext("e:DocumentType/e:TypeName", namespaces=ns) == "Quyết định"
    assert mh.findtext("e:SignerInfo/e:Competence", namespaces=ns) == "KT. CHỦ TỊCH"
    assert mh.findtext("e:SignerInfo/e:Position", namespaces=ns) == "PHÓ CHỦ TỊCH"
    assert mh.findtext("e:DueDate", namespaces=ns) == "2026/12/05"
    assert mh.findtext("e:OtherInfo/e:Priority", namespaces=ns) == "1"
    assert mh.findtext("e:DocumentId", namespaces=ns) == p.message_id
    trace = root.find("e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList/e:TraceHeader", ns)
    assert trace.findtext("e:Timestamp", namespaces=ns) == "2026/11/27 09:30:00"  # UTC+7
    ref = root.find("e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest/e:Reference", ns)
    assert ref.get("{http://www.w3.org/1999/xlink}href") == "cid:1"
    att = root.find("e:AttachmentEncoded/e:Attachment", ns)
    assert att.get("ContentId") == "1"
    assert base64.b64decode(att.text) == p.attachments[0].data


def test_large_attachments_round_trip():
    big = bytes(range(256)) * (48 * 1024 * 4)  # 48 MiB
    p = make_package(
        HUYEN,
        [XA],
        attachments=[
            Attachment(name="bản-gốc.pdf", content_type="application/pdf", data=big),
            Attachment(name="phụ-lục.docx", content_type="application/zip", data=b"PK\x03\x04"),
        ],
    )
    back = document_from_xml(document_to_xml(p))
    assert back.attachments[0].data == big
    assert back.attachments[1].name == "phụ-lục.docx"
    assert back.attachments[1].data == b"PK\x03\x04"


@pytest.mark.parametrize("status", edxml.STATUSES)
def test_status_round_trip(status):
    s = StatusPackage(
        message_id=str(uuid.uuid4()),
        document_message_id=str(uuid.uuid4()),
        sender=XA,
        recipient=HUYEN,
        status=status,
        at=datetime(2026, 11, 27, 3, 0, 5, tzinfo=UTC),
        staff_name="Lê Thị Thu",
        comment="Sai thẩm quyền, đề nghị gửi lại Phòng Nội vụ" if status == "refused" else "",
    )
    data = status_to_xml(s)
    assert status_from_xml(data) == s
    code = etree.fromstring(data).findtext(f".//{{{NS}}}StatusCode")
    assert (
        code
        == {
            "arrived": "01",
            "refused": "02",
            "registered": "03",
            "assigned": "04",
            "processing": "05",
            "completed": "06",
        }[status]
    )
    assert edxml.package_kind(data) == "status"


def test_package_kind_of_a_document():
    assert (
        edxml.package_kind(document_to_xml(make_package(HUYEN, [XA], kind="dossier"))) == "dossier"
    )


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&x;</edXML:edXML>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&b;</edXML:edXML>"""


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (XXE, "DTD"),
        (BOMB, "DTD"),
        (b"", "rỗng"),
        (b"<edXML", "XML hợp lệ"),
        (b"<other/>", "edXML"),
        (
            b'<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>',
            "edXMLEnvelope",
        ),
    ],
)
def test_malformed_or_dangerous_input_is_refused(data, words):
    with pytest.raises(PackageInvalid) as err:
        document_from_xml(data)
    assert words in err.value.message
    assert err.value.code == "exchange_package_invalid"


def _mutate(p, path, text):
    root = etree.fromstring(document_to_xml(p))
    el = root.find(path, {"e": NS})
    el.text = text
    return etree.tostring(root)


@pytest.mark.parametrize(
    ("path", "text", "words"),
    [
        (
            "e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:PromulgationInfo/e:PromulgationDate",
            "27/11/2026",
            "YYYY/MM/DD",
        ),
        ("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:OtherInfo/e:Priority", "9", "Priority"),
        ("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:DocumentId", "x y<", "DocumentId"),
        ("e:AttachmentEncoded/e:Attachment", "không phải base64", "base64"),
        ("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:From/e:OrganId", "", "From"),
    ],
)
def test_wrong_values_are_refused(path, text, words):
    with pytest.raises(PackageInvalid) as err:
        document_from_xml(_mutate(make_package(HUYEN, [XA]), path, text))
    assert words in err.value.message


def test_writer_refuses_bad_values():
    with pytest.raises(PackageInvalid):
        document_to_xml(make_package(HUYEN, [XA], urgency="rất gấp"))
    with pytest.raises(PackageInvalid):
        document_to_xml(make_package(HUYEN, [XA], subject="ký tự \x00 lạ"))
    with pytest.raises(PackageInvalid):
        document_to_xml(
            make_package(HUYEN, [XA], traces=[Trace(organ_code="H25.37", at=datetime(2026, 1, 1))])
        )


def test_no_due_date_and_plain_position():
    p = make_package(
        HUYEN,
        [XA],
        due_date=None,
        signer_position="CHỦ TỊCH",
        attachments=[],
        promulgation_date=date(2026, 1, 2),
    )
    assert document_from_xml(document_to_xml(p)) == p
