-- The city, its devices, users, and the product's records. Event tables are time series (see 001).

-- Grid hierarchy: district → town/street → community → cell (网格). Cells carry a GeoJSON polygon.
CREATE TABLE grid_units (
  id text PRIMARY KEY,
  level text NOT NULL CHECK (level IN ('city', 'district', 'town', 'community', 'cell')),
  parent_id text REFERENCES grid_units(id),
  name text NOT NULL,
  name_zh text,
  geom jsonb,
  coverage_threshold real NOT NULL DEFAULT 0.6
);
CREATE INDEX grid_units_parent ON grid_units (parent_id);

CREATE TABLE maintenance_units (
  id text PRIMARY KEY,
  name text NOT NULL,
  district_id text REFERENCES grid_units(id)
);

-- Residential compounds (智慧安防小区) and their doors.
CREATE TABLE properties (
  id text PRIMARY KEY,
  name text NOT NULL,
  cell_id text REFERENCES grid_units(id),
  district_id text REFERENCES grid_units(id)
);

CREATE TABLE doors (
  id text PRIMARY KEY,
  property_id text NOT NULL REFERENCES properties(id),
  name text NOT NULL,
  lon double precision,
  lat double precision
);
CREATE INDEX doors_property ON doors (property_id);

-- Cameras; identity is the ONVIF endpoint urn, so a camera that changes address stays the same row.
CREATE TABLE cameras (
  id text PRIMARY KEY,
  urn text UNIQUE,
  name text NOT NULL,
  xaddr text,
  cell_id text REFERENCES grid_units(id),
  district_id text REFERENCES grid_units(id),
  lon double precision,
  lat double precision,
  heading real,
  fov real,
  range_m real,
  priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('key', 'normal', 'remote')),
  status text NOT NULL DEFAULT 'unknown',
  status_since timestamptz,
  auth_state text NOT NULL DEFAULT 'unknown',
  manufacturer text,
  model text,
  firmware text,
  serial text,
  hardware text,
  profiles jsonb NOT NULL DEFAULT '[]',
  stream_uri text,
  snapshot_uri text,
  credentials_enc text,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz,
  vanished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cameras_cell ON cameras (cell_id);
CREATE INDEX cameras_district_status ON cameras (district_id, status);

-- What changed on a camera (address, firmware, …), kept as history.
CREATE TABLE camera_history (
  id bigserial PRIMARY KEY,
  camera_id text NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  ts timestamptz NOT NULL DEFAULT now(),
  field text NOT NULL,
  old_value text,
  new_value text
);
CREATE INDEX camera_history_camera ON camera_history (camera_id, ts DESC);

-- Input that could not be accepted, kept with the reason so nothing is lost silently.
CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  ts timestamptz NOT NULL DEFAULT now(),
  source text NOT NULL,
  topic text,
  reason text NOT NULL,
  payload text,
  size integer NOT NULL DEFAULT 0
);
CREATE INDEX dead_letters_ts ON dead_letters (ts DESC);

CREATE TABLE users (
  id bigserial PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'monitor', 'property_manager', 'supervisor')),
  districts text[] NOT NULL DEFAULT '{}',
  properties text[] NOT NULL DEFAULT '{}',
  display_name text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Outages and repair tickets (限期整改).
CREATE TABLE outages (
  outage_id uuid PRIMARY KEY,
  camera_id text NOT NULL REFERENCES cameras(id),
  start_ts timestamptz NOT NULL,
  end_ts timestamptz,
  cause text NOT NULL
);
CREATE INDEX outages_camera ON outages (camera_id, start_ts DESC);
-- At most one open outage per camera: a replayed "went down" cannot open a second one.
CREATE UNIQUE INDEX outages_one_open ON outages (camera_id) WHERE end_ts IS NULL;

CREATE TABLE repair_tickets (
  ticket_id uuid PRIMARY KEY,
  camera_id text NOT NULL REFERENCES cameras(id),
  outage_id uuid NOT NULL UNIQUE REFERENCES outages(outage_id),
  cause text NOT NULL,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'dispatched', 'in_progress', 'resolved', 'closed')),
  district_id text REFERENCES grid_units(id),
  unit_id text REFERENCES maintenance_units(id),
  opened_at timestamptz NOT NULL,
  deadline timestamptz NOT NULL,
  escalation_level smallint NOT NULL DEFAULT 0,
  resolved_at timestamptz,
  closed_at timestamptz,
  repair_seconds integer,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX repair_tickets_state_deadline ON repair_tickets (state, deadline);
CREATE INDEX repair_tickets_district ON repair_tickets (district_id, opened_at DESC);

CREATE TABLE ticket_history (
  id bigserial PRIMARY KEY,
  ticket_id uuid NOT NULL REFERENCES repair_tickets(ticket_id) ON DELETE CASCADE,
  ts timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  from_state text,
  to_state text,
  note text
);
CREATE INDEX ticket_history_ticket ON ticket_history (ticket_id, ts);

CREATE TABLE alerts (
  alert_id uuid PRIMARY KEY,
  ts timestamptz NOT NULL,
  kind text NOT NULL,
  severity text NOT NULL,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
  title text NOT NULL,
  subject_kind text NOT NULL,
  subject_id text NOT NULL,
  district_id text,
  town_id text,
  community_id text,
  cell_id text,
  property_id text,
  evidence jsonb NOT NULL DEFAULT '{}',
  dedup_key text UNIQUE,
  acked_by text,
  acked_at timestamptz,
  resolved_by text,
  resolved_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_state_ts ON alerts (state, ts DESC);
CREATE INDEX alerts_district_ts ON alerts (district_id, ts DESC);
CREATE INDEX alerts_property_ts ON alerts (property_id, ts DESC);
