"""Every text input reaches the application in NFC, whatever the browser or client sent."""

from __future__ import annotations

import json
import unicodedata

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from tests.factories import staff, unit
from xaso.core.middleware import NFCInputMiddleware

NAME = "Đặng Văn Đức"
NFD = unicodedata.normalize("NFD", NAME)
seen: dict[str, object] = {}


def _view(request):
    seen["GET"] = dict(request.GET.lists())
    seen["POST"] = dict(request.POST.lists())
    seen["body"] = request.body if request.content_type == "application/json" else b""
    return HttpResponse("ok")


def _run(request):
    seen.clear()
    NFCInputMiddleware(_view)(request)
    return seen


def test_decomposed_form_fields_and_keys_become_nfc():
    assert NFD != NAME
    request = RequestFactory().post("/x", {"full_name": NFD, NFD: ["a", NFD]})
    got = _run(request)["POST"]
    assert got == {"full_name": [NAME], NAME: ["a", NAME]}


def test_decomposed_query_string_becomes_nfc():
    got = _run(RequestFactory().get("/x", {"q": NFD, "page": "2"}))["GET"]
    assert got == {"q": [NAME], "page": ["2"]}


def test_json_body_becomes_nfc():
    body = json.dumps({"full_name": NFD}, ensure_ascii=False)
    got = _run(RequestFactory().post("/x", body, content_type="application/json"))
    assert json.loads(got["body"]) == {"full_name": NAME}


def test_ascii_and_invalid_utf8_bodies_pass_untouched():
    got = _run(RequestFactory().post("/x", b'{"a": 1}', content_type="application/json"))
    assert got["body"] == b'{"a": 1}'
    got = _run(RequestFactory().post("/x", b'{"a": "\xff"}', content_type="application/json"))
    assert got["body"] == b'{"a": "\xff"}'


@pytest.mark.django_db
def test_search_through_the_whole_stack(client):
    client.force_login(staff(roles=("admin",)))
    unit(name="Xã Đức Thắng", code="97001")
    r = client.get("/units/", {"q": unicodedata.normalize("NFD", "Đức Thắng")})
    assert r.context["form"].data["q"] == "Đức Thắng"
    assert [u.code for u in r.context["units"]] == ["97001"]
