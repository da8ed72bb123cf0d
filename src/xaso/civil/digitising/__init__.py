"""Số hóa sổ hộ tịch (issue 4): old paper register books copied into the system.

``models`` (page scans, the mark on each copied entry, import batches) · ``entries`` (one entry
as the paper gives it: checked and written under its own book number, number, page and date) ·
``sheets`` (reading an Excel/CSV file, legacy TCVN3/VNI text converted, the template) ·
``services`` (an entry with its page's scan; a batch requested, checked and imported whole or
not at all) · ``tasks`` (the background import) · ``api`` (router for /api/v1/civil/digitising) ·
``views`` / ``urls`` / ``forms`` (the pages, under /civil/digitising/).

Digitised entries are ``CivilRecord`` rows like any other: found by the search (its index
follows every write), shown and certified like the entries registered in the system.
"""
