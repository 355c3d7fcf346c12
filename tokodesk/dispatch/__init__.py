"""Dispatch (issue 14): the step between an order ready to ship and the courier — booking a
pickup through a courier adapter (booking.py), typed and imported AWBs, labels and packing
slips (labels.py), the picking list (picking.py), their API (api.py) and pages (views.py).

It sits above both `orders` and `shipping` (orders imports shipping for its couriers and
quotes; shipping knows no order), so neither imports it and the app graph keeps no cycle.
Its templates and script live with shipping's (templates/shipping/dispatch*, labels*;
static/shipping/dispatch.js); it has no models."""
