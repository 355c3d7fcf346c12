"""The helpers every app's API router shares: the error schema and request versions
(common), what the API refuses before a view reads a request and the JSON of every refusal
(guard), and the action endpoints generated from a transition table (actions). They import
no app; the root NinjaAPI that mounts the routers is tokodesk/ops/api.py."""
