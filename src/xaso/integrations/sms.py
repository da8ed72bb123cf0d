"""SMS gateway client: a small HTTP/JSON protocol that Vietnamese SMS brandname providers (or
an adapter in front of one) speak.

Protocol::

    POST {base_url}/messages
    Authorization: Bearer {api_key}
    Content-Type: application/json; charset=utf-8

    {"to": "+84912345678", "text": "...", "sender": "XASO"}

- 2xx with ``{"id": "<provider message id>"}``: accepted (``send`` returns the id);
- 4xx: the message is refused and sending it again cannot help (``SmsRejected``);
- 5xx, a timeout or no connection: try again later (``SmsUnavailable``);
- 2xx without an id: the gateway broke the protocol; the message may have gone out, so it is
  not sent again (``SmsRejected``, reason ``bad_response``).

Configured by ``XASO_SMS_URL``, ``XASO_SMS_API_KEY`` and ``XASO_SMS_SENDER``; another client
class (same ``send`` signature) may be named in ``XASO_SMS_CLIENT``. Nothing here logs or puts
into an exception the phone number, the text or the gateway's answer body: they are personal
data (Decree 13/2023/NĐ-CP).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_CLIENT = "xaso.integrations.sms.HttpSmsGateway"


class SmsError(Exception):
    """Sending failed; ``reason`` is a short code safe to log and store (``http_503``, ...)."""

    permanent = False

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SmsRejected(SmsError):
    """The gateway refused the message (4xx): sending it again will not help."""

    permanent = True


class SmsUnavailable(SmsError):
    """The gateway could not take the message now (5xx, timeout, no connection): retry later."""


class InvalidPhoneNumber(SmsRejected):
    def __init__(self) -> None:
        super().__init__("bad_phone")


class SmsClient(Protocol):
    def send(self, *, to: str, text: str) -> str:
        """Send ``text`` to ``to`` (E.164); return the provider's message id."""
        ...


@dataclass(frozen=True)
class HttpSmsGateway:
    base_url: str
    api_key: str
    sender: str = ""
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("XASO_SMS_URL must be an http:// or https:// address")

    def send(self, *, to: str, text: str) -> str:
        body = json.dumps({"to": to, "text": text, "sender": self.sender}, ensure_ascii=False)
        # The scheme is checked in __post_init__: only http(s) reaches urlopen.
        request = urllib.request.Request(  # noqa: S310
            f"{self.base_url.rstrip('/')}/messages",
            data=body.encode("utf-8"),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            exc.close()
            if 400 <= exc.code < 500:
                raise SmsRejected(f"http_{exc.code}") from None
            raise SmsUnavailable(f"http_{exc.code}") from None
        except TimeoutError:
            raise SmsUnavailable("timeout") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise SmsUnavailable("timeout") from None
            raise SmsUnavailable("unreachable") from None
        except OSError:
            raise SmsUnavailable("unreachable") from None
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise SmsRejected("bad_response") from None
        message_id = answer.get("id") if isinstance(answer, dict) else None
        if message_id in (None, ""):
            raise SmsRejected("bad_response")
        return str(message_id)


def sms_client() -> SmsClient | None:
    """The configured client, or None when no gateway is configured (SMS is then skipped)."""
    url = getattr(settings, "XASO_SMS_URL", "") or ""
    if not url:
        return None
    cls = import_string(getattr(settings, "XASO_SMS_CLIENT", "") or DEFAULT_CLIENT)
    client: SmsClient = cls(
        base_url=url,
        api_key=getattr(settings, "XASO_SMS_API_KEY", "") or "",
        sender=getattr(settings, "XASO_SMS_SENDER", "") or "",
        timeout=float(getattr(settings, "XASO_SMS_TIMEOUT", 10.0) or 10.0),
    )
    return client


_SEPARATORS = re.compile(r"[\s.\-()]")


def phone_e164(number: str) -> str:
    """A Vietnamese phone number as the gateway wants it: ``0912 345 678`` → ``+84912345678``.
    Numbers already with a country code (``+84…``, ``0084…``, ``84…``) keep it."""
    digits = _SEPARATORS.sub("", number or "")
    if digits.startswith("+"):
        rest = digits[1:]
    elif digits.startswith("00"):
        rest = digits[2:]
    elif digits.startswith("0"):
        rest = "84" + digits[1:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        rest = digits
    else:
        raise InvalidPhoneNumber()
    if not rest.isdigit() or not 8 <= len(rest) <= 15:
        raise InvalidPhoneNumber()
    # +84 then 9 digits (mobile) or 10 (landline with its area code).
    if rest.startswith("84") and len(rest) not in (11, 12):
        raise InvalidPhoneNumber()
    return f"+{rest}"
