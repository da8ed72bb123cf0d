"""/civil/: the civil status pages (namespace ``civil``). The certificates' pages are mounted
beside them by the project's URL configuration, under /civil/certificates/ (namespace
``civil_certificates``, which their code reverses at the top level)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from .views import books, home, records, register, stats

app_name = "civil"
urlpatterns: list[Any] = [
    path("", home.home, name="home"),
    path("search/", home.search, name="search"),
    path("register/<slug:slug>/", register.register, name="register"),
    path("records/<uuid:public_id>/", records.record, name="record"),
    path("records/<uuid:public_id>/divorce/", records.record_divorce, name="record_divorce"),
    path("books/", books.book_list, name="books"),
    path("books/<uuid:public_id>/", books.book_detail, name="book"),
    path("books/<uuid:public_id>/close/", books.book_close, name="book_close"),
    path("books/<uuid:public_id>/print.pdf", books.book_pdf, name="book_pdf"),
    path("books/<uuid:public_id>/export.xlsx", books.book_xlsx, name="book_xlsx"),
    path("stats/", stats.stats_index, name="stats"),
    path("stats/export.xlsx", stats.stats_export, name="stats_export"),
]
