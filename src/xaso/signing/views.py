"""Kiểm tra chữ ký số (public, no login): anyone uploads a signed PDF and sees whether it is
validly signed, by whom, when, and whether it was changed after signing. The file is read in
memory and never stored. Limited per client address with the public lookup's limiter
(``XASO_PUBLIC_LOOKUP_RATE`` a minute, one budget shared with the dossier lookup).

And, for signed-in staff, the images visible signatures show (Decree 30/2020/NĐ-CP Appendix I):
the agency's seal (administrators) and each signer's signature (administrators, or oneself)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xaso.core.errors import DomainError
from xaso.core.ratelimit import public_lookup_allowed as lookup_allowed
from xaso.org.models import Staff

from . import conf, images, permissions, selectors
from .errors import ImageTooLarge
from .forms import StampImageForm, VerifyForm
from .models import StampImage
from .verify import upload_read, verify_pdf


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"max_mb": conf.verify_max_bytes() // (1024 * 1024)}
    if request.method != "POST":
        context["form"] = VerifyForm()
        return render(request, "signing/verify.html", context)
    form = VerifyForm(request.POST, request.FILES)
    context["form"] = form
    if not lookup_allowed(request):
        context["throttled"] = True
        return render(request, "signing/verify.html", context, status=429)
    if not form.is_valid():
        return render(request, "signing/verify.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = verify_pdf(upload_read(upload))
    except DomainError as exc:
        form.add_error("file", exc.message)
        return render(request, "signing/verify.html", context, status=exc.status)
    context["result"] = result
    context["filename"] = upload.name
    return render(request, "signing/verify.html", context)


def _staff_choices(actor: Staff) -> list[tuple[str, str]]:
    if not permissions.can_manage_certificates(actor, actor.agency):
        return []
    people = Staff.objects.filter(agency_id=actor.agency_id, is_active=True).order_by("full_name")
    return [(str(p.public_id), f"{p.full_name} ({p.username})") for p in people]


@login_required
@require_http_methods(["GET", "POST"])
def stamp_images(request: HttpRequest) -> HttpResponse:
    """Ảnh con dấu và chữ ký: see the agency's images, upload the seal (administrators) or a
    signature (one's own; administrators anyone's in the agency)."""
    from . import services

    actor: Staff = request.user  # type: ignore[assignment]
    is_admin = permissions.can_manage_certificates(actor, actor.agency)
    choices = _staff_choices(actor)
    form = StampImageForm(staff_choices=choices)
    status = 200
    if request.method == "POST":
        form = StampImageForm(request.POST, request.FILES, staff_choices=choices)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            person: Staff | None = None
            if kind == "signature":
                chosen = form.cleaned_data["staff"]
                person = (
                    Staff.objects.get(public_id=chosen, agency_id=actor.agency_id)
                    if chosen
                    else actor
                )
            upload = form.cleaned_data["file"]
            limit = conf.image_max_bytes()
            try:
                if upload.size > limit:
                    raise ImageTooLarge(
                        _("Tệp ảnh quá lớn (%(kb)d KB); tối đa %(max)d KB.")
                        % {"kb": upload.size // 1024, "max": limit // 1024}
                    )
                services.stamp_image_upload(
                    actor=actor, agency=actor.agency, staff=person, data=upload.read()
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
                status = exc.status
            else:
                messages.success(request, _("Đã lưu ảnh."))
                return HttpResponseRedirect(reverse("signing_admin:images"))
        else:
            status = 400
    rows = list(selectors.stamp_image_list_for(actor=actor))
    if not is_admin:
        rows = [r for r in rows if r.staff_id == actor.pk]
    context = {
        "form": form,
        "is_admin": is_admin,
        "seal": next((r for r in rows if r.kind == "seal"), None),
        "signatures": [r for r in rows if r.kind == "signature"],
        "max_kb": conf.image_max_bytes() // 1024,
    }
    return render(request, "signing/images.html", context, status=status)


@login_required
def stamp_image_file(request: HttpRequest, public_id: str) -> HttpResponse:
    """The PNG itself, for people of the same agency (an image of another agency is a 404)."""
    actor: Staff = request.user  # type: ignore[assignment]
    row = StampImage.objects.filter(public_id=public_id, agency_id=actor.agency_id).first()
    if row is None:
        raise Http404
    data = images.image_path(row.file).read_bytes()  # at most XASO_SIGNING_IMAGE_MAX_BYTES
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
