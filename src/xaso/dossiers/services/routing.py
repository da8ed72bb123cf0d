"""Which agencies a dossier may be routed to: any agency of the same province (phi địa giới,
vn-rules.md §1.3; liên thông within the province)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from xaso.org.models import AdministrativeUnit, Agency

from ..errors import TransferTargetInvalid


def _province_of(unit: AdministrativeUnit | None) -> int | None:
    seen = 0
    while unit is not None and seen < 8:
        if unit.level.code == "province":
            return unit.pk
        unit = unit.parent
        seen += 1
    return None


def check_same_province(source: Agency, target: Agency) -> None:
    """Refuse a target agency outside the source's province, or inactive."""
    if not target.is_active:
        raise TransferTargetInvalid(
            _("Cơ quan %(code)s không còn hoạt động.") % {"code": target.code},
            fields={"agency": [_("Cơ quan không còn hoạt động.")]},
        )
    province = _province_of(source.unit)
    if province is None or province != _province_of(target.unit):
        raise TransferTargetInvalid(
            _("Chỉ chuyển hồ sơ đến cơ quan trong cùng tỉnh (%(code)s không thuộc tỉnh này).")
            % {"code": target.code},
            fields={"agency": [_("Cơ quan không thuộc cùng tỉnh.")]},
        )
