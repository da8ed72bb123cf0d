"""Sending and receiving packages between agencies (liên thông văn bản điện tử): Decree
30/2020/NĐ-CP Art. 16-22 (electronic documents sent and received through the document-management
system), Decision 28/2018/QĐ-TTg (sending and receiving electronic documents between state
agencies) and the edXML packages of QCVN 102:2016/BTTTT.

Store-and-forward: a message is first an outbox row committed with the sender's data; only after
commit is it delivered — in-process to an agency of this node, over HTTP(S) to another node —
and retried with growing waits until the recipient's node answers. Exactly-once registration:
the recipient's inbox row (unique message_id + recipient) is written in the same transaction as
what the handler registers, so a redelivered or duplicated message is recognised and never handed
over twice.

The messages of one commit for agencies of this node (a directive to 150 communes) are delivered
together, in one transaction (``outbox_deliver_local``), with these same guarantees per recipient;
the sweep of due rows (``deliver_due``) batches the same way, and claims the rows for each other
node together.

Packages that leave for another node carry the sending node's XML signature (QCVN 102:2016
``DigitalSignature``, :mod:`.xmldsig`); a package received from another node is read only from
what that signature, checked against the node's pinned certificate, covers
(docs/adr/0005-edxml-signature.md).

The parts, each importing only those above it (``sending`` and ``local_batch`` look up
``delivery._dispatch`` when they run, as delivery imports them):

- ``attempts``: what a delivery attempt leaves on its outbox rows (answer, error, backoff);
- ``sending``: packages and statuses into the outbox (``exchange_send``, ``exchange_send_status``);
- ``receiving``: ``inbox_receive``, its handlers and the statuses reported back;
- ``local_batch``: same-node delivery in batches (``outbox_deliver_local``);
- ``delivery``: dispatch after commit, claims, single attempts, the sweep (``deliver_due``);
- ``endpoints``: what other nodes call (``node_message_receive``, ``node_message_lookup``).
"""

from .attempts import backoff
from .delivery import (
    CLAIM_SECONDS,
    SWEEP_BATCH,
    SWEEP_REMOTE_BATCH,
    _dispatch,
    _outgoing,
    deliver_due,
    outbox_deliver,
    outbox_deliver_and_reschedule,
    outbox_retry,
)
from .endpoints import node_message_lookup, node_message_receive
from .local_batch import outbox_deliver_local
from .receiving import STATUS_RANK, inbox_receive
from .sending import (
    MessageAlreadySent,
    _store_statuses,
    agency_locate,
    exchange_send,
    exchange_send_status,
)

__all__ = [
    "CLAIM_SECONDS",
    "STATUS_RANK",
    "SWEEP_BATCH",
    "SWEEP_REMOTE_BATCH",
    "MessageAlreadySent",
    "_dispatch",
    "_outgoing",
    "_store_statuses",
    "agency_locate",
    "backoff",
    "deliver_due",
    "exchange_send",
    "exchange_send_status",
    "inbox_receive",
    "node_message_lookup",
    "node_message_receive",
    "outbox_deliver",
    "outbox_deliver_and_reschedule",
    "outbox_deliver_local",
    "outbox_retry",
]
