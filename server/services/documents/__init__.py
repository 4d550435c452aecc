"""The documents and numbers people ask the school for: a placement's record and a single visit
as PDF, CSV exports for office staff, the governors' report (aggregates only, with charts) and
the local-authority notifications list.

One job per module: `model` (the blocks a document is made of), `pdf_layout` (blocks → PDF),
`charts` (bar charts for PDF and HTML), `record_pdf` and `visit_pdf` (what a placement record
and a visit say), `csv_exports`, `governors_report`, `la_notifications`, `periods` (the period a
report covers). Nothing here commits; the office views audit and commit once per request.
"""
# The Government Security Classification marking printed on every page of a pupil-level PDF.
MARKING = "OFFICIAL-SENSITIVE"
