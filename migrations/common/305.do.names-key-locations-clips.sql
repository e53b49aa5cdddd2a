-- Names in Chinese beside the English ones for every named thing of the city, key locations (重点部位) that
-- coverage is judged on, event clips kept around alerts, and the audit of who watched live video or a clip.
ALTER TABLE maintenance_units ADD COLUMN name_zh text;
ALTER TABLE properties ADD COLUMN name_zh text;
ALTER TABLE doors ADD COLUMN name_zh text;
ALTER TABLE cameras ADD COLUMN name_zh text;

CREATE TABLE key_locations (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('school_gate', 'hospital_entrance', 'compound_gate', 'junction', 'bus_stop')),
  name text NOT NULL,
  name_zh text,
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  cell_id text REFERENCES grid_units(id),
  district_id text REFERENCES grid_units(id)
);
CREATE INDEX key_locations_cell ON key_locations (cell_id);

-- One clip per alert and camera: recording until the seconds after the event have passed, then ready (a file
-- under DATA_DIR/clips) or failed (with why).
CREATE TABLE alert_clips (
  alert_id uuid NOT NULL,
  camera_id text NOT NULL,
  state text NOT NULL DEFAULT 'recording' CHECK (state IN ('recording', 'ready', 'failed')),
  from_ts timestamptz NOT NULL,
  to_ts timestamptz NOT NULL,
  file text,
  bytes bigint,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (alert_id, camera_id)
);
CREATE INDEX alert_clips_created ON alert_clips (created_at);

CREATE TABLE media_audit (
  id bigserial PRIMARY KEY,
  ts timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  camera_id text,
  alert_id uuid,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX media_audit_ts ON media_audit (ts DESC);
CREATE INDEX media_audit_alert ON media_audit (alert_id, ts DESC);
