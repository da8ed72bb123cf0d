"""Reads of signing certificates."""

from __future__ import annotations

from django.db.models import QuerySet

from xaso.org.models import Agency, Staff

from .models import SigningCertificate


def certificate_active_for(*, agency: Agency) -> SigningCertificate | None:
    """The certificate ``sign_pdf`` uses for the agency (at most one, by constraint)."""
    return SigningCertificate.objects.filter(agency=agency, is_active=True).first()


def certificate_list() -> QuerySet[SigningCertificate]:
    """Every certificate of the installation (the console; no actor)."""
    return SigningCertificate.objects.select_related("agency").order_by(
        "agency__code", "-valid_from"
    )


def certificate_list_for(*, actor: Staff) -> QuerySet[SigningCertificate]:
    """The certificates of the actor's own agency."""
    return certificate_list().filter(agency_id=actor.agency_id)
