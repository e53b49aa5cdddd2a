-- Time-series plumbing for plain PostgreSQL (and the embedded PGlite): daily range partitions kept by the
-- app, rollups as materialized views refreshed by the app, and a time_bucket shim. The TimescaleDB
-- variant of this file defines the same functions on hypertables and continuous aggregates.

CREATE TABLE gw_timeseries (
  tbl text PRIMARY KEY,
  time_col text NOT NULL,
  retention interval NOT NULL DEFAULT interval '90 days'
);

CREATE TABLE gw_rollups (name text PRIMARY KEY, refreshed_at timestamptz);

-- Same results as TimescaleDB's time_bucket for fixed intervals (origin 2000-01-03, a Monday).
CREATE FUNCTION time_bucket(bucket interval, ts timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT date_bin(bucket, ts, timestamptz '2000-01-03 00:00:00+00') $$;

CREATE FUNCTION gw_backend() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'postgres'::text $$;

-- Creates an event table partitioned by day on time_col, with a default partition as a safety net.
CREATE FUNCTION gw_create_timeseries(tbl text, columns text, time_col text DEFAULT 'ts') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE %I (%s) PARTITION BY RANGE (%I)', tbl, columns, time_col);
  EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', tbl || '_default', tbl);
  INSERT INTO gw_timeseries (tbl, time_col) VALUES (tbl, time_col);
END $$;

-- Makes sure a daily partition exists for every day from from_ts to to_ts. Rows that landed in the default
-- partition for such a day are moved into the new partition first (ATTACH would refuse otherwise).
CREATE FUNCTION gw_ensure_partitions(tbl text, from_ts timestamptz, to_ts timestamptz) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  day date := (from_ts AT TIME ZONE 'UTC')::date;
  last date := (to_ts AT TIME ZONE 'UTC')::date;
  part text;
  lo timestamptz;
  hi timestamptz;
  col text;
  created int := 0;
BEGIN
  SELECT time_col INTO col FROM gw_timeseries WHERE gw_timeseries.tbl = gw_ensure_partitions.tbl;
  IF col IS NULL THEN RAISE EXCEPTION 'unknown time-series table %', tbl; END IF;
  WHILE day <= last LOOP
    part := tbl || '_p' || to_char(day, 'YYYYMMDD');
    IF to_regclass(part) IS NULL THEN
      PERFORM pg_advisory_xact_lock(hashtext(tbl));
      IF to_regclass(part) IS NULL THEN
        lo := day::timestamp AT TIME ZONE 'UTC';
        hi := (day + 1)::timestamp AT TIME ZONE 'UTC';
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, tbl);
        EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
                       tbl || '_default', col, col, part) USING lo, hi;
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', tbl, part, lo, hi);
        created := created + 1;
      END IF;
    END IF;
    day := day + 1;
  END LOOP;
  RETURN created;
END $$;

-- Drops whole days older than the table's retention; returns how many partitions went.
CREATE FUNCTION gw_apply_retention(tbl text, now_ts timestamptz DEFAULT now()) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  keep interval;
  col text;
  cutoff timestamptz;
  r record;
  dropped int := 0;
BEGIN
  SELECT retention, time_col INTO keep, col FROM gw_timeseries WHERE gw_timeseries.tbl = gw_apply_retention.tbl;
  cutoff := now_ts - keep;
  FOR r IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = tbl::regclass AND c.relname ~ '_p\d{8}$'
      AND ((to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC') <= cutoff
  LOOP
    EXECUTE format('DROP TABLE %I', r.relname);
    dropped := dropped + 1;
  END LOOP;
  EXECUTE format('DELETE FROM %I WHERE %I < $1', tbl || '_default', col) USING cutoff;
  RETURN dropped;
END $$;

CREATE FUNCTION gw_set_retention(tbl text, keep interval) RETURNS void
LANGUAGE sql AS $$ UPDATE gw_timeseries SET retention = keep WHERE gw_timeseries.tbl = gw_set_retention.tbl $$;

CREATE FUNCTION gw_create_rollup(name text, query text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE MATERIALIZED VIEW %I AS %s WITH NO DATA', name, query);
  INSERT INTO gw_rollups (name) VALUES (name);
END $$;

CREATE FUNCTION gw_refresh_rollup(name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('REFRESH MATERIALIZED VIEW %I', name);
  UPDATE gw_rollups SET refreshed_at = now() WHERE gw_rollups.name = gw_refresh_rollup.name;
END $$;
