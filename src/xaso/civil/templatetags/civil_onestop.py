"""``{% civil_dossier_panel dossier %}``: the civil status box of a one-stop dossier's page (load
with ``{% load civil_onestop %}``). For a dossier of a civil status procedure it shows the
register entry written from the dossier — the dossier's result, whose certificate is issued from
the entry's page — or, while the dossier is in processing, the link that opens the registration
form prefilled from it (``civil.onestop.dossier_panel``). Nothing for other procedures."""

from __future__ import annotations

from typing import Any

from django import template

from xaso.dossiers.models import Dossier

from .. import onestop

register = template.Library()


@register.inclusion_tag("civil/_dossier_panel.html", takes_context=True)
def civil_dossier_panel(context: template.Context, dossier: Dossier) -> dict[str, Any]:
    request = context.get("request")
    user = context.get("user") or (request.user if request is not None else None)
    if user is None or not user.is_authenticated:
        return {"panel": None}
    return {"panel": onestop.dossier_panel(actor=user, dossier=dossier), "d": dossier}


@register.filter
def civil_reader(user: Any) -> bool:
    """For the menu: may this official open the civil status pages (``permissions.can_read``)."""
    from xaso.civil import permissions

    return bool(user is not None and user.is_authenticated and permissions.can_read(user))
