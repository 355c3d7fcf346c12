"""Public pages (landing-page order forms, the customer's order link) and their management."""
