-- Time-series plumbing on TimescaleDB: hypertables with 1-day chunks, compression and retention policies,
-- continuous aggregates. Same function names as the plain PostgreSQL variant, so later migrations and the
-- application's SQL are the same on both.

CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE gw_timeseries (
  tbl text PRIMARY KEY,
  time_col text NOT NULL,
  retention interval NOT NULL DEFAULT interval '90 days'
);

CREATE TABLE gw_rollups (name text PRIMARY KEY, refreshed_at timestamptz);

CREATE FUNCTION gw_backend() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'timescaledb'::text $$;

CREATE FUNCTION gw_create_timeseries(tbl text, columns text, time_col text DEFAULT 'ts') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE %I (%s)', tbl, columns);
  PERFORM create_hypertable(tbl::regclass, by_range(time_col, interval '1 day'));
  EXECUTE format('ALTER TABLE %I SET (timescaledb.compress, timescaledb.compress_orderby = %L)', tbl, time_col || ' DESC');
  PERFORM add_compression_policy(tbl::regclass, interval '7 days');
  PERFORM add_retention_policy(tbl::regclass, interval '90 days');
  INSERT INTO gw_timeseries (tbl, time_col) VALUES (tbl, time_col);
END $$;

-- Chunks are created by TimescaleDB itself.
CREATE FUNCTION gw_ensure_partitions(tbl text, from_ts timestamptz, to_ts timestamptz) RETURNS int
LANGUAGE sql AS $$ SELECT 0 $$;

CREATE FUNCTION gw_apply_retention(tbl text, now_ts timestamptz DEFAULT now()) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  keep interval;
  n int;
BEGIN
  SELECT retention INTO keep FROM gw_timeseries WHERE gw_timeseries.tbl = gw_apply_retention.tbl;
  SELECT count(*) INTO n FROM drop_chunks(tbl::regclass, older_than => now_ts - keep);
  RETURN n;
END $$;

CREATE FUNCTION gw_set_retention(tbl text, keep interval) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE gw_timeseries SET retention = keep WHERE gw_timeseries.tbl = gw_set_retention.tbl;
  PERFORM remove_retention_policy(tbl::regclass, if_exists => true);
  PERFORM add_retention_policy(tbl::regclass, keep);
END $$;

CREATE FUNCTION gw_create_rollup(name text, query text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE MATERIALIZED VIEW %I WITH (timescaledb.continuous) AS %s WITH NO DATA', name, query);
  PERFORM add_continuous_aggregate_policy(name::regclass, start_offset => interval '3 days',
                                          end_offset => interval '1 hour', schedule_interval => interval '30 minutes');
  INSERT INTO gw_rollups (name) VALUES (name);
END $$;

-- refresh_continuous_aggregate is a procedure that cannot run inside a function: the maintenance
-- repository CALLs it directly on this backend. This function only records the time.
CREATE FUNCTION gw_refresh_rollup(name text) RETURNS void
LANGUAGE sql AS $$ UPDATE gw_rollups SET refreshed_at = now() WHERE gw_rollups.name = gw_refresh_rollup.name $$;
