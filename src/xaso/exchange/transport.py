"""The HTTP(S) client that hands a message to another node's ``POST /api/v1/exchange/messages``,
signed by this node (``nodes.sign``). Standard library only (urllib); with https the peer's
server certificate is checked against ``XASO_EXCHANGE_CA_FILE`` or the system's trust store."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING

from . import conf, nodes
from .errors import DeliveryFailed, NodeNotInitialised, NodeUnreachable

if TYPE_CHECKING:
    from .models import Node

PATH = "/api/v1/exchange/messages"
HEADER_NODE = "X-Xaso-Node"
HEADER_RECIPIENT = "X-Xaso-Recipient"
HEADER_SIGNATURE = "X-Xaso-Signature"
CONTENT_TYPE = "application/xml"


def self_code() -> str:
    from .models import Node

    me = Node.objects.filter(is_self=True).values_list("code", flat=True).first()
    if me is None:
        raise NodeNotInitialised("Nút chưa được khởi tạo: chạy `xaso exchange init-node`.")
    return me


def _context(url: str) -> ssl.SSLContext | None:
    if not url.lower().startswith("https:"):
        return None
    return ssl.create_default_context(cafile=conf.ca_file())


def signed_headers(*, recipient_code: str, body: bytes) -> dict[str, str]:
    code = self_code()
    return {
        "Content-Type": CONTENT_TYPE,
        HEADER_NODE: code,
        HEADER_RECIPIENT: recipient_code,
        HEADER_SIGNATURE: nodes.sign(node_code=code, recipient_code=recipient_code, body=body),
    }


def post_message(*, node: Node, recipient_code: str, body: bytes) -> tuple[str, str]:
    """POST one message for one recipient agency; return the inbox answer (state, reason).
    Anything but a 2xx answer with that JSON raises DeliveryFailed."""
    url = node.base_url.rstrip("/") + PATH
    request = urllib.request.Request(  # noqa: S310 - the peer's configured http(s) URL
        url,
        data=body,
        method="POST",
        headers=signed_headers(recipient_code=recipient_code, body=body),
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=conf.timeout(), context=_context(url)
        ) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode("utf-8", "replace")
        raise DeliveryFailed(f"HTTP {exc.code} from {node.code}: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise NodeUnreachable(f"{node.code} unreachable ({url}): {exc}") from exc
    except ValueError as exc:
        raise DeliveryFailed(f"unreadable answer from {node.code} ({url}): {exc}") from exc
    if not isinstance(answer, dict) or answer.get("state") not in {"accepted", "refused"}:
        raise DeliveryFailed(f"unexpected answer from {node.code}: {str(answer)[:300]}")
    return str(answer["state"]), str(answer.get("reason", ""))


def get_message(*, node: Node, message_id: str) -> list[dict[str, str]]:
    """Ask ``node`` what it recorded for ``message_id`` (sent from this node): a list of
    {recipient_code, state, reason, received_at}."""
    code = self_code()
    url = f"{node.base_url.rstrip('/')}{PATH}/{urllib.parse.quote(message_id, safe='')}"
    request = urllib.request.Request(  # noqa: S310
        url,
        method="GET",
        headers={
            HEADER_NODE: code,
            HEADER_SIGNATURE: nodes.sign(
                node_code=code, recipient_code="", body=message_id.encode()
            ),
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=conf.timeout(), context=_context(url)
        ) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode("utf-8", "replace")
        raise DeliveryFailed(f"HTTP {exc.code} from {node.code}: {detail}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeliveryFailed(f"{node.code} unreachable ({url}): {exc}") from exc
    return list(answer["recipients"])
