"""The order pages (htmx over the same services and selectors as the API)."""
