"""Reports up (báo cáo): a superior agency asks the agencies below it for a report by a deadline
(Decree 09/2019/NĐ-CP on the reporting regime: content, figures, period, deadline), they submit
and the superior sees who is missing and the figures added up. Requests and reports travel as
electronic documents (Decree 30/2020/NĐ-CP Art. 16-22) through the exchange (edXML packages of
QCVN 102:2016/BTTTT, kinds ``report_request`` and ``report``), so an agency on another node is
asked and answers exactly like one on this node.

A ``report_request`` package carries ``extra["action"]``: ``request`` (the request itself),
``remind`` (the deadline is near and nothing came in), ``extend`` (a later deadline),
``return`` (one agency's report sent back for correction, with the reason) or ``close`` (no
more submissions).
"""

from .receiving import (
    register_handlers,
    report_received,
    report_request_received,
    status_received,
    statuses_received,
)
from .reminding import REMIND_AGAIN_AFTER, reminders_send, report_request_remind
from .requesting import (
    report_request_close,
    report_request_create,
    report_request_delete,
    report_request_extend,
    report_request_send,
    report_request_update,
)
from .returning import report_submission_return
from .submitting import report_submit

__all__ = [
    "REMIND_AGAIN_AFTER",
    "register_handlers",
    "reminders_send",
    "report_received",
    "report_request_close",
    "report_request_create",
    "report_request_delete",
    "report_request_extend",
    "report_request_received",
    "report_request_remind",
    "report_request_send",
    "report_request_update",
    "report_submission_return",
    "report_submit",
    "status_received",
    "statuses_received",
]
