"""The real SMS client against a local gateway speaking its protocol."""

from __future__ import annotations

import socket

import pytest

from tests.integrations.gateway import Gateway
from xaso.integrations.sms import (
    HttpSmsGateway,
    InvalidPhoneNumber,
    SmsRejected,
    SmsUnavailable,
    phone_e164,
    sms_client,
)

TEXT = "Hồ sơ H98.01-260910-0001 đã được tiếp nhận."


def client(gateway: Gateway, **kw) -> HttpSmsGateway:
    return HttpSmsGateway(base_url=gateway.url, api_key="k-123", sender="XASO", **kw)


def test_accepted_message_returns_the_provider_id(gateway):
    assert client(gateway).send(to="+84912345678", text=TEXT) == "msg-1"
    [req] = gateway.requests
    assert req.method == "POST"
    assert req.path == "/api/messages"
    assert req.headers["authorization"] == "Bearer k-123"
    assert req.headers["content-type"] == "application/json; charset=utf-8"
    assert req.json == {"to": "+84912345678", "text": TEXT, "sender": "XASO"}
    # The text travels as UTF-8 NFC, not as \u escapes.
    assert TEXT.encode("utf-8") in req.body


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_4xx_is_a_permanent_refusal(gateway, status):
    gateway.answers.append((status, b'{"error": "invalid number +84912345678"}'))
    with pytest.raises(SmsRejected) as exc:
        client(gateway).send(to="+84912345678", text=TEXT)
    assert exc.value.reason == f"http_{status}"
    assert exc.value.permanent is True
    # Nothing of the answer (which may repeat the number) goes into the error.
    assert str(exc.value) == f"http_{status}"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_temporary(gateway, status):
    gateway.answers.append((status, b"{}"))
    with pytest.raises(SmsUnavailable) as exc:
        client(gateway).send(to="+84912345678", text=TEXT)
    assert exc.value.reason == f"http_{status}"
    assert exc.value.permanent is False


def test_timeout_is_temporary(gateway):
    gateway.delay = 1.0
    with pytest.raises(SmsUnavailable) as exc:
        client(gateway, timeout=0.2).send(to="+84912345678", text=TEXT)
    assert exc.value.reason == "timeout"


def test_no_server_is_temporary():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SmsUnavailable) as exc:
        HttpSmsGateway(base_url=f"http://127.0.0.1:{port}", api_key="k").send(to="+8491", text="x")
    assert exc.value.reason == "unreachable"


@pytest.mark.parametrize("body", [b"{}", b'{"id": ""}', b"not json", b"[1]"])
def test_2xx_without_an_id_is_not_sent_again(gateway, body):
    gateway.answers.append((200, body))
    with pytest.raises(SmsRejected) as exc:
        client(gateway).send(to="+84912345678", text=TEXT)
    assert exc.value.reason == "bad_response"
    assert len(gateway.requests) == 1


def test_only_http_addresses():
    with pytest.raises(ValueError):
        HttpSmsGateway(base_url="file:///etc/passwd", api_key="k")


def test_client_from_settings(settings, gateway):
    settings.XASO_SMS_URL = gateway.url
    settings.XASO_SMS_API_KEY = "secret"
    settings.XASO_SMS_SENDER = "UBND XA"
    c = sms_client()
    assert c == HttpSmsGateway(base_url=gateway.url, api_key="secret", sender="UBND XA")
    settings.XASO_SMS_URL = ""
    assert sms_client() is None


def test_no_settings_no_client(settings):
    for name in ("XASO_SMS_URL", "XASO_SMS_API_KEY", "XASO_SMS_SENDER"):
        if hasattr(settings, name):
            delattr(settings, name)
    assert sms_client() is None


@pytest.mark.parametrize(
    ("number", "e164"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("02103812345", "+842103812345"),
        ("+33612345678", "+33612345678"),
    ],
)
def test_phone_e164(number, e164):
    assert phone_e164(number) == e164


@pytest.mark.parametrize("number", ["", "912345678", "09123abc78", "+84 91", "+8491234567890"])
def test_phone_e164_refuses(number):
    with pytest.raises(InvalidPhoneNumber):
        phone_e164(number)
