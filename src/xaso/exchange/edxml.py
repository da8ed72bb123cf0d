"""The exchange package: official documents and status messages as edXML, the packet format of
QCVN 102:2016/BTTTT (issued with Circular 10/2016/TT-BTTTT) that document-management systems of
state agencies exchange over the national interconnection axis (Decision 28/2018/QĐ-TTg).

Layout written and read here (namespace ``http://www.mic.gov.vn/TBT/QCVN_102_2016``)::

    edXML
      edXMLEnvelope
        edXMLHeader
          MessageHeader            (a document)   | Status   (a status message)
            From, To*, Code, PromulgationInfo,    |   ResponseFor, From, StatusCode,
            DocumentType, Subject, Content,       |   Description, Timestamp, StaffInfo
            SignerInfo, DueDate, ToPlaces,        |
            OtherInfo/Priority, ResponseFor,      |
            SteeringType, DocumentId              |
          TraceHeaderList/TraceHeader*, Bussiness
          DigitalSignature/ds:Signature   (XML-DSig of the sending node; packages between nodes)
          xaso:Exchange            (Xã Số's own fields, in its own namespace: receivers that
                                    follow only the standard ignore it)
        edXMLBody/edXMLManifest/Reference*  (xlink:href "cid:N", AttachmentName, ContentType)
      AttachmentEncoded/Attachment*        (ContentId N, base64)

Choices where the standard leaves the value to the system:

- ``DocumentId`` carries the package's ``message_id`` (a UUID), the key of exactly-once
  registration; the recipient reports statuses with it in ``Status/ResponseFor/DocumentId``.
- Dates are ``YYYY/MM/DD``; timestamps ``yyyy/MM/dd HH:mm:ss`` in Vietnam time (UTC+7), so they
  carry whole seconds.
- Urgency (độ khẩn, Decree 30/2020/NĐ-CP Art. 15) → ``OtherInfo/Priority``: 0 thường, 1 khẩn,
  2 thượng khẩn, 3 hỏa tốc.
- ``SteeringType``: 1 for a directive (văn bản chỉ đạo), 0 otherwise.
- ``SignerInfo``: a position written "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" is split into Competence (the
  authority signed for) and Position.
- Status codes (``STATUS_CODES``): 01 đã đến, 02 từ chối tiếp nhận, 03 đã tiếp nhận/vào sổ,
  04 phân công, 05 đang xử lý, 06 hoàn thành.
- The digital signature: QCVN 102:2016 gives the header a ``DigitalSignature`` element holding an
  XML-DSig signature. Xã Số writes it there, after ``TraceHeaderList`` (the standard's order),
  for every package that leaves for another node: an *enveloped* signature (Reference
  ``URI=""`` with the enveloped-signature transform, C14N 1.1, RSA-SHA256, the node's X.509
  certificate in ``KeyInfo``) that covers the whole document — header, manifest and the
  ``AttachmentEncoded`` outside the envelope — all but the ``ds:Signature`` itself. Writing and
  checking it is :mod:`.xmldsig` (signxml); the writers here take it as ``signer``. Packages
  between agencies of one node are not signed (docs/adr/0005-edxml-signature.md).

Parsing is defensive: a document type declaration (DTD) or entity is refused, the network is never
read, and every malformed or missing element raises :class:`~.errors.PackageInvalid`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from .errors import PackageInvalid


def _etree() -> Any:
    """lxml, loaded by the first package read or written: ≈ 7 MB that every web and task worker
    would otherwise carry from start-up (the apps register their exchange handlers at start)."""
    from lxml import etree

    return etree


NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XNS = "urn:xaso:exchange:1"
XLINK = "http://www.w3.org/1999/xlink"
NSMAP = {"edXML": NS, "xlink": XLINK, "xaso": XNS}
VN = ZoneInfo("Asia/Ho_Chi_Minh")

KINDS = ("document", "dossier", "directive", "report_request", "report")
URGENCIES = ("normal", "urgent", "very_urgent", "flash")
PRIORITY = {"normal": "0", "urgent": "1", "very_urgent": "2", "flash": "3"}
STATUSES = ("arrived", "refused", "registered", "assigned", "processing", "completed")
STATUS_CODES = {status: f"{i:02d}" for i, status in enumerate(STATUSES, start=1)}

#: Signs a package's tree before it is written (:func:`.xmldsig.sign`): takes the root, returns
#: the root of the signed tree.
Signer = Callable[[Any], Any]


@dataclass(frozen=True)
class Organization:
    code: str  # electronic agency code (org.Agency.code), e.g. "H25.37.01"
    name: str


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class Trace:
    """An edXML ``TraceHeaderList`` entry: an agency the package passed through, and when."""

    organ_code: str
    at: datetime  # aware


@dataclass
class DocumentPackage:
    message_id: str
    sender: Organization
    recipients: list[Organization]
    code_number: str
    code_notation: str
    place: str
    promulgation_date: date
    document_type: str
    document_type_name: str
    subject: str
    summary: str = ""
    signer_name: str = ""
    signer_position: str = ""
    urgency: str = "normal"
    due_date: date | None = None
    reply_to: str | None = None
    kind: str = "document"
    attachments: list[Attachment] = field(default_factory=list)
    traces: list[Trace] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class StatusPackage:
    message_id: str
    document_message_id: str
    sender: Organization
    recipient: Organization
    status: str
    at: datetime
    staff_name: str = ""
    comment: str = ""


# --- Writing ------------------------------------------------------------------------------------


def _q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent: Any, tag: str, text: str | None = None, ns: str = NS) -> Any:
    el = _etree().SubElement(parent, _q(tag, ns))
    if text is not None:
        try:
            el.text = text
        except ValueError as exc:  # control characters XML cannot carry
            raise PackageInvalid(
                _("Trường %(tag)s chứa ký tự không hợp lệ.") % {"tag": tag}
            ) from exc
    return el


def _date(d: date) -> str:
    return d.strftime("%Y/%m/%d")


def _stamp(at: datetime) -> str:
    if at.tzinfo is None:
        raise PackageInvalid(_("Thời điểm phải có múi giờ."))
    return at.astimezone(VN).strftime("%Y/%m/%d %H:%M:%S")


def _organ(parent: Any, tag: str, org: Organization) -> None:
    el = _sub(parent, tag)
    _sub(el, "OrganId", org.code)
    _sub(el, "OrganName", org.name)


def _envelope() -> tuple[Any, Any, Any]:
    root = _etree().Element(_q("edXML"), nsmap=NSMAP)
    envelope = _sub(root, "edXMLEnvelope")
    header = _sub(envelope, "edXMLHeader")
    return root, envelope, header


def _bytes(root: Any) -> bytes:
    return bytes(_etree().tostring(root, xml_declaration=True, encoding="UTF-8"))


def document_to_xml(p: DocumentPackage, *, signer: Signer | None = None) -> bytes:
    """The package as edXML bytes (UTF-8); with ``signer`` (:func:`.xmldsig.sign`), carrying the
    digital signature."""
    if p.urgency not in PRIORITY:
        raise PackageInvalid(_("Độ khẩn không hợp lệ: %(value)s.") % {"value": p.urgency})
    if p.kind not in KINDS:
        raise PackageInvalid(_("Loại gói tin không hợp lệ: %(value)s.") % {"value": p.kind})
    root, envelope, header = _envelope()
    mh = _sub(header, "MessageHeader")
    _organ(mh, "From", p.sender)
    for r in p.recipients:
        _organ(mh, "To", r)
    code = _sub(mh, "Code")
    _sub(code, "CodeNumber", p.code_number)
    _sub(code, "CodeNotation", p.code_notation)
    prom = _sub(mh, "PromulgationInfo")
    _sub(prom, "Place", p.place)
    _sub(prom, "PromulgationDate", _date(p.promulgation_date))
    dt = _sub(mh, "DocumentType")
    _sub(dt, "Type", "1")
    _sub(dt, "TypeDetail", p.document_type)
    _sub(dt, "TypeName", p.document_type_name)
    _sub(mh, "Subject", p.subject)
    _sub(mh, "Content", p.summary)
    signer_info = _sub(mh, "SignerInfo")
    competence, _sep, position = p.signer_position.rpartition(" / ")
    _sub(signer_info, "Competence", competence)
    _sub(signer_info, "Position", position)
    _sub(signer_info, "FullName", p.signer_name)
    _sub(mh, "DueDate", _date(p.due_date) if p.due_date else "")
    places = _sub(mh, "ToPlaces")
    for r in p.recipients:
        _sub(places, "Place", r.name)
    other = _sub(mh, "OtherInfo")
    _sub(other, "Priority", PRIORITY[p.urgency])
    if p.reply_to:
        rf = _sub(mh, "ResponseFor")
        _sub(rf, "DocumentId", p.reply_to)
    _sub(mh, "SteeringType", "1" if p.kind == "directive" else "0")
    _sub(mh, "DocumentId", p.message_id)

    traces = _sub(header, "TraceHeaderList")
    for t in p.traces:
        th = _sub(traces, "TraceHeader")
        _sub(th, "OrganId", t.organ_code)
        _sub(th, "Timestamp", _stamp(t.at))
    business = _sub(traces, "Bussiness")
    _sub(business, "BussinessDocType", "0")  # 0 = a new document
    _sub(business, "BussinessDocReason", "")

    ext = _sub(header, "Exchange", ns=XNS)
    _sub(ext, "Kind", p.kind, ns=XNS)
    for key, value in p.extra.items():
        f = _sub(ext, "Field", value, ns=XNS)
        f.set("name", key)

    manifest = _sub(_sub(envelope, "edXMLBody"), "edXMLManifest")
    encoded = _sub(root, "AttachmentEncoded")
    for i, a in enumerate(p.attachments, start=1):
        ref = _sub(manifest, "Reference")
        ref.set(f"{{{XLINK}}}href", f"cid:{i}")
        _sub(ref, "AttachmentName", a.name)
        _sub(ref, "ContentType", a.content_type)
        _sub(ref, "Description", a.description)
        att = _sub(encoded, "Attachment", base64.b64encode(a.data).decode("ascii"))
        att.set("ContentId", str(i))
        att.set("ContentTransferEncoding", "base64")
    return _bytes(root if signer is None else signer(root))


def status_to_xml(s: StatusPackage, *, signer: Signer | None = None) -> bytes:
    """A status message (edXML ``Status``) as bytes; signed like a document with ``signer``."""
    if s.status not in STATUS_CODES:
        raise PackageInvalid(_("Trạng thái không hợp lệ: %(value)s.") % {"value": s.status})
    root, envelope, header = _envelope()
    st = _sub(header, "Status")
    rf = _sub(st, "ResponseFor")
    _sub(rf, "OrganId", s.recipient.code)
    _sub(rf, "DocumentId", s.document_message_id)
    _organ(st, "From", s.sender)
    _sub(st, "StatusCode", STATUS_CODES[s.status])
    _sub(st, "Description", s.comment)
    _sub(st, "Timestamp", _stamp(s.at))
    staff = _sub(st, "StaffInfo")
    _sub(staff, "Department", "")
    _sub(staff, "Staff", s.staff_name)
    ext = _sub(header, "Exchange", ns=XNS)
    _sub(ext, "Kind", "status", ns=XNS)
    _sub(ext, "MessageId", s.message_id, ns=XNS)
    _sub(ext, "RecipientName", s.recipient.name, ns=XNS)
    _sub(envelope, "edXMLBody")
    return _bytes(root if signer is None else signer(root))


# --- Reading ------------------------------------------------------------------------------------


def parser() -> Any:
    """The one XML parser of packages (also handed to signxml): no DTD, entity or network."""
    return _etree().XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,  # attachments of tens of megabytes are single text nodes
        remove_comments=True,
        remove_pis=True,
    )


def _parse(data: bytes) -> Any:
    if not isinstance(data, bytes | bytearray) or not data.strip():
        raise PackageInvalid(_("Gói tin rỗng."))
    etree = _etree()
    try:
        tree = etree.ElementTree(etree.fromstring(bytes(data), parser()))
    except etree.XMLSyntaxError as exc:
        raise PackageInvalid(
            _("Gói tin không phải XML hợp lệ: %(error)s") % {"error": exc}
        ) from exc
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise PackageInvalid(_("Gói tin có khai báo DTD; không được chấp nhận."))
    root = tree.getroot()
    if any(isinstance(el, etree._Entity) for el in root.iter()):
        raise PackageInvalid(_("Gói tin có thực thể XML; không được chấp nhận."))
    if root.tag != _q("edXML"):
        raise PackageInvalid(_("Phần tử gốc phải là edXML (QCVN 102:2016/BTTTT)."))
    return root


def _find(parent: Any, path: str, *, required: bool = True) -> Any:
    parts = [p if ":" in p else f"edXML:{p}" for p in path.split("/")]
    el = parent.find("/".join(parts), NSMAP)
    if el is None and required:
        raise PackageInvalid(_("Thiếu phần tử %(path)s.") % {"path": path})
    return el


def _text(parent: Any, path: str, *, required: bool = True) -> str:
    el = _find(parent, path, required=required)
    if el is None:
        return ""
    return el.text or ""


def _parse_date(value: str, path: str) -> date:
    try:
        return datetime.strptime(value.strip(), "%Y/%m/%d").date()
    except ValueError as exc:
        raise PackageInvalid(
            _("Ngày %(path)s không đúng dạng YYYY/MM/DD: %(value)s")
            % {"path": path, "value": value}
        ) from exc


def _parse_stamp(value: str, path: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), "%Y/%m/%d %H:%M:%S").replace(tzinfo=VN)
    except ValueError as exc:
        raise PackageInvalid(
            _("Thời điểm %(path)s không đúng dạng yyyy/MM/dd HH:mm:ss: %(value)s")
            % {"path": path, "value": value}
        ) from exc


def _org(el: Any, path: str) -> Organization:
    code = _text(el, "OrganId").strip()
    if not code:
        raise PackageInvalid(_("Thiếu mã định danh cơ quan ở %(path)s.") % {"path": path})
    return Organization(code=code, name=_text(el, "OrganName", required=False))


def _header(root: Any) -> Any:
    return _find(root, "edXMLEnvelope/edXMLHeader")


def package_kind(data: bytes) -> str:
    """ "status" for a status message, else the document kind (without decoding attachments)."""
    root = _parse(data)
    header = _header(root)
    if _find(header, "Status", required=False) is not None:
        return "status"
    return _text(header, "xaso:Exchange/xaso:Kind", required=False) or "document"


_UUIDISH = re.compile(r"^[A-Za-z0-9._:,/-]{1,100}$")


def _message_id(value: str, path: str) -> str:
    value = value.strip()
    if not _UUIDISH.match(value):
        raise PackageInvalid(_("Mã gói tin %(path)s không hợp lệ.") % {"path": path})
    return value


def package_from_xml(b: bytes) -> DocumentPackage | StatusPackage:
    """Read either kind of message, parsing the bytes once (packages carry large attachments)."""
    return package_from_root(_parse(b))


def package_from_root(root: Any) -> DocumentPackage | StatusPackage:
    """Read either kind of message from a parsed edXML root (what a verified XML signature
    covers: :func:`.xmldsig.verified_root`)."""
    if root.tag != _q("edXML"):
        raise PackageInvalid(_("Phần tử gốc phải là edXML (QCVN 102:2016/BTTTT)."))
    if _find(_header(root), "Status", required=False) is not None:
        return _status_from_root(root)
    return _document_from_root(root)


def document_from_xml(b: bytes) -> DocumentPackage:
    """Read a document package; anything malformed raises PackageInvalid."""
    return _document_from_root(_parse(b))


def _document_from_root(root: Any) -> DocumentPackage:
    header = _header(root)
    mh = _find(header, "MessageHeader")
    recipients = [_org(el, "To") for el in mh.findall("edXML:To", NSMAP)]
    if not recipients:
        raise PackageInvalid(_("Gói tin không có nơi nhận (To)."))
    priority = _text(mh, "OtherInfo/Priority", required=False).strip() or "0"
    urgency = {v: k for k, v in PRIORITY.items()}.get(priority)
    if urgency is None:
        raise PackageInvalid(_("Độ khẩn (Priority) không hợp lệ: %(value)s") % {"value": priority})
    kind = _text(header, "xaso:Exchange/xaso:Kind", required=False).strip() or "document"
    if kind not in KINDS:
        raise PackageInvalid(_("Loại gói tin không hợp lệ: %(value)s.") % {"value": kind})
    competence = _text(mh, "SignerInfo/Competence", required=False)
    position = _text(mh, "SignerInfo/Position", required=False)
    due = _text(mh, "DueDate", required=False).strip()
    reply_to = _text(mh, "ResponseFor/DocumentId", required=False).strip() or None

    traces = []
    for th in header.findall("edXML:TraceHeaderList/edXML:TraceHeader", NSMAP):
        traces.append(
            Trace(
                organ_code=_text(th, "OrganId").strip(),
                at=_parse_stamp(_text(th, "Timestamp"), "TraceHeader/Timestamp"),
            )
        )
    extra: dict[str, str] = {}
    for f in header.findall("xaso:Exchange/xaso:Field", NSMAP):
        name = f.get("name")
        if not name:
            raise PackageInvalid(_("Trường bổ sung thiếu tên."))
        extra[name] = f.text or ""

    encoded: dict[str, Any] = {}
    for att in root.findall("edXML:AttachmentEncoded/edXML:Attachment", NSMAP):
        encoded[att.get("ContentId", "")] = att
    attachments = []
    for ref in _find(root, "edXMLEnvelope/edXMLBody/edXMLManifest").findall(
        "edXML:Reference", NSMAP
    ):
        href = ref.get(f"{{{XLINK}}}href", "")
        cid = href[4:] if href.startswith("cid:") else ""
        att = encoded.get(cid)
        if att is None:
            raise PackageInvalid(
                _("Tệp đính kèm %(href)s không có nội dung trong AttachmentEncoded.")
                % {"href": href}
            )
        try:
            data = base64.b64decode((att.text or "").encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise PackageInvalid(
                _("Tệp đính kèm %(href)s không đúng mã base64.") % {"href": href}
            ) from exc
        attachments.append(
            Attachment(
                name=_text(ref, "AttachmentName"),
                content_type=_text(ref, "ContentType", required=False)
                or "application/octet-stream",
                data=data,
                description=_text(ref, "Description", required=False),
            )
        )

    return DocumentPackage(
        message_id=_message_id(_text(mh, "DocumentId"), "DocumentId"),
        sender=_org(_find(mh, "From"), "From"),
        recipients=recipients,
        code_number=_text(mh, "Code/CodeNumber", required=False),
        code_notation=_text(mh, "Code/CodeNotation", required=False),
        place=_text(mh, "PromulgationInfo/Place", required=False),
        promulgation_date=_parse_date(
            _text(mh, "PromulgationInfo/PromulgationDate"), "PromulgationDate"
        ),
        document_type=_text(mh, "DocumentType/TypeDetail", required=False),
        document_type_name=_text(mh, "DocumentType/TypeName", required=False),
        subject=_text(mh, "Subject"),
        summary=_text(mh, "Content", required=False),
        signer_name=_text(mh, "SignerInfo/FullName", required=False),
        signer_position=f"{competence} / {position}" if competence else position,
        urgency=urgency,
        due_date=_parse_date(due, "DueDate") if due else None,
        reply_to=reply_to,
        kind=kind,
        attachments=attachments,
        traces=traces,
        extra=extra,
    )


def status_from_xml(b: bytes) -> StatusPackage:
    """Read a status message; anything malformed raises PackageInvalid."""
    return _status_from_root(_parse(b))


def _status_from_root(root: Any) -> StatusPackage:
    header = _header(root)
    st = _find(header, "Status")
    code = _text(st, "StatusCode").strip()
    status = {v: k for k, v in STATUS_CODES.items()}.get(code)
    if status is None:
        raise PackageInvalid(_("Mã trạng thái không hợp lệ: %(value)s") % {"value": code})
    recipient_code = _text(st, "ResponseFor/OrganId").strip()
    if not recipient_code:
        raise PackageInvalid(_("Thiếu mã định danh cơ quan ở ResponseFor."))
    return StatusPackage(
        message_id=_message_id(_text(header, "xaso:Exchange/xaso:MessageId"), "MessageId"),
        document_message_id=_message_id(
            _text(st, "ResponseFor/DocumentId"), "ResponseFor/DocumentId"
        ),
        sender=_org(_find(st, "From"), "From"),
        recipient=Organization(
            code=recipient_code,
            name=_text(header, "xaso:Exchange/xaso:RecipientName", required=False),
        ),
        status=status,
        at=_parse_stamp(_text(st, "Timestamp"), "Timestamp"),
        staff_name=_text(st, "StaffInfo/Staff", required=False),
        comment=_text(st, "Description", required=False),
    )
