"""Writes to the procedure catalogue: import (all or nothing), edits that confirm missing values,
publishing a province's internal procedure, and form templates. Every write is audited."""

from __future__ import annotations

from .catalogue import (
    EDITABLE,
    CatalogueRejected,
    ImportResult,
    Rejection,
    catalogue_check,
    catalogue_import,
    procedure_update,
)
from .forms import form_attach, form_delete
from .versions import (
    version_draft_discard,
    version_draft_publish,
    version_draft_save,
    version_publish,
)

__all__ = [
    "EDITABLE",
    "CatalogueRejected",
    "ImportResult",
    "Rejection",
    "catalogue_check",
    "catalogue_import",
    "form_attach",
    "form_delete",
    "procedure_update",
    "version_draft_discard",
    "version_draft_publish",
    "version_draft_save",
    "version_publish",
]
