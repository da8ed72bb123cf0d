"""Background work of the dossiers app (django-tasks, STYLE.md §5): tasks take ids, call one
service, are safe to run twice, and are queued only after commit (see ``notices.notice_queue``)."""

from __future__ import annotations

from django_tasks import task

from . import notices


@task()
def send_dossier_notice(event_id: int | str, kind: str | None = None) -> dict[str, str]:
    """Tell the applicant about dossier event ``event_id`` by SMS and e-mail.

    A task queued before notices were tied to events carries (dossier code, kind) instead; it
    is resolved to the event it was about, so an upgrade loses no pending retry."""
    if isinstance(event_id, str):
        found = notices.notice_event_for(dossier_code=event_id, kind=kind or "")
        if found is None:
            return {}
        event_id = found
    return notices.dossier_notice_send(event_id=event_id)


@task()
def build_tracking_book(export_id: int) -> str:
    """Make the tracking book export ``export_id`` (services.tracking_book)."""
    from .services.tracking_book import tracking_book_export_build

    return tracking_book_export_build(export_id=export_id)
