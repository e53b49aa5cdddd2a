-- Bus messages decided in a transaction and sent after its commit (analytics: an outage's alert, its ticket, the
-- camera status changes). The worker deletes them once sent; one killed between its commit and its publish leaves
-- them here, and the outbox relay sends them once `not_before` has passed (at-least-once: consumers take repeats).
CREATE TABLE bus_outbox (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  params jsonb NOT NULL,
  -- NULL: built when sent, from the row it names (a repair ticket's state at that moment).
  payload jsonb,
  -- Until then the row belongs to the worker that wrote it, or to the relay that claimed it.
  not_before timestamptz NOT NULL
);
CREATE INDEX bus_outbox_due ON bus_outbox (not_before);
