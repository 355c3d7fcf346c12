"""The return pages (htmx over the same services and selectors as the returns API)."""
