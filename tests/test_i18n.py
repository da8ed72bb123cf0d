"""English, the second UI language (ADR 0001: the msgids are the Vietnamese source strings).

The English catalogue must be complete (every string of the source is in it), fully translated
(no empty and no fuzzy entry), keep every placeholder, and be compiled: a string added to a
template without its translation fails here, not in front of an English-speaking user. And a
browser that chose English gets English pages, while the default stays Vietnamese.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

import xaso
from tests.factories import agency, staff, unit

SRC = Path(xaso.__file__).resolve().parent
PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
REGENERATE = (
    "run `cd src/xaso && xaso makemessages -l en --no-obsolete -i 'migrations/*'`, translate the "
    "new entries in src/xaso/locale/en/LC_MESSAGES/django.po, then `xaso compilemessages -l en`"
)

PLURAL_FIELDS = ["msgid", "msgid_plural", "msgstr[0]", "msgstr[1]"]
# (msgctxt, msgid, msgid_plural)
Key = tuple[str | None, str, str | None]


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgstrs(self) -> list[str]:
        return [v for k, v in self.fields.items() if k.startswith("msgstr")]


def read_po(path: Path) -> tuple[Entry, dict[Key, Entry]]:
    """A tiny PO reader (polib is not a dependency): the header entry and the messages by key.
    Obsolete entries (``#~``) are kept out; the strings are C-escaped like Python literals."""
    blocks = path.read_text(encoding="utf-8").strip().split("\n\n")
    header: Entry | None = None
    entries: dict[Key, Entry] = {}
    for block in blocks:
        entry, current = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry.fields[current] += ast.literal_eval(line)
            else:
                current, _, literal = line.partition(" ")
                entry.fields[current] = ast.literal_eval(literal)
        if "msgid" not in entry.fields:
            continue
        if entry.fields["msgid"] == "" and "msgctxt" not in entry.fields:
            header = entry
            continue
        key = (entry.fields.get("msgctxt"), entry.fields["msgid"], entry.fields.get("msgid_plural"))
        assert key not in entries, f"duplicate entry {key}"
        entries[key] = entry
    assert header is not None, f"{path} has no header entry"
    return header, entries


def test_every_entry_is_translated_and_none_is_fuzzy():
    header, entries = read_po(PO)
    assert len(entries) > 250
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.fields["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.fields["msgstr"]
    untranslated = [k[1] for k, e in entries.items() if any(s == "" for s in e.msgstrs)]
    assert untranslated == [], f"untranslated: {untranslated}; translate them, then compile"
    fuzzy = [k[1] for k, e in entries.items() if "fuzzy" in e.flags]
    assert fuzzy == [], f"fuzzy (check the translation, then drop the flag): {fuzzy}"
    plurals = [e for k, e in entries.items() if k[2] is not None]
    assert plurals and all(sorted(e.fields) == PLURAL_FIELDS for e in plurals)


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
TAG = re.compile(r"</?[a-z][^>]*>")


@pytest.mark.parametrize("pattern", [PLACEHOLDER, TAG], ids=["placeholders", "markup"])
def test_translations_keep_placeholders_and_markup(pattern):
    _, entries = read_po(PO)
    wrong = []
    for (_, msgid, plural), e in entries.items():
        sources = [msgid, plural] if plural is not None else [msgid]
        for source, translated in zip(sources, e.msgstrs, strict=True):
            if sorted(pattern.findall(source)) != sorted(pattern.findall(translated)):
                wrong.append((source, translated))
    assert wrong == []


def test_msgfmt_accepts_the_catalogue():
    """GNU msgfmt's own checks: python-format specifications match, the header is well formed."""
    _, entries = read_po(PO)
    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, f"{len(entries)} translated messages.\n")


@pytest.mark.django_db
def test_catalogue_has_every_string_of_the_source_and_nothing_else(tmp_path, settings, monkeypatch):
    """makemessages over a copy of the source tree (the committed catalogue is never written)
    gives exactly the committed set of messages."""
    committed_text = PO.read_text(encoding="utf-8")
    copy = tmp_path / "xaso"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages",
        locale=["en"],
        no_obsolete=True,
        ignore_patterns=["migrations/*"],
        verbosity=0,
    )
    _, fresh = read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    _, committed = read_po(PO)
    missing = sorted(k[1] for k in fresh.keys() - committed.keys())
    stale = sorted(k[1] for k in committed.keys() - fresh.keys())
    assert (missing, stale) == ([], []), f"catalogue out of date: {REGENERATE}"
    assert PO.read_text(encoding="utf-8") == committed_text


def test_compiled_catalogue_is_up_to_date_with_the_po(tmp_path):
    fresh_mo = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh_mo), str(PO)], check=True)
    with fresh_mo.open("rb") as f:
        fresh = gettext.GNUTranslations(f)
    with MO.open("rb") as f:
        committed = gettext.GNUTranslations(f)
    assert committed._catalog == fresh._catalog, (
        "django.mo is stale: run `xaso compilemessages -l en`"
    )  # type: ignore[attr-defined]
    assert committed.ngettext("%(n)s tài khoản cán bộ", "%(n)s tài khoản cán bộ", 2) == (
        "%(n)s staff accounts"
    )


# --- Behaviour -------------------------------------------------------------------------------

VIETNAMESE_WORD = re.compile(r"\w*[À-ỹĐđ]\w*")
# What an English page may still show in Vietnamese: the product's name and, in the language
# switcher, the name of Vietnamese in Vietnamese.
BRAND_AND_LANGUAGE_NAME = {"Xã", "Số", "Tiếng", "Việt"}


def vietnamese_words(html: str) -> set[str]:
    text = re.sub(r"<[^>]+>", " ", html)
    return set(VIETNAMESE_WORD.findall(text))


def choose(client, language: str, next_url: str):
    r = client.post("/i18n/setlang/", {"language": language, "next": next_url}, follow=True)
    assert r.redirect_chain == [(next_url, 302)]
    assert client.cookies["django_language"].value == language
    return r


@pytest.mark.django_db
def test_login_page_is_vietnamese_by_default(client):
    html = client.get("/login/").content.decode()
    assert '<html lang="vi">' in html
    assert "<title>Đăng nhập · Xã Số</title>" in html
    assert "<h1>Đăng nhập</h1>" in html
    assert '<label for="id_username">Tên đăng nhập:</label>' in html
    assert '<label for="id_password">Mật khẩu:</label>' in html
    assert '<option value="vi" lang="vi" selected>Tiếng Việt</option>' in html
    assert (
        '<footer class="foot">Xã Số — phần mềm nguồn mở cho chính quyền cơ sở · '
        '<a href="/lookup/">Tra cứu hồ sơ</a> · '
        '<a href="/verify/">Kiểm tra văn bản điện tử</a></footer>'
    ) in html


@pytest.mark.django_db
def test_login_page_in_english_once_chosen_and_back(client):
    html = choose(client, "en", "/login/").content.decode()
    assert '<html lang="en">' in html
    assert "<title>Log in · Xã Số</title>" in html
    assert "<h1>Log in</h1>" in html
    assert '<label for="id_username">Username:</label>' in html
    assert '<label for="id_password">Password:</label>' in html
    assert '<button type="submit" class="primary">Log in</button>' in html
    assert (
        '<p class="muted">Each official uses their own account. When you leave the computer, '
        "click Log out.</p>"
    ) in html
    assert '<label class="sr" for="lang">Language</label>' in html
    assert (
        '<option value="vi" lang="vi">Tiếng Việt</option>'
        '<option value="en" lang="en" selected>English</option>' in html
    )
    assert (
        '<footer class="foot">Xã Số — open-source software for local government · '
        '<a href="/lookup/">Look up a dossier</a> · '
        '<a href="/verify/">Check an electronic document</a></footer>'
    ) in html
    assert vietnamese_words(html) == BRAND_AND_LANGUAGE_NAME

    # The choice is remembered by the cookie, on the next page too.
    html = client.get("/login/").content.decode()
    assert "<h1>Log in</h1>" in html

    html = choose(client, "vi", "/login/").content.decode()
    assert '<html lang="vi">' in html
    assert "<h1>Đăng nhập</h1>" in html


@pytest.mark.django_db
def test_failed_login_says_so_in_english(client):
    official = staff()
    choose(client, "en", "/login/")
    r = client.post("/login/", {"username": official.username, "password": "not-the-password"})
    assert r.status_code == 400
    assert (
        '<div class="alert" role="alert">Incorrect username or password.</div>'
        in r.content.decode()
    )


@pytest.fixture
def english_official(client):
    """An official with every role, at an agency whose data has no Vietnamese letter, so any
    Vietnamese word on the page is a missing translation."""
    place = unit(name="Test Commune")
    official = staff(
        agency_obj=agency(name="Test Commune People's Committee", unit_obj=place),
        roles=("reception", "specialist", "leader", "clerk", "admin", "supervisor"),
        full_name="Nguyen Thi Hang",
    )
    choose(client, "en", "/login/")
    client.force_login(official)
    return official


def at(monkeypatch, moment: datetime) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.django_db
def test_home_page_in_english_on_a_working_day(client, english_official, monkeypatch):
    at(monkeypatch, datetime(2026, 3, 9, 9, 0, tzinfo=VN))  # a Monday, no holiday
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="en">' in html
    assert "<title>Home · Xã Số</title>" in html
    assert (
        '<ul><li data-role="reception">Reception and return of results (one-stop shop)</li>'
        '<li data-role="specialist">Specialist</li>'
        '<li data-role="leader">Leader</li>'
        '<li data-role="clerk">Clerk</li>'
        '<li data-role="admin">Agency administrator</li>'
        '<li data-role="supervisor">Supervisor (higher level)</li></ul>'
    ) in html
    assert '<h2 id="h-today">Today: Monday, 09/03/2026</h2>' in html
    assert '<p class="work">Working day.\n      Office hours: 07:30–11:30, 13:00–17:00.</p>' in html
    assert (
        '<label for="id_working_days">Calculate the appointment date: time limit in working days'
        "</label>"
    ) in html
    assert '<h2 id="h-admin">Agency administration</h2>' in html
    assert "<p>1 staff account</p>" in html
    assert '<h2 id="h-sub">Subordinate agencies</h2>' in html
    assert '<button type="submit">Log out</button>' in html
    assert vietnamese_words(html) == BRAND_AND_LANGUAGE_NAME


@pytest.mark.django_db
def test_home_page_in_english_on_a_day_off(client, english_official, monkeypatch):
    staff(agency_obj=english_official.agency)
    at(monkeypatch, datetime(2026, 3, 8, 9, 0, tzinfo=VN))  # a Sunday
    html = client.get("/").content.decode()
    assert '<h2 id="h-today">Today: Sunday, 08/03/2026</h2>' in html
    assert '<p class="off">Day off.\n      Next working day: 09/03/2026.</p>' in html
    assert "<p>2 staff accounts</p>" in html
    assert vietnamese_words(html) == BRAND_AND_LANGUAGE_NAME


@pytest.mark.django_db
def test_appointment_calculator_in_english(client, english_official):
    r = client.get(
        "/calendar/due/",
        {"working_days": "3", "received_at": "2026-02-13T16:00"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert (
        "Received at 16:00 13/02/2026 (counted from 16:00 13/02/2026) → appointment date "
        "<strong>17:00 25/02/2026</strong>."
    ) in r.content.decode()


@pytest.mark.django_db
def test_a_browser_preferring_english_still_gets_vietnamese(client):
    """Only the switcher changes the language: an office PC's English browser must not."""
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html
    assert "<h1>Đăng nhập</h1>" in html
