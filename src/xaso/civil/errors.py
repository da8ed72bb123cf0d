"""Broken rules of civil status registration, each with a stable ``code`` (API clients match on
it) and a Vietnamese message. A family of rules shares one class and names the rule in ``code``
(``FieldInvalid("date_in_future", ...)``); the codes are listed on each class."""

from __future__ import annotations

from typing import ClassVar

from xaso.core.errors import Conflict, InvalidInput, NotFound


class RecordNotFound(NotFound):
    """Missing, or outside the actor's agency: the two look the same."""


class BookNotFound(NotFound):
    pass


class _Coded:
    """Mixin: one class, a code per broken rule, the message also given under ``field``."""

    code: ClassVar[str]

    def __init__(self, code: str, message: str, *, field: str = "__all__") -> None:
        super().__init__(message, fields={field: [message]})  # type: ignore[call-arg]
        self.code = code  # type: ignore[misc]  # one class, one code per broken rule


class RecordInvalid(InvalidInput):
    """Several problems at once; ``fields`` names each (``child.date_of_birth``, ...)."""

    code = "record_invalid"


class FieldInvalid(_Coded, InvalidInput):
    """One field is wrong. Codes: ``required``, ``too_long``, ``invalid_choice``,
    ``name_invalid_characters``, ``date_in_future``, ``birth_year_invalid``, ``copies_invalid``,
    and the personal ID rules of ``core.text.validate_personal_id`` (``pid_length``,
    ``pid_digits``, ``pid_province``, ``pid_century``, ``pid_year_future``,
    ``pid_year_mismatch``, ``pid_sex_mismatch``)."""

    code = "invalid_input"


class DatesInconsistent(_Coded, InvalidInput):
    """Dates that cannot all be true. Codes: ``event_after_registration`` (an event dated after
    the day it is registered), ``child_before_parent`` (a child born before, or in the year of,
    a parent's birth), ``death_before_birth``, ``divorce_before_marriage``."""

    code = "dates_inconsistent"


class RegistrationDateInvalid(_Coded, InvalidInput):
    """Codes: ``registration_in_future``, ``registration_before_last_entry`` (entries of a book
    follow each other in date order), ``registration_before_dossier``."""

    code = "registration_date_invalid"


class BookClosed(Conflict):
    """The book of that event and year is closed (Law Art 58): it takes no more entries."""

    code = "book_closed"


class BookNotClosable(_Coded, Conflict):
    """Codes: ``book_already_closed``; ``book_year_not_over`` (a book closes on the last day of
    its year, Law Art 58, not before); ``closing_in_future``."""

    code = "book_not_closable"


class DeclarantNotEntitled(_Coded, InvalidInput):
    """Who may declare (Law Arts 15, 33). Codes: ``declarant_not_entitled`` (a relationship the
    law does not name for this event), ``declarant_mismatch`` (declared as the mother or father
    but the name or ID number differs from that parent's)."""

    code = "declarant_not_entitled"


class NameNotFromParent(_Coded, InvalidInput):
    """Codes: ``family_name_not_from_parent`` (Civil Code Art 26; Circular 04/2020 Art 6.2),
    ``ethnicity_not_from_parent`` (Civil Code Art 29)."""

    code = "family_name_not_from_parent"


class MarriageAge(_Coded, InvalidInput):
    """Marriage and Family Law 2014 Art 8.1.a: the man fully 20 years old, the woman fully 18."""

    code = "marriage_age"


class AgeRequirement(_Coded, InvalidInput):
    """Codes: ``guardian_age`` (a guardian must be an adult with full civil capacity, Civil Code
    Art 49), ``ward_adult_without_condition`` (an adult is under guardianship only for lost or
    limited capacity, Civil Code Art 47), ``ward_not_of_age`` (termination because the ward came
    of age, before 18)."""

    code = "age_requirement"


class PartyAlreadyMarried(Conflict):
    """A party is married according to the agency's own register (Marriage and Family Law 2014
    Art 5.2.c; Decree 07/2025: the agency looks up what it holds instead of asking for paper)."""

    code = "party_already_married"


class PartyDeceased(Conflict):
    """The agency's death register holds the death of a party."""

    code = "party_deceased"


class AlreadyRegistered(Conflict):
    """The same event of the same person (by personal ID number) is already in the register."""

    code = "already_registered"


class LikelyDuplicate(Conflict):
    """An entry with the same folded name and date of birth (and, for a birth, the same mother)
    is in the register. Repeat the call with ``confirm_duplicate`` to register anyway."""

    code = "likely_duplicate"


class ParentsMarriageNotFound(Conflict):
    """Father's details on a birth: the agency holds no marriage of the parents (Decree 07/2025
    asks it to look), and no other basis was given (married elsewhere, or recognition)."""

    code = "parents_marriage_not_found"


class MaritalStatusContradicts(Conflict):
    """The status declared for a confirmation is not what the agency's register shows."""

    code = "marital_status_contradicts_records"


class PreviousConfirmationValid(Conflict):
    """A confirmation issued earlier is still valid (Decree 123/2015 Art 23: it must be returned
    or declared lost). Confirm with ``confirm_duplicate``."""

    code = "previous_confirmation_valid"


class GuardianshipConflict(_Coded, Conflict):
    """Codes: ``ward_already_under_guardianship``, ``guardianship_not_active``."""

    code = "guardianship_conflict"


class ParentageConflict(_Coded, Conflict):
    """Codes: ``parent_already_on_record`` (the child's birth entry names another parent in that
    role: only a court can decide), ``parentage_already_registered``."""

    code = "parentage_conflict"


class AmendmentInvalid(_Coded, InvalidInput):
    """Codes: ``amendment_field_not_allowed``, ``amendment_no_change``,
    ``supplement_field_not_empty``, ``correction_field_empty``, ``consent_required`` (a change
    of name of a person aged 9 or more needs their consent, Civil Code Art 28.3),
    ``ethnicity_not_from_parent``, ``amendment_target_invalid``."""

    code = "amendment_invalid"


class ReRegistrationNotAllowed(_Coded, Conflict):
    """Decree 123/2015 Art 24: only events registered in Viet Nam before 1/1/2016 whose book and
    original paper are both lost. Codes: ``original_after_2016``, ``original_on_record``."""

    code = "re_registration_not_allowed"


class ForeignRecordInvalid(_Coded, InvalidInput):
    """Code ``no_vietnamese_party``: only events of Vietnamese citizens are recorded."""

    code = "foreign_record_invalid"


class SignerInvalid(_Coded, InvalidInput):
    """The signer must be an active leader of the registering agency."""

    code = "signer_invalid"


class DossierMismatch(_Coded, InvalidInput):
    """The dossier is not this agency's, or not of a procedure of this event."""

    code = "dossier_mismatch"
