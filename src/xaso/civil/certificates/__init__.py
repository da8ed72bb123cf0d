"""Certificates and extracts of the civil status registers (giấy tờ hộ tịch), vn-rules.md §3.3.

- ``words``: numbers and dates in Vietnamese words (the forms write dates "bằng chữ");
- ``content``: from an entry as it reads now (amendments applied) to the values of its form;
- ``render``: those values to a PDF (WeasyPrint, Liberation Serif, QR code), fast;
- ``models``: ``IssuedDocument``, the register of every document issued, with its verification id;
- ``services``: ``certificate_issue`` (render, sign electronically, record, audit);
- ``selectors``: the public facts of an issued document by its verification id, the file check,
  the documents of an entry;
- ``views`` (pages mounted by ``civil.certificate_urls``) and ``responses`` (the PDF answer);
  the JSON API is ``civil.api_certificates``.
"""
