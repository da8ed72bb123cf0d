"""Background work of digitising (django-tasks, STYLE.md §5): tasks take ids, call one service,
are safe to run twice, and are queued only after commit (``services.import_batch_request``)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_civil_batch(batch_id: int) -> str:
    """Check and import the spreadsheet of batch ``batch_id`` (services.import_batch_run)."""
    from .services import import_batch_run

    return import_batch_run(batch_id=batch_id)
