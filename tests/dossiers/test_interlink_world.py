"""A commune (A, of ``world.build_world``) and a provincial department (P) of the same node, for
the liên thông tests: dossiers received at A, scanned, sent to P over the exchange."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.dossiers.world import World, build_world, receive
from xaso.dossiers import services
from xaso.dossiers.models import Dossier, DossierAttachment
from xaso.org.models import Agency, Staff

SCAN = b"%PDF-1.4\n% to khai\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02giay-to" * 50
RESULT = b"%PDF-1.7\n% ket qua giai quyet\n" + bytes(reversed(range(256))) * 4 + b"\n%%EOF\n"


@dataclass
class LinkWorld:
    w: World
    p: Agency
    reception_p: Staff
    specialist_p: Staff
    leader_p: Staff
    clerk_p: Staff


def build_link_world() -> LinkWorld:
    w = build_world()
    province = w.a.unit.parent
    p = factories.agency(code="H98.90", name="Sở Tư pháp tỉnh Thử Nghiệm", unit_obj=province)

    def s(*roles: str, name: str) -> Staff:
        return factories.staff(agency_obj=p, roles=roles, username=name)

    return LinkWorld(
        w=w,
        p=p,
        reception_p=s("reception", name="tiepnhan_p"),
        specialist_p=s("specialist", name="chuyenvien_p"),
        leader_p=s("leader", name="lanhdao_p"),
        clerk_p=s("clerk", name="vanthu_p"),
    )


def scanned(lw: LinkWorld, **kw: object) -> Dossier:
    """A dossier received at A with two scans (a PDF and a PNG)."""
    d = receive(lw.w, **kw)  # type: ignore[arg-type]
    for name, data in (("to-khai.pdf", SCAN), ("cccd.png", PHOTO)):
        services.dossier_attach(
            actor=lw.w.reception,
            dossier=d,
            upload=SimpleUploadedFile(name, data),
            title=name.split(".")[0],
        )
    return d


def this_node_initialised() -> None:
    """Packages to another node carry this node's XML signature (QCVN 102:2016): give this node
    its key, as `xaso exchange init-node` does (replacing one an earlier test left behind)."""
    from xaso.exchange import directory, nodes

    for made in (nodes.key_path(), nodes.certificate_path()):
        made.unlink(missing_ok=True)
    nodes._key_cache.clear()
    directory.node_init(code="NODE-XA", name="Nút xã", base_url="http://127.0.0.1:8")


def read(attachment: DossierAttachment) -> bytes:
    with attachment.file.open("rb") as f:
        return f.read()
