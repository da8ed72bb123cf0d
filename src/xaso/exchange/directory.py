"""The exchange directory (danh bạ liên thông): this node, its peers and the agencies that live
on them, by electronic code (QCVN 102:2016/BTTTT; Decision 20/2020/QĐ-TTg). Agencies of this
node are ``org.Agency`` rows; an agency code is local exactly when ``org.Agency`` has it."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.org.models import Agency

from . import nodes
from .errors import NodeInvalid, NodeNotInitialised, NodeUnknown
from .models import Node, RemoteAgency

if TYPE_CHECKING:
    from xaso.core.audit import Actor

log = logging.getLogger("xaso.exchange")

NODE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
AGENCY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.]{0,34}$")


def _check_url(url: str) -> str:
    url = url.strip()
    if not re.match(r"^https?://[^\s/]+", url):
        raise NodeInvalid(_("Địa chỉ nút phải bắt đầu bằng http:// hoặc https://."))
    return url.rstrip("/")


def _check_code(code: str) -> str:
    if not NODE_CODE.match(code):
        raise NodeInvalid(
            _("Mã nút chỉ gồm chữ, số, dấu chấm, gạch; tối đa 64 ký tự: %(code)s") % {"code": code}
        )
    return code


def self_node() -> Node | None:
    return Node.objects.filter(is_self=True).first()


@transaction.atomic
def node_init(*, code: str, name: str, base_url: str, actor: Actor | None = None) -> Node:
    """Khởi tạo nút: this node's key (file, 0600) and certificate, and its own Node row."""
    code = _check_code(code)
    url = _check_url(base_url)
    if self_node() is not None:
        raise NodeInvalid(_("Nút này đã được khởi tạo."))
    if Node.objects.filter(code=code).exists():
        raise NodeInvalid(_("Mã nút %(code)s đã có trong danh bạ.") % {"code": code})
    cert_pem = nodes.generate(code=code, name=name)
    node = Node.objects.create(
        code=code, name=name, base_url=url, certificate=cert_pem.decode("ascii"), is_self=True
    )
    audit_record(actor=actor, action="exchange.node_init", obj=node)
    return node


def node_export() -> dict[str, str]:
    """What a peer imports (``xaso exchange add-node --json``): code, name, URL, certificate."""
    me = self_node()
    if me is None:
        raise NodeNotInitialised(_("Nút chưa được khởi tạo: chạy `xaso exchange init-node`."))
    return {"code": me.code, "name": me.name, "url": me.base_url, "certificate": me.certificate}


@transaction.atomic
def node_add(
    *, code: str, name: str, base_url: str, certificate: str, actor: Actor | None = None
) -> Node:
    """Thêm hoặc cập nhật nút ngang hàng: its URL and the certificate its messages are checked
    against (a renewed certificate replaces the old one)."""
    code = _check_code(code)
    url = _check_url(base_url)
    nodes.load_certificate(certificate)
    me = self_node()
    if me is not None and me.code == code:
        raise NodeInvalid(_("Mã %(code)s là mã của chính nút này.") % {"code": code})
    node, created = Node.objects.update_or_create(
        code=code,
        defaults={
            "name": name or code,
            "base_url": url,
            "certificate": certificate.strip() + "\n",
            "is_active": True,
        },
    )
    audit_record(
        actor=actor,
        action="exchange.node_add" if created else "exchange.node_update",
        obj=node,
        changes={"url": url, "fingerprint": nodes.fingerprint(certificate)},
    )
    return node


def node_add_from_json(*, data: str, actor: Actor | None = None) -> Node:
    try:
        info: Any = json.loads(data)
        return node_add(
            code=str(info["code"]),
            name=str(info.get("name", "")),
            base_url=str(info["url"]),
            certificate=str(info["certificate"]),
            actor=actor,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise NodeInvalid(
            _("Tệp mô tả nút không đúng dạng (cần JSON có code, url, certificate).")
        ) from exc


@transaction.atomic
def remote_agency_add(
    *,
    code: str,
    name: str,
    node_code: str,
    parent_code: str = "",
    level: int = 0,
    actor: Actor | None = None,
) -> RemoteAgency:
    """Ghi một cơ quan ở nút khác vào danh bạ (or move it to another node)."""
    code = code.strip().upper()
    if not AGENCY_CODE.match(code):
        raise NodeInvalid(_("Mã định danh cơ quan không hợp lệ: %(code)s") % {"code": code})
    if Agency.objects.filter(code=code).exists():
        raise NodeInvalid(
            _("Cơ quan %(code)s thuộc chính nút này, không ghi vào danh bạ nút khác.")
            % {"code": code}
        )
    node = Node.objects.filter(code=node_code, is_self=False).first()
    if node is None:
        raise NodeUnknown(_("Không có nút %(code)s trong danh bạ.") % {"code": node_code})
    agency, created = RemoteAgency.objects.update_or_create(
        code=code,
        defaults={"name": name, "node": node, "parent_code": parent_code, "level": level},
    )
    audit_record(
        actor=actor,
        action="exchange.agency_add" if created else "exchange.agency_update",
        obj=agency,
        changes={"node": node.code},
    )
    return agency


def agencies_below(*, agency: Agency) -> list[tuple[str, str, Agency | None]]:
    """Every agency below ``agency`` as (code, name, local row or None), in code order: this
    node's (``org.Agency.parent``) and those on other nodes (the directory's parent codes) — the
    addressees of "all agencies below" (a directive down, a report request)."""
    from xaso.org.selectors import agency_subordinate_ids

    local = list(
        Agency.objects.filter(pk__in=agency_subordinate_ids(agency=agency), is_active=True)
        .only("pk", "code", "name")
        .order_by("code")
    )
    found: dict[str, tuple[str, str, Agency | None]] = {a.code: (a.code, a.name, a) for a in local}
    frontier = {agency.code, *found}
    seen = set(frontier)
    while frontier:
        rows = list(RemoteAgency.objects.filter(parent_code__in=frontier).values("code", "name"))
        frontier = set()
        for row in rows:
            if row["code"] in seen:
                continue
            seen.add(row["code"])
            frontier.add(row["code"])
            found.setdefault(row["code"], (row["code"], row["name"], None))
        # A local agency below a remote one cannot exist: it would be in the local tree.
    return sorted(found.values())
