"""Report templates (issue 17): the return slip and the return summary, rendered from an
HTML + CSS template the shop owner may edit in the app (settings → Report templates).

- models.ReportTemplate: the owner's template of a document (none: the built-in one).
- context: the documented variables, built as plain data from a return (or a sample one).
- services: save (validated against the sample return), reset, and render with a safe
  fallback (a stored template that fails at render time gives the built-in document, and
  the failure is logged and shown on the editor page).
- The sandbox (engine, allowed tags and filters, the PDF's URL fetcher) is core's:
  core/report_templates.py and core/report_tags.py.
"""
