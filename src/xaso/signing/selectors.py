"""Reads of signing certificates."""

from __future__ import annotations

from django.db.models import QuerySet

from xaso.org.models import Agency, Staff

from .models import ImageKind, SigningCertificate, StampImage


def certificate_active_for(*, agency: Agency) -> SigningCertificate | None:
    """The certificate ``sign_pdf`` uses for the agency (at most one, by constraint)."""
    return SigningCertificate.objects.filter(
        agency=agency, staff__isnull=True, is_active=True
    ).first()


def certificate_active_for_staff(*, staff: Staff) -> SigningCertificate | None:
    """A person's own signing certificate (at most one active, by constraint)."""
    return SigningCertificate.objects.filter(staff=staff, is_active=True).first()


def seal_image_for(*, agency: Agency) -> StampImage | None:
    return StampImage.objects.filter(kind=ImageKind.SEAL, agency=agency).first()


def signature_image_for(*, staff: Staff) -> StampImage | None:
    return StampImage.objects.filter(kind=ImageKind.SIGNATURE, staff=staff).first()


def stamp_image_list_for(*, actor: Staff) -> QuerySet[StampImage]:
    """The seal and signature images of the actor's agency."""
    return StampImage.objects.filter(agency_id=actor.agency_id).select_related("staff")


def certificate_list() -> QuerySet[SigningCertificate]:
    """Every certificate of the installation (the console; no actor)."""
    return SigningCertificate.objects.select_related("agency", "staff").order_by(
        "agency__code", "-valid_from"
    )


def certificate_list_for(*, actor: Staff) -> QuerySet[SigningCertificate]:
    """The certificates of the actor's own agency."""
    return certificate_list().filter(agency_id=actor.agency_id)
