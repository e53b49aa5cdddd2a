-- 004's fix again: 004 was committed after 200–300, and postgrator never runs a version below the highest
-- applied, so databases created in between lack it. CREATE OR REPLACE makes applying it twice harmless.
CREATE OR REPLACE FUNCTION gw_ensure_partitions(tbl text, from_ts timestamptz, to_ts timestamptz) RETURNS int
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
      BEGIN
        lo := day::timestamp AT TIME ZONE 'UTC';
        hi := (day + 1)::timestamp AT TIME ZONE 'UTC';
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, tbl);
        EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
                       tbl || '_default', col, col, part) USING lo, hi;
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', tbl, part, lo, hi);
        created := created + 1;
      EXCEPTION WHEN duplicate_table THEN
        NULL;
      END;
    END IF;
    day := day + 1;
  END LOOP;
  RETURN created;
END $$;
