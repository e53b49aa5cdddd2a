-- Event tables: hypertables on TimescaleDB, daily partitions elsewhere (gw_create_timeseries, see 001).
-- Each row carries its event id; the primary key includes the time column, as both backends require,
-- and writes use ON CONFLICT DO NOTHING so a replayed event is stored once.

SELECT gw_create_timeseries('door_events', $$
  event_id uuid NOT NULL,
  ts timestamptz NOT NULL,
  property_id text NOT NULL,
  door_id text NOT NULL,
  type text NOT NULL,
  direction text,
  credential_kind text,
  credential_id text,
  person_id text,
  image_path text,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, ts)
$$);
CREATE INDEX door_events_property_ts ON door_events (property_id, ts DESC);
CREATE INDEX door_events_door_ts ON door_events (door_id, ts DESC);

SELECT gw_create_timeseries('camera_health', $$
  sample_id uuid NOT NULL,
  ts timestamptz NOT NULL,
  camera_id text NOT NULL,
  kind text NOT NULL,
  reachable boolean NOT NULL,
  latency_ms real,
  error_class text,
  error text,
  stream jsonb,
  PRIMARY KEY (sample_id, ts)
$$);
CREATE INDEX camera_health_camera_ts ON camera_health (camera_id, ts DESC);

SELECT gw_create_timeseries('camera_events', $$
  event_id uuid NOT NULL,
  ts timestamptz NOT NULL,
  camera_id text NOT NULL,
  kind text NOT NULL,
  topic text,
  snapshot_path text,
  PRIMARY KEY (event_id, ts)
$$);
CREATE INDEX camera_events_camera_ts ON camera_events (camera_id, ts DESC);

SELECT gw_create_timeseries('face_matches', $$
  match_id uuid NOT NULL,
  ts timestamptz NOT NULL,
  capture_id uuid NOT NULL,
  person_id text NOT NULL,
  watchlist_id text NOT NULL,
  distance real NOT NULL,
  crop_path text,
  camera_id text,
  property_id text,
  door_id text,
  PRIMARY KEY (match_id, ts)
$$);
CREATE INDEX face_matches_person_ts ON face_matches (person_id, ts DESC);

-- Hourly rollups: continuous aggregates on TimescaleDB, materialized views elsewhere.
SELECT gw_create_rollup('camera_uptime_hourly', $$
  SELECT time_bucket(interval '1 hour', ts) AS bucket, camera_id,
         count(*) AS samples,
         count(*) FILTER (WHERE reachable) AS reachable_samples,
         avg(latency_ms) AS avg_latency_ms
  FROM camera_health WHERE kind = 'heartbeat'
  GROUP BY 1, 2
$$);

SELECT gw_create_rollup('door_events_hourly', $$
  SELECT time_bucket(interval '1 hour', ts) AS bucket, property_id, door_id, type, count(*) AS events
  FROM door_events
  GROUP BY 1, 2, 3, 4
$$);
