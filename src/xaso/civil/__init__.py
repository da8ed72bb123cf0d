"""Civil status (hộ tịch, issue 4): the register books and their entries.

``models`` (books, entries, parties, amendments; the design is explained there) · ``rules``
(the law's figures as data) · ``inputs`` (what a registration receives, cleaned) · ``services``
(one ``civil_register_<event>`` per registration, book closing) · ``lookups`` (what the agency's
registers already say about a person) · ``current`` (an entry with its amendments applied) ·
``selectors`` (reads scoped to the actor, search) · ``permissions`` · ``api`` / ``schemas`` ·
``demo``.
"""
