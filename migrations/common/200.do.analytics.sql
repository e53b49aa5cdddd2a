-- Analytics: each camera's detector state (shared by all analytics workers), its status history, coverage now and per hour.

-- One row per camera: the state machine's state, so any worker can continue where another left off.
CREATE TABLE camera_state (
  camera_id text PRIMARY KEY REFERENCES cameras(id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'unknown',
  status_since timestamptz,
  failures integer NOT NULL DEFAULT 0,
  fail_since timestamptz,
  fail_cause text,
  up_since timestamptz,
  toggles timestamptz[] NOT NULL DEFAULT '{}',
  quality text,
  quality_since timestamptz,
  outage_id uuid,
  last_ts timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX camera_state_recovering ON camera_state (status, up_since);

CREATE TABLE camera_status_history (
  id bigserial PRIMARY KEY,
  camera_id text NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  ts timestamptz NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  reason text
);
CREATE INDEX camera_status_history_camera ON camera_status_history (camera_id, ts DESC);

-- Coverage of each grid unit now; `gap_key` is the dedup key of the open coverage-gap alert, if any.
CREATE TABLE coverage_current (
  unit_id text PRIMARY KEY REFERENCES grid_units(id) ON DELETE CASCADE,
  level text NOT NULL,
  parent_id text,
  district_id text,
  name text NOT NULL,
  threshold real NOT NULL,
  area_m2 double precision NOT NULL,
  covered_m2 double precision NOT NULL,
  potential_m2 double precision NOT NULL,
  rate real NOT NULL,
  cameras_total integer NOT NULL,
  cameras_up integer NOT NULL,
  gap_key text,
  computed_at timestamptz NOT NULL
);

-- Hourly coverage per grid unit: the last and the lowest rate seen in the hour.
SELECT gw_create_timeseries('coverage_hourly', $$
  unit_id text NOT NULL,
  ts timestamptz NOT NULL,
  level text NOT NULL,
  district_id text,
  rate real NOT NULL,
  min_rate real NOT NULL,
  cameras_total integer NOT NULL,
  cameras_up integer NOT NULL,
  PRIMARY KEY (unit_id, ts)
$$);

CREATE INDEX repair_tickets_open_deadline ON repair_tickets (deadline) WHERE state IN ('open', 'dispatched', 'in_progress');
CREATE INDEX repair_tickets_unit ON repair_tickets (unit_id, opened_at DESC);
