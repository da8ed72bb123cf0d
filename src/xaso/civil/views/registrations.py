"""Every registration page as data: which people the paper form names and which of their details
it asks (``PersonSpec``), the registration's own form, the sections in the order of the paper
form (tờ khai), what entry it is about (``Pick``), and the service it calls (``save``).

The page itself (``register``) is one generic view over this table: adding a registration is a
row here, not a new view or template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xaso.dossiers.models import Dossier
from xaso.org.models import Staff

from .. import forms, services
from ..models import CivilRecord, Event, PartyRole, Relationship
from ..rules import DECLARANTS, REQUESTERS
from ..services.amendments import CONTENT_FIELDS
from ..services.others import COPYABLE

NAME3 = ("family_name", "middle_name", "given_name")


@dataclass(frozen=True)
class PersonSpec:
    """A person of the paper form: ``role`` is the form's prefix and the service's keyword."""

    role: str
    legend: Any
    fields: tuple[str, ...]
    required: tuple[str, ...] = ()
    optional: bool = False  # left without a name: not declared (None for the service)
    relationships: frozenset[str] | None = None
    help: Any = None
    labels: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pick:
    """The register entries a registration is about, chosen before the form is filled."""

    legend: Any
    many: bool = False
    #: Whether an entry may be chosen (the service decides again).
    eligible: Callable[[CivilRecord], bool] = lambda r: True
    #: The service's name of the choice, where its errors are shown.
    name: str = "target"
    help: Any = None


@dataclass
class Bound:
    """One posted registration: the forms, the chosen entries, the dossier and the signer."""

    main: forms.CommonForm
    people: dict[str, forms.PersonForm]
    rows: list[forms.ChangeRowForm]
    targets: list[CivilRecord]
    dossier: Dossier | None
    signer: Staff | None
    #: Index in ``rows`` of each change sent to the service (``changes.<i>`` of its errors).
    sent_rows: list[int] = field(default_factory=list)

    @property
    def m(self) -> dict[str, Any]:
        return self.main.cleaned_data

    def person(self, role: str) -> dict[str, Any]:
        return self.people[role].values()

    def optional(self, role: str) -> dict[str, Any] | None:
        form = self.people[role]
        return form.values() if form.declared() else None

    def declarant(self, role: str = "declarant") -> dict[str, Any]:
        """The declarant; one who is the mother or the father and left their name empty is that
        parent, as declared above (the paper form writes the name again; the page need not)."""
        values = self.person(role)
        relation = values.get("relationship")
        if not values.get("full_name") and relation in (Relationship.MOTHER, Relationship.FATHER):
            parent = self.people.get(str(relation))
            if parent is not None and parent.declared():
                copied = {
                    k: v
                    for k, v in parent.values().items()
                    if k in ("full_name", "birth_year", "id_number", "residence")
                }
                values = {**copied, **{k: v for k, v in values.items() if v}}
        return values

    def common(self) -> dict[str, Any]:
        return {
            "registered_on": self.m.get("registered_on"),
            "signer": self.signer,
            "dossier": self.dossier,
        }

    def extra(self) -> dict[str, Any]:
        return {"fee_exemption": self.m.get("fee_exemption") or "", "note": self.m.get("note")}

    def changes(self) -> list[dict[str, str]]:
        out = []
        self.sent_rows = []
        for i, row in enumerate(self.rows):
            if not row.filled():
                continue
            data = row.cleaned_data
            value = data.get("value") or ""
            if data.get("field") == "date_of_birth":
                value = _iso(value)
            out.append(
                {"role": data.get("role") or "", "field": data.get("field") or "", "value": value}
            )
            self.sent_rows.append(i)
        return out


def _iso(value: str) -> str:
    """A date typed dd/mm/yyyy, as the service stores amendment dates (ISO); other text as is."""
    for fmt in forms.DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return value


@dataclass(frozen=True)
class Spec:
    slug: str
    title: Any
    event: str
    form: type[forms.CommonForm]
    people: tuple[PersonSpec, ...]
    #: (legend, items): ``@role`` a person's fields, ``@changes`` the change rows, else a field
    #: of the registration's own form. The common fields close the page.
    sections: tuple[tuple[Any, tuple[str, ...]], ...]
    save: Callable[[Staff, Bound], CivilRecord]
    pick: Pick | None = None
    hint: Any = None
    group: Any = None
    #: Fields of the registration's own form the service requires (marked on the page).
    required: tuple[str, ...] = ()


# --- People of the paper forms ----------------------------------------------------------------
CHILD_FIELDS = (*NAME3, "sex", "date_of_birth", "ethnicity", "nationality", "id_number")
PARENT_FIELDS = ("full_name", "birth_year", "ethnicity", "nationality", "residence", "id_number")
SPOUSE_FIELDS = (*NAME3, "date_of_birth", "ethnicity", "nationality", "residence", "id_number")
SUBJECT_FIELDS = (
    *NAME3,
    "sex",
    "date_of_birth",
    "ethnicity",
    "nationality",
    "residence",
    "id_number",
)
DECLARANT_FIELDS = ("full_name", "id_number", "residence", "relationship")
PARENT_REQUIRED = ("full_name", "birth_year", "ethnicity", "nationality", "residence")

CHILD = PersonSpec(
    PartyRole.CHILD,
    _("Người được đăng ký khai sinh"),
    CHILD_FIELDS,
    required=("family_name", "given_name", "sex", "date_of_birth", "ethnicity", "nationality"),
)
MOTHER = PersonSpec(PartyRole.MOTHER, _("Người mẹ"), PARENT_FIELDS, required=PARENT_REQUIRED)
FATHER = PersonSpec(
    PartyRole.FATHER,
    _("Người cha"),
    PARENT_FIELDS,
    optional=True,
    help=_("Để trống nếu không có thông tin người cha."),
)
_SAME_AS_PARENT = _(
    "Nếu người đi đăng ký là cha hoặc mẹ đã khai ở trên: chọn quan hệ, để trống họ tên."
)
BIRTH_DECLARANT = PersonSpec(
    PartyRole.DECLARANT,
    _("Người đi đăng ký khai sinh"),
    DECLARANT_FIELDS,
    required=("relationship",),
    relationships=DECLARANTS[Event.BIRTH],
    help=_SAME_AS_PARENT,
)
DECEASED = PersonSpec(
    PartyRole.DECEASED,
    _("Người đã chết"),
    (*SUBJECT_FIELDS[:5], "birth_year", *SUBJECT_FIELDS[5:]),
    required=("family_name", "given_name", "sex", "nationality"),
    help=_("Ghi ngày sinh, hoặc năm sinh nếu không rõ ngày."),
)
DEATH_DECLARANT = PersonSpec(
    PartyRole.DECLARANT,
    _("Người đi đăng ký khai tử"),
    DECLARANT_FIELDS,
    required=("full_name", "relationship"),
    relationships=DECLARANTS[Event.DEATH],
)
SPOUSE_REQUIRED = (
    "family_name",
    "given_name",
    "date_of_birth",
    "ethnicity",
    "nationality",
    "residence",
)
HUSBAND = PersonSpec(PartyRole.HUSBAND, _("Bên chồng"), SPOUSE_FIELDS, required=SPOUSE_REQUIRED)
WIFE = PersonSpec(PartyRole.WIFE, _("Bên vợ"), SPOUSE_FIELDS, required=SPOUSE_REQUIRED)
REQUESTER = PersonSpec(
    PartyRole.REQUESTER,
    _("Người yêu cầu"),
    DECLARANT_FIELDS,
    required=("full_name", "relationship"),
    relationships=REQUESTERS,
    labels={"relationship": _("Quan hệ với người có thông tin hộ tịch")},
)


# --- What each registration calls -------------------------------------------------------------
def _birth(actor: Staff, b: Bound) -> CivilRecord:
    return services.civil_register_birth(
        actor=actor,
        child=b.person("child"),
        mother=b.person("mother"),
        father=b.optional("father"),
        declarant=b.declarant(),
        place_of_birth=b.m["place_of_birth"],
        home_town=b.m["home_town"],
        birth_notice=b.m["birth_notice"],
        father_basis=b.m["father_basis"],
        parents_marriage=b.m["parents_marriage"],
        confirm_duplicate=b.m["confirm_duplicate"],
        **b.common(),
        **b.extra(),
    )


def _death(actor: Staff, b: Bound) -> CivilRecord:
    return services.civil_register_death(
        actor=actor,
        deceased=b.person("deceased"),
        declarant=b.declarant(),
        date_of_death=b.m["date_of_death"],
        place_of_death=b.m["place_of_death"],
        time_of_death=b.m["time_of_death"],
        cause=b.m["cause"],
        death_notice=b.m["death_notice"],
        confirm_duplicate=b.m["confirm_duplicate"],
        **b.common(),
        **b.extra(),
    )


def _marriage(actor: Staff, b: Bound) -> CivilRecord:
    return services.civil_register_marriage(
        actor=actor,
        husband=b.person("husband"),
        wife=b.person("wife"),
        **b.common(),
        **b.extra(),
    )


def _marital_status(actor: Staff, b: Bound) -> CivilRecord:
    return services.civil_register_marital_status(
        actor=actor,
        person=b.person("person"),
        declared_status=b.m["declared_status"],
        purpose=b.m["purpose"],
        purpose_kind=b.m["purpose_kind"] or "other",
        intended_spouse=b.optional("intended_spouse"),
        confirm_duplicate=b.m["confirm_duplicate"],
        **b.common(),
        **b.extra(),
    )


def _parentage(actor: Staff, b: Bound) -> CivilRecord:
    return services.civil_register_parentage(
        actor=actor,
        parent=b.person("parent"),
        child=b.person("child"),
        recognized_as=b.m["recognized_as"],
        requested_by=b.m["requested_by"] or "parent",
        **b.common(),
        **b.extra(),
    )


def _guardianship(actor: Staff, b: Bound) -> CivilRecord:
    return services.civil_register_guardianship(
        actor=actor,
        ward=b.person("ward"),
        guardian=b.person("guardian"),
        basis=b.m["basis"],
        appointment_document=b.m["appointment_document"],
        ward_condition=b.m["ward_condition"],
        **b.common(),
        **b.extra(),
    )


def _termination(actor: Staff, b: Bound) -> CivilRecord:
    return services.civil_register_guardianship_termination(
        actor=actor,
        appointment=b.targets[0],
        reason=b.m["reason"],
        reason_detail=b.m["reason_detail"],
        **b.common(),
        **b.extra(),
    )


def _change(actor: Staff, b: Bound) -> CivilRecord:
    return services.civil_register_change(
        actor=actor,
        target=b.targets[0],
        kind=b.m["kind"],
        changes=b.changes(),
        reason=b.m["reason"],
        requester=b.person("requester"),
        subject_consent=b.m["subject_consent"],
        **b.common(),
        **b.extra(),
    )


def _re_registration(event: str) -> Callable[[Staff, Bound], CivilRecord]:
    def save(actor: Staff, b: Bound) -> CivilRecord:
        details: dict[str, Any] = {
            "fee_exemption": b.m.get("fee_exemption") or "",
            "note": b.m["note"],
        }
        if event == Event.BIRTH:
            details.update(
                child=b.person("child"),
                mother=b.person("mother"),
                father=b.optional("father"),
                declarant=b.declarant(),
                place_of_birth=b.m["place_of_birth"],
                home_town=b.m["home_town"],
                birth_notice=b.m["birth_notice"],
                father_basis=b.m["father_basis"],
                parents_marriage=b.m["parents_marriage"],
                confirm_duplicate=b.m["confirm_duplicate"],
            )
        elif event == Event.DEATH:
            details.update(
                deceased=b.person("deceased"),
                declarant=b.declarant(),
                date_of_death=b.m["date_of_death"],
                place_of_death=b.m["place_of_death"],
                time_of_death=b.m["time_of_death"],
                cause=b.m["cause"],
                death_notice=b.m["death_notice"],
                confirm_duplicate=b.m["confirm_duplicate"],
            )
        else:
            details.update(husband=b.person("husband"), wife=b.person("wife"))
        return services.civil_register_re_registration(
            actor=actor,
            event=event,
            original_registered_on=b.m["original_registered_on"],
            original_place=b.m["original_place"],
            original_number=b.m["original_number"],
            details=details,
            **b.common(),
        )

    return save


def _foreign(variant: str) -> Callable[[Staff, Bound], CivilRecord]:
    def save(actor: Staff, b: Bound) -> CivilRecord:
        people: dict[str, Any] = {}
        if variant == "birth":
            people = {
                "child": b.person("child"),
                "mother": b.optional("mother"),
                "father": b.optional("father"),
            }
        elif variant in ("marriage", "divorce"):
            people = {"husband": b.person("husband"), "wife": b.person("wife")}
        else:
            people = {"deceased": b.person("deceased")}
        return services.civil_register_foreign_record(
            actor=actor,
            variant=variant,
            foreign_authority=b.m["foreign_authority"],
            country=b.m["country"],
            foreign_document=b.m["foreign_document"],
            event_date=b.m.get("event_date"),
            place_of_event=b.m["place_of_event"],
            **people,
            **b.common(),
            **b.extra(),
        )

    return save


def _extract_copy(actor: Staff, b: Bound) -> CivilRecord:
    return services.civil_register_extract_copy(
        actor=actor,
        source=b.targets[0],
        requester=b.person("requester"),
        copies=b.m["copies"],
        purpose=b.m["purpose"],
        **b.common(),
        **b.extra(),
    )


def _info_confirmation(actor: Staff, b: Bound) -> CivilRecord:
    return services.civil_register_info_confirmation(
        actor=actor,
        requester=b.person("requester"),
        records=b.targets,
        purpose=b.m["purpose"],
        **b.common(),
        **b.extra(),
    )


# --- Which entries a registration is about ----------------------------------------------------
def _appointment_open(r: CivilRecord) -> bool:
    return (
        r.event == Event.GUARDIANSHIP
        and r.variant == "appointment"
        and not r.dependents.filter(variant="termination").exists()
    )


def _changeable(r: CivilRecord) -> bool:
    if r.event == Event.GUARDIANSHIP:
        return r.variant == "appointment"
    return r.event in CONTENT_FIELDS


# --- The table --------------------------------------------------------------------------------
BIRTH_SECTIONS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (CHILD.legend, ("@child", "place_of_birth", "home_town", "birth_notice")),
    (MOTHER.legend, ("@mother",)),
    (FATHER.legend, ("@father", "father_basis", "parents_marriage")),
    (BIRTH_DECLARANT.legend, ("@declarant",)),
)
DEATH_SECTIONS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (DECEASED.legend, ("@deceased",)),
    (
        _("Việc chết"),
        ("date_of_death", "time_of_death", "place_of_death", "cause", "death_notice"),
    ),
    (DEATH_DECLARANT.legend, ("@declarant",)),
)
MARRIAGE_SECTIONS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (HUSBAND.legend, ("@husband",)),
    (WIFE.legend, ("@wife",)),
)
ORIGINAL: tuple[Any, tuple[str, ...]] = (
    _("Việc đã đăng ký trước đây (trước 01/01/2016, sổ và bản chính đều bị mất)"),
    ("original_registered_on", "original_place", "original_number"),
)
FOREIGN: tuple[Any, tuple[str, ...]] = (
    _("Giấy tờ của cơ quan có thẩm quyền nước ngoài"),
    ("foreign_authority", "country", "foreign_document", "place_of_event"),
)
FOREIGN_DATED: tuple[Any, tuple[str, ...]] = (
    FOREIGN[0],
    ("foreign_authority", "country", "foreign_document", "event_date", "place_of_event"),
)
OPTIONAL_PARENT = {
    "mother": PersonSpec(PartyRole.MOTHER, _("Người mẹ"), PARENT_FIELDS, optional=True),
    "father": PersonSpec(PartyRole.FATHER, _("Người cha"), PARENT_FIELDS, optional=True),
}
FOREIGN_DECEASED = PersonSpec(
    PartyRole.DECEASED,
    _("Người đã chết"),
    DECEASED.fields,
    required=("family_name", "given_name", "sex", "nationality"),
)
SUBJECT_REQUIRED = ("family_name", "given_name", "date_of_birth", "nationality", "residence")

_GROUP_BIRTH = _("Khai sinh, khai tử, kết hôn")
_GROUP_FAMILY = _("Hôn nhân, gia đình, giám hộ")
_GROUP_CHANGE = _("Thay đổi, đăng ký lại, ghi vào sổ")
_GROUP_COPY = _("Bản sao, xác nhận")

SPECS: dict[str, Spec] = {
    s.slug: s
    for s in (
        Spec(
            "birth",
            _("Đăng ký khai sinh"),
            Event.BIRTH,
            forms.BirthForm,
            (CHILD, MOTHER, FATHER, BIRTH_DECLARANT),
            BIRTH_SECTIONS,
            _birth,
            hint=_(
                "Đăng ký sau 60 ngày kể từ ngày sinh là đăng ký quá hạn (Luật Hộ tịch 2014, "
                "Điều 15); hệ thống tự xác định. Thông tin người cha cần căn cứ: việc kết hôn "
                "của cha mẹ trong Sổ đăng ký kết hôn của cơ quan, hoặc căn cứ ghi dưới đây."
            ),
            group=_GROUP_BIRTH,
        ),
        Spec(
            "death",
            _("Đăng ký khai tử"),
            Event.DEATH,
            forms.DeathForm,
            (DECEASED, DEATH_DECLARANT),
            DEATH_SECTIONS,
            _death,
            hint=_(
                "Đăng ký sau 15 ngày kể từ ngày chết là đăng ký quá hạn (Luật Hộ tịch 2014, "
                "Điều 33)."
            ),
            group=_GROUP_BIRTH,
        ),
        Spec(
            "marriage",
            _("Đăng ký kết hôn"),
            Event.MARRIAGE,
            forms.MarriageForm,
            (HUSBAND, WIFE),
            MARRIAGE_SECTIONS,
            _marriage,
            hint=_(
                "Nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi; hệ thống tra Sổ đăng ký kết hôn và Sổ "
                "đăng ký khai tử của cơ quan thay cho giấy xác nhận tình trạng hôn nhân."
            ),
            group=_GROUP_BIRTH,
        ),
        Spec(
            "marital-status",
            _("Cấp Giấy xác nhận tình trạng hôn nhân"),
            Event.MARITAL_STATUS,
            forms.MaritalStatusForm,
            (
                PersonSpec(
                    PartyRole.PERSON,
                    _("Người yêu cầu xác nhận"),
                    SUBJECT_FIELDS,
                    required=(
                        "family_name",
                        "given_name",
                        "sex",
                        "date_of_birth",
                        "nationality",
                        "residence",
                    ),
                ),
                PersonSpec(
                    "intended_spouse",
                    _("Người dự định kết hôn (khi xác nhận để kết hôn)"),
                    ("full_name", "birth_year", "nationality", "residence", "id_number"),
                    optional=True,
                ),
            ),
            (
                (_("Người yêu cầu xác nhận"), ("@person",)),
                (
                    _("Tình trạng hôn nhân và mục đích"),
                    ("declared_status", "purpose_kind", "purpose"),
                ),
                (_("Người dự định kết hôn (khi xác nhận để kết hôn)"), ("@intended_spouse",)),
            ),
            _marital_status,
            hint=_("Giấy xác nhận có giá trị 6 tháng, chỉ dùng cho mục đích ghi trên giấy."),
            group=_GROUP_FAMILY,
        ),
        Spec(
            "parentage",
            _("Đăng ký nhận cha, mẹ, con"),
            Event.PARENTAGE,
            forms.ParentageForm,
            (
                PersonSpec(
                    PartyRole.PARENT,
                    _("Người nhận / được nhận là cha, mẹ"),
                    (
                        "full_name",
                        "date_of_birth",
                        "birth_year",
                        "ethnicity",
                        "nationality",
                        "residence",
                        "id_number",
                    ),
                    required=("full_name", "nationality", "residence"),
                ),
                PersonSpec(
                    PartyRole.CHILD,
                    _("Người con"),
                    SUBJECT_FIELDS,
                    required=(
                        "family_name",
                        "given_name",
                        "date_of_birth",
                        "nationality",
                        "residence",
                    ),
                ),
            ),
            (
                (_("Việc nhận"), ("recognized_as", "requested_by")),
                (_("Người nhận / được nhận là cha, mẹ"), ("@parent",)),
                (_("Người con"), ("@child",)),
            ),
            _parentage,
            group=_GROUP_FAMILY,
        ),
        Spec(
            "guardianship",
            _("Đăng ký giám hộ"),
            Event.GUARDIANSHIP,
            forms.GuardianshipForm,
            (
                PersonSpec(
                    PartyRole.WARD,
                    _("Người được giám hộ"),
                    SUBJECT_FIELDS,
                    required=SUBJECT_REQUIRED,
                ),
                PersonSpec(
                    PartyRole.GUARDIAN,
                    _("Người giám hộ"),
                    SUBJECT_FIELDS,
                    required=SUBJECT_REQUIRED,
                ),
            ),
            (
                (_("Người được giám hộ"), ("@ward", "ward_condition")),
                (_("Người giám hộ"), ("@guardian",)),
                (_("Căn cứ"), ("basis", "appointment_document")),
            ),
            _guardianship,
            group=_GROUP_FAMILY,
        ),
        Spec(
            "guardianship-termination",
            _("Đăng ký chấm dứt giám hộ"),
            Event.GUARDIANSHIP,
            forms.TerminationForm,
            (),
            ((_("Lý do chấm dứt"), ("reason", "reason_detail")),),
            _termination,
            pick=Pick(
                _("Việc giám hộ được chấm dứt"),
                eligible=_appointment_open,
                name="appointment",
                help=_("Chọn một việc đăng ký giám hộ chưa chấm dứt."),
            ),
            group=_GROUP_FAMILY,
        ),
        Spec(
            "change",
            _("Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc"),
            Event.CHANGE,
            forms.ChangeForm,
            (REQUESTER,),
            (
                (_("Việc yêu cầu"), ("kind", "reason", "subject_consent")),
                (_("Nội dung thay đổi"), ("@changes",)),
                (REQUESTER.legend, ("@requester",)),
            ),
            _change,
            pick=Pick(
                _("Mục hộ tịch được thay đổi"),
                eligible=_changeable,
                help=_(
                    "Mục gốc giữ nguyên; việc thay đổi được ghi vào Sổ đăng ký thay đổi và ghi chú "
                    "bên cạnh mục gốc."
                ),
            ),
            group=_GROUP_CHANGE,
        ),
        Spec(
            "re-registration-birth",
            _("Đăng ký lại khai sinh"),
            Event.BIRTH,
            forms.ReBirthForm,
            (CHILD, MOTHER, FATHER, BIRTH_DECLARANT),
            (ORIGINAL, *BIRTH_SECTIONS),
            _re_registration(Event.BIRTH),
            group=_GROUP_CHANGE,
        ),
        Spec(
            "re-registration-death",
            _("Đăng ký lại khai tử"),
            Event.DEATH,
            forms.ReDeathForm,
            (DECEASED, DEATH_DECLARANT),
            (ORIGINAL, *DEATH_SECTIONS),
            _re_registration(Event.DEATH),
            group=_GROUP_CHANGE,
        ),
        Spec(
            "re-registration-marriage",
            _("Đăng ký lại kết hôn"),
            Event.MARRIAGE,
            forms.ReMarriageForm,
            (HUSBAND, WIFE),
            (ORIGINAL, *MARRIAGE_SECTIONS),
            _re_registration(Event.MARRIAGE),
            group=_GROUP_CHANGE,
        ),
        Spec(
            "foreign-birth",
            _("Ghi vào sổ việc khai sinh đã đăng ký ở nước ngoài"),
            Event.FOREIGN_RECORD,
            forms.ForeignRecordForm,
            (
                PersonSpec(
                    PartyRole.CHILD,
                    _("Người được khai sinh"),
                    CHILD_FIELDS,
                    required=("family_name", "given_name", "sex", "date_of_birth", "nationality"),
                ),
                OPTIONAL_PARENT["mother"],
                OPTIONAL_PARENT["father"],
            ),
            (
                FOREIGN,
                (_("Người được khai sinh"), ("@child",)),
                (_("Người mẹ"), ("@mother",)),
                (_("Người cha"), ("@father",)),
            ),
            _foreign("birth"),
            group=_GROUP_CHANGE,
        ),
        Spec(
            "foreign-marriage",
            _("Ghi vào sổ việc kết hôn đã đăng ký ở nước ngoài"),
            Event.FOREIGN_RECORD,
            forms.ForeignRecordForm,
            (HUSBAND, WIFE),
            (FOREIGN_DATED, *MARRIAGE_SECTIONS),
            _foreign("marriage"),
            group=_GROUP_CHANGE,
        ),
        Spec(
            "foreign-divorce",
            _("Ghi vào sổ việc ly hôn, hủy kết hôn đã giải quyết ở nước ngoài"),
            Event.FOREIGN_RECORD,
            forms.ForeignRecordForm,
            (HUSBAND, WIFE),
            (FOREIGN_DATED, *MARRIAGE_SECTIONS),
            _foreign("divorce"),
            group=_GROUP_CHANGE,
        ),
        Spec(
            "foreign-death",
            _("Ghi vào sổ việc khai tử đã đăng ký ở nước ngoài"),
            Event.FOREIGN_RECORD,
            forms.ForeignRecordForm,
            (FOREIGN_DECEASED,),
            (FOREIGN_DATED, (FOREIGN_DECEASED.legend, ("@deceased",))),
            _foreign("death"),
            group=_GROUP_CHANGE,
        ),
        Spec(
            "extract-copy",
            _("Cấp bản sao trích lục hộ tịch"),
            Event.EXTRACT_COPY,
            forms.ExtractCopyForm,
            (REQUESTER,),
            (
                (REQUESTER.legend, ("@requester",)),
                (_("Bản sao"), ("copies", "purpose")),
            ),
            _extract_copy,
            pick=Pick(
                _("Mục hộ tịch được cấp bản sao"),
                eligible=lambda r: r.event in COPYABLE,
                name="source",
            ),
            group=_GROUP_COPY,
        ),
        Spec(
            "info-confirmation",
            _("Xác nhận thông tin hộ tịch"),
            Event.INFO_CONFIRMATION,
            forms.InfoConfirmationForm,
            (REQUESTER,),
            (
                (REQUESTER.legend, ("@requester",)),
                (_("Mục đích"), ("purpose",)),
            ),
            _info_confirmation,
            pick=Pick(
                _("Các mục hộ tịch được xác nhận"),
                many=True,
                name="records",
                help=_("Chọn một hoặc nhiều mục, của một hoặc nhiều người."),
            ),
            group=_GROUP_COPY,
        ),
    )
}


_ORIGINAL_REQUIRED = ("original_registered_on", "original_place")
_FOREIGN_REQUIRED = ("foreign_authority", "country", "foreign_document")
_BIRTH_REQUIRED = ("place_of_birth", "home_town")
_DEATH_REQUIRED = ("date_of_death", "place_of_death")
#: What each registration's own form must have, as its service says (marked on the page).
REQUIRED: dict[str, tuple[str, ...]] = {
    "birth": _BIRTH_REQUIRED,
    "death": _DEATH_REQUIRED,
    "marital-status": ("declared_status", "purpose"),
    "parentage": ("recognized_as",),
    "guardianship": ("basis",),
    "guardianship-termination": ("reason",),
    "change": ("kind", "reason"),
    "re-registration-birth": (*_ORIGINAL_REQUIRED, *_BIRTH_REQUIRED),
    "re-registration-death": (*_ORIGINAL_REQUIRED, *_DEATH_REQUIRED),
    "re-registration-marriage": _ORIGINAL_REQUIRED,
    "foreign-birth": _FOREIGN_REQUIRED,
    "foreign-marriage": (*_FOREIGN_REQUIRED, "event_date"),
    "foreign-divorce": (*_FOREIGN_REQUIRED, "event_date"),
    "foreign-death": (*_FOREIGN_REQUIRED, "event_date"),
    "extract-copy": ("copies",),
    "info-confirmation": ("purpose",),
}
SPECS = {slug: replace(spec, required=REQUIRED.get(slug, ())) for slug, spec in SPECS.items()}


def spec_groups() -> list[tuple[Any, list[Spec]]]:
    """The registrations by group, in the table's order (the home page's quick links)."""
    groups: dict[str, tuple[Any, list[Spec]]] = {}
    for spec in SPECS.values():
        groups.setdefault(str(spec.group), (spec.group, []))[1].append(spec)
    return list(groups.values())


def today_initial() -> date:
    return timezone.localdate()
