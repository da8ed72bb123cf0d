"""Background work of reports (django-tasks, STYLE.md §5): the reminder sweep, safe to run any
number of times (each target is reminded once)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_reminders() -> int:
    """Remind the targets whose deadline is near (``services.reminders_send``)."""
    from .services import reminders_send

    return reminders_send()
