"""Drafting official documents in the Decree 30/2020/NĐ-CP layout: document types and notation
(``types``), the PDF render of a draft (``render``), DOCX → PDF with LibreOffice and checks of
uploaded PDFs (``convert``), and an editable DOCX of a draft (``wordfile``). A library: no models,
no database; the documents app calls it."""
