"""Refusals of digitising, each with a stable ``code`` and a Vietnamese message (the entry's own
rules keep the codes of ``civil.errors``: ``required``, ``date_in_future``, the personal ID
rules, ``event_after_registration``, ``child_before_parent``, ``death_before_birth``,
``book_closed``)."""

from __future__ import annotations

from xaso.core.errors import Conflict, InvalidInput, NotFound


class EntryNumberTaken(Conflict):
    """The book already holds an entry with that number."""

    code = "entry_number_taken"


class BookNumberMismatch(Conflict):
    """The book of that event and year is kept under another number (quyển số)."""

    code = "book_number_mismatch"


class PageScanExists(Conflict):
    """That page of the book already has its scan (a scan is never replaced)."""

    code = "page_scan_exists"


class ImportFileInvalid(InvalidInput):
    """The file cannot be read as a spreadsheet of entries: empty, too large, not Excel or CSV,
    no header row, a column missing, too many rows."""

    code = "import_file_invalid"


class ImportBatchNotFound(NotFound):
    code = "import_not_found"


class ScanNotFound(NotFound):
    code = "scan_not_found"
