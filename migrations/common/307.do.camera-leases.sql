-- Cameras shared between ingest instances. Each instance holds one lease (instance_leases) that it renews in one
-- UPDATE every CAMERA_LEASE_RENEW; a camera (camera_watchers) or a network's WS-Discovery probing
-- (discovery_probers) belongs to the instance named in its row while that instance's lease has not expired
-- (database time, so hosts' clocks do not matter). One renewal per instance keeps 50,000 cameras cheap: no row per
-- camera is touched unless it changes hands.
CREATE TABLE instance_leases (
  instance text PRIMARY KEY,
  service text NOT NULL,
  -- The process now running under this name: a restart takes its name (and its cameras) over at once; the older
  -- process, if still alive, sees the change at its next renewal and lets go.
  incarnation text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  renewed_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

CREATE TABLE camera_watchers (
  camera_id text PRIMARY KEY REFERENCES cameras (id) ON DELETE CASCADE,
  instance text NOT NULL REFERENCES instance_leases (instance) ON DELETE CASCADE,
  since timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX camera_watchers_instance ON camera_watchers (instance);

CREATE TABLE discovery_probers (
  network text PRIMARY KEY,
  instance text NOT NULL REFERENCES instance_leases (instance) ON DELETE CASCADE,
  since timestamptz NOT NULL DEFAULT now()
);
