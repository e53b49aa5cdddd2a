-- Faces: watch lists and their enrolled persons with embeddings, faces that matched nobody (kept for
-- RETENTION_FACES only), and the audit log of who looked at which face match.

-- level: wanted (police), banned (a property's), residents (a property's own people, for credential checks).
-- Owner scope: city (scope_id NULL), district or property; district_id is the owner's district either way.
CREATE TABLE watchlists (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  level text NOT NULL CHECK (level IN ('wanted', 'banned', 'residents')),
  scope_kind text NOT NULL CHECK (scope_kind IN ('city', 'district', 'property')),
  scope_id text,
  district_id text,
  property_id text,
  threshold real CHECK (threshold > 0 AND threshold < 2),
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((scope_kind = 'city') = (scope_id IS NULL))
);
CREATE INDEX watchlists_district ON watchlists (district_id);
CREATE INDEX watchlists_property ON watchlists (property_id);

CREATE TABLE watchlist_persons (
  id uuid PRIMARY KEY,
  watchlist_id uuid NOT NULL REFERENCES watchlists(id) ON DELETE CASCADE,
  name text NOT NULL,
  -- The person id door credentials carry (residents), so a door capture can be checked against the card holder.
  external_id text,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX watchlist_persons_list ON watchlist_persons (watchlist_id);
CREATE INDEX watchlist_persons_external ON watchlist_persons (external_id) WHERE external_id IS NOT NULL;

-- One row per enrolment photo: the 128-d descriptor as face-api computes it (normalised when indexed).
CREATE TABLE face_embeddings (
  id bigserial PRIMARY KEY,
  person_id uuid NOT NULL REFERENCES watchlist_persons(id) ON DELETE CASCADE,
  descriptor real[] NOT NULL CHECK (cardinality(descriptor) = 128),
  crop_path text,
  face_width real,
  sharpness real,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX face_embeddings_person ON face_embeddings (person_id);

-- Faces of people who are on no list, kept briefly (evidence for credential mismatches) and then deleted.
CREATE TABLE face_sightings (
  id uuid PRIMARY KEY,
  ts timestamptz NOT NULL,
  capture_id uuid NOT NULL,
  descriptor real[] NOT NULL,
  crop_path text,
  camera_id text,
  property_id text,
  door_id text
);
CREATE INDEX face_sightings_ts ON face_sightings (ts);

CREATE TABLE face_audit (
  id bigserial PRIMARY KEY,
  ts timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  match_id uuid,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX face_audit_match ON face_audit (match_id, ts DESC);
CREATE INDEX face_audit_ts ON face_audit (ts DESC);

-- Where a match happened, so district-scoped users see city-list matches in their own district.
ALTER TABLE face_matches ADD COLUMN district_id text;
