"""The report (the "reads/rendering" layer): its context and titles, the HTML preview and
the PDF, signing and verification, the stored signed files and the seal image.

- `context`, `standard`, `titles`: what the report shows, from content only;
- `render`: the PDF with WeasyPrint, loading only the project's own static files;
- `pki`, `sign`, `verify`, `verify_bounds`: certificates, signatures and their checking;
- `storage`: signed PDFs written once under their SHA-256; `seals`: the unit's seal image.

Issuing, which numbers, renders, signs and stores a report, is `assessments.issuing`.
"""
