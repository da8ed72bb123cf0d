"""Writes on the civil status registers: one ``civil_register_<event>`` per kind of registration,
the note of a divorce, and the closing of a book.

Each service checks the actor (``permissions``), the law's rules on what was declared, then,
holding the book's lock, what the agency's registers already say; it writes the entry with the
next number of its book and one audit entry, in one transaction (``common`` says how, and in
which order locks are taken). Every refusal is a ``DomainError`` of ``civil.errors`` with a
stable code and a Vietnamese message, and leaves nothing written.
"""

from __future__ import annotations

from .amendments import Change, civil_register_change
from .births import civil_register_birth, civil_register_death
from .books import book_close, book_lock_for, entry_number_next
from .common import Fee, fee_assess
from .family import (
    civil_register_guardianship,
    civil_register_guardianship_termination,
    civil_register_parentage,
)
from .marriage import civil_note_divorce, civil_register_marital_status, civil_register_marriage
from .others import (
    civil_register_extract_copy,
    civil_register_foreign_record,
    civil_register_info_confirmation,
    civil_register_re_registration,
)

__all__ = [
    "Change",
    "Fee",
    "book_close",
    "book_lock_for",
    "civil_note_divorce",
    "civil_register_birth",
    "civil_register_change",
    "civil_register_death",
    "civil_register_extract_copy",
    "civil_register_foreign_record",
    "civil_register_guardianship",
    "civil_register_guardianship_termination",
    "civil_register_info_confirmation",
    "civil_register_marital_status",
    "civil_register_marriage",
    "civil_register_parentage",
    "civil_register_re_registration",
    "entry_number_next",
    "fee_assess",
]
