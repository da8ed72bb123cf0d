"""The civil status pages other than the registration forms: the home page, the search, an
entry's page (amendments beside the original, history, certificate issue), the books, a book's
entries and its closing, and the print/export downloads — each for each role, across agencies,
with the query count of the list pages pinned."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.civil.world import birth, death, leader_titled, marriage, state
from xaso.civil import services
from xaso.civil.models import CivilBook, CivilRecord
from xaso.core.models import AuditEntry

READERS = ("officer", "leader", "generalist")
OTHERS = ("land", "reception", "clerk", "admin", "supervisor")


def _birth(w, **over):
    return services.civil_register_birth(actor=w.officer, **birth(**over))


def _correct(w, record, value="Thanh", field="middle_name", on=date(2026, 4, 1)):
    return services.civil_register_change(
        actor=w.officer,
        target=record,
        kind="correction",
        changes=[{"role": "child", "field": field, "value": value}],
        reason="Ghi sai",
        requester={"full_name": "Trần Thị Mỹ", "relationship": "mother"},
        registered_on=on,
    )


# --- Home ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_home_for_officers_and_leaders(client, w, who):
    _birth(w)
    client.force_login(getattr(w, who))
    r = client.get("/civil/?year=2026")
    assert r.status_code == 200
    events = {
        value: (book.last_number if book else None) for value, _l, book in r.context["events"]
    }
    assert events["birth"] == 1 and events["death"] is None
    assert r.context["total"] == 1
    assert [it["names"] for it in r.context["recent"]] == ["Trần Thị Hằng"]
    slugs = [s.slug for _label, specs in r.context["groups"] for s in specs]
    assert len(slugs) == 17 and slugs[0] == "birth"
    assert 'href="/civil/register/birth/"' in r.content.decode()


@pytest.mark.parametrize("who", OTHERS)
def test_home_closed_to_other_roles(client, w, who):
    client.force_login(getattr(w, who))
    assert client.get("/civil/").status_code == 403
    assert client.get("/civil/search/?q=a").status_code == 403
    assert client.get("/civil/books/").status_code == 403


def test_home_shows_only_the_agency(client, w):
    _birth(w)
    client.force_login(w.officer_b)
    r = client.get("/civil/?year=2026")
    assert r.context["total"] == 0 and r.context["recent"] == []


def test_home_year_switch(client, w):
    _birth(w)
    client.force_login(w.officer)
    r = client.get("/civil/?year=2025")
    assert r.context["total"] == 0 and r.context["year"] == 2025
    assert 2026 in r.context["years"]


def test_home_query_count_does_not_grow(client, w):
    client.force_login(w.officer)
    client.get("/civil/")
    for i in range(3):
        _birth(
            w, child={**birth()["child"], "given_name": f"Hằng{'a' * i}"}, confirm_duplicate=True
        )
    with CaptureQueriesContext(connection) as few:
        client.get("/civil/?year=2026")
    for i in range(6):
        _birth(
            w,
            child={**birth()["child"], "given_name": f"Hoa{'a' * i}"},
            confirm_duplicate=True,
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/civil/?year=2026")
    assert len(many) == len(few)


# --- Search --------------------------------------------------------------------------------------


def test_search_without_tone_marks_and_by_parent(client, w):
    r1 = _birth(w)
    services.civil_register_marriage(actor=w.officer, **marriage())
    client.force_login(w.officer)
    r = client.get("/civil/search/", {"q": "TRAN THI HANG"})
    assert [it["r"].pk for it in r.context["items"]] == [r1.pk]
    r = client.get("/civil/search/", {"parent": "tran thi my"})
    assert [it["r"].pk for it in r.context["items"]] == [r1.pk]
    r = client.get("/civil/search/", {"birth_date": "01/03/2026"})
    assert [it["r"].pk for it in r.context["items"]] == [r1.pk]
    r = client.get("/civil/search/", {"event": "marriage"})
    assert [it["r"].event for it in r.context["items"]] == ["marriage"]
    assert "Trần Thị Hằng" not in r.content.decode()


def test_search_by_book(client, w):
    born = _birth(w)
    wed = services.civil_register_marriage(actor=w.officer, **marriage())
    client.force_login(w.officer)
    page = client.get("/civil/search/")
    offered = [label for value, label in page.context["form"].fields["book"].choices if value]
    assert offered == ["Sổ đăng ký khai sinh 01/2026", "Sổ đăng ký kết hôn 01/2026"]
    r = client.get("/civil/search/", {"book": str(wed.book.public_id)})
    assert [it["r"].pk for it in r.context["items"]] == [wed.pk]
    r = client.get("/civil/search/", {"book": str(born.book.public_id), "q": "hang"})
    assert [it["r"].pk for it in r.context["items"]] == [born.pk]
    # Another agency's book is not offered, and naming it is a form error, not a result.
    client.force_login(w.officer_b)
    r = client.get("/civil/search/", {"book": str(wed.book.public_id)})
    assert r.status_code == 400 and r.context["items"] == []
    assert r.context["form"].errors["book"]


def test_search_for_htmx_returns_the_results_only(client, w):
    _birth(w)
    client.force_login(w.officer)
    r = client.get("/civil/search/", {"q": "hang"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body
    assert 'data-testid="results"' in body and "Trần Thị Hằng" in body


def test_search_bad_date_is_400(client, w):
    client.force_login(w.officer)
    r = client.get("/civil/search/", {"birth_date": "2026-13-40"})
    assert r.status_code == 400
    assert r.context["form"].errors["birth_date"] == [
        "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2026."
    ]
    # htmx swaps only 2xx answers: the problem is listed in the results it swaps in.
    r = client.get("/civil/search/", {"birth_date": "2026-13-40"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert "Ngày sinh: Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2026." in r.content.decode()


def test_search_stays_in_the_agency(client, w):
    _birth(w)
    client.force_login(w.officer_b)
    r = client.get("/civil/search/", {"q": "hang"})
    assert r.context["items"] == [] and r.context["searched"] is True


def test_search_pages(client, w, monkeypatch):
    from xaso.civil.views import home

    for i in range(3):
        _birth(
            w, child={**birth()["child"], "given_name": f"Hằng{'a' * i}"}, confirm_duplicate=True
        )
    client.force_login(w.officer)
    monkeypatch.setattr(home, "SEARCH_PAGE", 2)
    r = client.get("/civil/search/", {"q": "hang"})
    assert len(r.context["items"]) == 2
    next_url = r.context["next_url"]
    assert next_url.startswith("/civil/search/?q=hang&") and "after=" in next_url
    r2 = client.get(next_url)
    assert len(r2.context["items"]) == 1


# --- An entry's page -----------------------------------------------------------------------------


def test_record_page_shows_amendments_beside_the_original(client, w):
    born = _birth(w)
    change = _correct(w, born)
    client.force_login(w.officer)
    before = AuditEntry.objects.filter(action="civil.read").count()
    r = client.get(f"/civil/records/{born.public_id}/")
    assert r.status_code == 200
    assert AuditEntry.objects.filter(action="civil.read").count() == before + 1
    child = next(p for p in r.context["parties"] if p["view"].role == "child")
    assert child["view"].full_name == "Trần Thanh Hằng"
    assert child["name_was"] == "Trần Thị Hằng"
    history = r.context["history"]
    assert [(h["a"].kind, h["old"], h["new"]) for h in history] == [("correction", "Thị", "Thanh")]
    body = r.content.decode()
    assert "Trần Thanh Hằng" in body and "sổ ghi" in body and "Trần Thị Hằng" in body
    assert f"/civil/records/{change.public_id}/" in body
    born.refresh_from_db()
    assert born.parties.get(role="child").middle_name == "Thị"


def test_record_page_actions_and_certificate_form(client, w):
    born = _birth(w)
    client.force_login(w.officer)
    r = client.get(f"/civil/records/{born.public_id}/")
    urls = [url for url, _label in r.context["actions"]]
    assert urls == [
        f"/civil/register/change/?target={born.public_id}",
        f"/civil/register/extract-copy/?target={born.public_id}",
        f"/civil/register/info-confirmation/?target={born.public_id}",
    ]
    cert = r.context["certificates"]
    assert cert["url"] == f"/civil/certificates/records/{born.public_id}/certificate.pdf"
    assert cert["documents"] == []
    assert f'action="{cert["url"]}"' in r.content.decode()


def test_record_page_for_leader_has_no_register_actions_missing(client, w):
    born = _birth(w)
    client.force_login(w.leader)
    r = client.get(f"/civil/records/{born.public_id}/")
    assert r.status_code == 200 and len(r.context["actions"]) == 3


def test_record_of_another_agency_is_404(client, w):
    born = _birth(w)
    client.force_login(w.officer_b)
    before = AuditEntry.objects.count()
    assert client.get(f"/civil/records/{born.public_id}/").status_code == 404
    assert client.get("/civil/records/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("who", OTHERS)
def test_record_closed_to_other_roles(client, w, who):
    born = _birth(w)
    client.force_login(getattr(w, who))
    assert client.get(f"/civil/records/{born.public_id}/").status_code == 403


def test_death_record_shows_late_and_content(client, w):
    d = services.civil_register_death(actor=w.officer, **death(registered_on=date(2026, 6, 1)))
    client.force_login(w.officer)
    r = client.get(f"/civil/records/{d.public_id}/")
    facts = {f.key: f.text for f in r.context["facts"]}
    assert facts["place_of_death"] == "Tại nhà, bản Lầm"
    assert facts["cause"] == "Già yếu"
    assert r.context["r"].late is True
    assert 'data-testid="late"><span class="tag off">Quá hạn' in r.content.decode()


# --- Books ---------------------------------------------------------------------------------------


def test_book_list_and_page(client, w):
    _birth(w)
    second = _birth(w, child={**birth()["child"], "given_name": "Hoa"})
    _correct(w, second)
    client.force_login(w.officer)
    r = client.get("/civil/books/", {"event": "birth"})
    assert [b.event for b in r.context["books"]] == ["birth"]
    book = r.context["books"][0]
    r = client.get(f"/civil/books/{book.public_id}/")
    assert r.status_code == 200
    assert [(row["r"].entry_number, row["names"], row["amended"]) for row in r.context["rows"]] == [
        (1, "Trần Thị Hằng", False),
        (2, "Trần Thanh Hoa", True),
    ]
    assert r.context["close_form"] is None  # the officer does not close books


def test_book_pages_by_entry_number(client, w, monkeypatch):
    from xaso.civil.views import books

    for i in range(3):
        _birth(
            w, child={**birth()["child"], "given_name": f"Hằng{'a' * i}"}, confirm_duplicate=True
        )
    monkeypatch.setattr(books, "ENTRIES_PER_PAGE", 2)
    book = CivilBook.objects.get()
    client.force_login(w.officer)
    r = client.get(f"/civil/books/{book.public_id}/")
    assert [row["r"].entry_number for row in r.context["rows"]] == [1, 2]
    assert r.context["next_url"] == f"/civil/books/{book.public_id}/?after=2"
    r = client.get(r.context["next_url"])
    assert [row["r"].entry_number for row in r.context["rows"]] == [3]
    assert r.context["next_url"] is None


def test_book_page_query_count_pinned(client, w):
    _birth(w)
    book = CivilBook.objects.get()
    client.force_login(w.officer)
    client.get(f"/civil/books/{book.public_id}/")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/civil/books/{book.public_id}/")
    for i in range(5):
        _birth(w, child={**birth()["child"], "given_name": f"Hoa{'a' * i}"}, confirm_duplicate=True)
    with CaptureQueriesContext(connection) as six:
        client.get(f"/civil/books/{book.public_id}/")
    assert len(six) == len(one)


def test_book_of_another_agency_is_404(client, w):
    _birth(w)
    book = CivilBook.objects.get()
    client.force_login(w.officer_b)
    assert client.get(f"/civil/books/{book.public_id}/").status_code == 404
    assert client.get(f"/civil/books/{book.public_id}/print.pdf").status_code == 404
    assert client.get(f"/civil/books/{book.public_id}/export.xlsx").status_code == 404
    client.force_login(w.leader_b)
    assert (
        client.post(
            f"/civil/books/{book.public_id}/close/", {"closed_on": "31/12/2026"}
        ).status_code
        == 404
    )
    assert client.get("/civil/books/").context["books"] == []


def test_closing_before_the_year_ends_is_refused(client, w):
    _birth(w)
    book = CivilBook.objects.get()
    client.force_login(w.leader)
    r = client.get(f"/civil/books/{book.public_id}/")
    assert r.context["close_form"] is not None
    before = state()
    r = client.post(f"/civil/books/{book.public_id}/close/", {"closed_on": "28/11/2026"})
    assert r.status_code == 409
    assert r.context["close_form"].errors["closed_on"] == [
        "Sổ năm 2026 chỉ được khóa từ ngày 31/12/2026 (ngày khóa: 28/11/2026)."
    ]
    assert state() == before


def test_leader_closes_a_past_year(client, w):
    leader_titled(w)
    old = services.civil_register_birth(
        actor=w.officer,
        **birth(
            child={**birth()["child"], "date_of_birth": date(2025, 3, 1)},
            registered_on=date(2025, 3, 10),
        ),
    )
    client.force_login(w.officer)
    assert (
        client.post(
            f"/civil/books/{old.book.public_id}/close/", {"closed_on": "31/12/2025"}
        ).status_code
        == 403
    )
    client.force_login(w.leader)
    r = client.post(f"/civil/books/{old.book.public_id}/close/", {"closed_on": "31/12/2025"})
    assert r.status_code == 302 and r["Location"] == f"/civil/books/{old.book.public_id}/"
    book = CivilBook.objects.get(pk=old.book_id)
    assert (book.closed_on, book.total_entries, book.total_pages, book.closed_by_id) == (
        date(2025, 12, 31),
        1,
        1,
        w.leader.pk,
    )
    r = client.get(r["Location"])
    assert r.context["close_form"] is None
    totals = dict(r.context["totals"])
    assert totals["Tổng số mục"] == 1 and totals["Đúng hạn"] == 1 and totals["Quá hạn"] == 0
    assert f"Đã khóa {book}: 1 mục, 1 trang." in [str(m) for m in r.context["messages"]]


def test_close_date_shape(client, w):
    _birth(w)
    book = CivilBook.objects.get()
    client.force_login(w.leader)
    r = client.post(f"/civil/books/{book.public_id}/close/", {"closed_on": "31-12-2026"})
    assert r.status_code == 400


def test_exports_audited_for_readers_only(client, w):
    _birth(w)
    book = CivilBook.objects.get()
    client.force_login(w.reception)
    assert client.get(f"/civil/books/{book.public_id}/export.xlsx").status_code == 403
    client.force_login(w.officer)
    r = client.get(f"/civil/books/{book.public_id}/export.xlsx")
    assert r.status_code == 200
    assert r["Content-Disposition"] == 'attachment; filename="so-birth-H98.01-2026.xlsx"'
    assert r["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.filter(action="civil.book_export").get()
    assert entry.object_id == str(book.public_id)
    assert entry.changes["format"] == "xlsx"
    r = client.get(f"/civil/books/{book.public_id}/print.pdf")
    assert (r.status_code, r["Content-Type"], r.content[:5]) == (200, "application/pdf", b"%PDF-")
    assert AuditEntry.objects.filter(action="civil.book_export").count() == 2
    assert CivilRecord.objects.count() == 1


def test_large_book_printed_in_parts_from_its_page(client, w, monkeypatch):
    from xaso.civil import books_export

    for i in range(3):
        _birth(
            w, child={**birth()["child"], "given_name": f"Hằng{'a' * i}"}, confirm_duplicate=True
        )
    monkeypatch.setattr(books_export, "PDF_MAX_ENTRIES", 2)
    book = CivilBook.objects.get()
    client.force_login(w.officer)
    page = client.get(f"/civil/books/{book.public_id}/")
    assert page.context["parts"] == [(1, 2), (3, 3)]
    body = page.content.decode()
    assert f"/civil/books/{book.public_id}/print.pdf?from=3&amp;to=3" in body
    r = client.get(f"/civil/books/{book.public_id}/print.pdf")
    assert r.status_code == 409
    assert r.context["print_error"] == "Sổ có 3 mục: in từng phần, mỗi phần tối đa 2 mục."
    r = client.get(f"/civil/books/{book.public_id}/print.pdf", {"from": "1", "to": "x"})
    assert r.status_code == 400
    assert AuditEntry.objects.filter(action="civil.book_export").count() == 0
    r = client.get(f"/civil/books/{book.public_id}/print.pdf", {"from": "1", "to": "2"})
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    assert r["Content-Disposition"] == 'attachment; filename="so-birth-H98.01-2026-1-2.pdf"'
    entry = AuditEntry.objects.get(action="civil.book_export")
    assert entry.changes["part"] == [1, 2]
    r = client.get(f"/civil/books/{book.public_id}/export.xlsx")
    assert r.status_code == 200  # Excel: the whole book at once
