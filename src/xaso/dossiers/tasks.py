"""Background work of the dossiers app (django-tasks, STYLE.md §5): tasks take ids, call one
service, are safe to run twice, and are queued only after commit (see ``notices.notice_queue``)."""

from __future__ import annotations

from django_tasks import task

from . import notices


@task()
def send_dossier_notice(dossier_code: str, kind: str) -> dict[str, str]:
    """Tell the applicant of dossier ``dossier_code`` about ``kind`` by SMS and e-mail."""
    return notices.dossier_notice_send(dossier_code=dossier_code, kind=kind)
