-- Positions over time (README "Elderly-care terminals", *Positions over time*).
-- iot_position is now cut into daily partitions (UTC days, iot_position_yYYYYmMMdDD),
-- created ahead by iot_position_partitions_ensure(); the monthly partitions created before
-- (iot_position_yYYYYmMM) stay attached and valid: a day that a partition already covers is
-- skipped, so an existing database migrates without moving a row. Old days are downsampled
-- into iot_position_history (partitioned by month) by iot.retention.positions_retain.

-- The range partitions of a table and their bounds, read from the catalogue (so a month's
-- partition and a day's are handled alike; the default partition has no bounds).
CREATE OR REPLACE FUNCTION iot_partitions(parent regclass)
RETURNS TABLE (name text, lo timestamptz, hi timestamptz) LANGUAGE sql STABLE AS $$
    SELECT c.relname::text, b[1]::timestamptz, b[2]::timestamptz
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                    $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) b
    WHERE i.inhparent = parent AND b IS NOT NULL
    ORDER BY 2
$$;

-- One UTC day's partition, unless a partition (a month's) already covers part of it or a
-- detached table of that name still awaits retention (never recreated: its rows would be
-- archived twice). Fixes of that day waiting in the default partition are moved into it.
-- Returns the name created, or NULL.
CREATE OR REPLACE FUNCTION iot_position_day_partition(day date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    day_lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
    day_hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
    part text := format('iot_position_y%sm%sd%s', to_char(day, 'YYYY'), to_char(day, 'MM'), to_char(day, 'DD'));
BEGIN
    IF to_regclass(part) IS NOT NULL
       OR EXISTS (SELECT 1 FROM iot_partitions('iot_position') p WHERE p.lo < day_hi AND p.hi > day_lo) THEN
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE iot_position INCLUDING DEFAULTS)', part);
    EXECUTE format('WITH moved AS (DELETE FROM iot_position_default WHERE time >= %L AND time < %L RETURNING *) '
                   'INSERT INTO %I SELECT * FROM moved', day_lo, day_hi, part);
    EXECUTE format('ALTER TABLE iot_position ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, day_lo, day_hi);
    RETURN part;
END $$;

-- The downsampled history: what a track of an older day draws, and every fix around an
-- alert. Compact: no receipt time, course, battery, fix flag or format; no GiST index (no
-- spatial query reads it; the primary key serves track playback).
CREATE TABLE IF NOT EXISTS iot_position_history (
    terminal_id bigint NOT NULL,
    time timestamptz NOT NULL,
    geom geometry(Point, 4326),
    accuracy_m real,
    speed_kmh real,
    drawable boolean NOT NULL,
    flags text NOT NULL DEFAULT '',
    area_id bigint,
    zone text NOT NULL DEFAULT '',
    PRIMARY KEY (terminal_id, time)
) PARTITION BY RANGE (time);

-- A month's history partition (UTC months), iot_position_history_yYYYYmMM. Returns the
-- name created, or NULL if it exists.
CREATE OR REPLACE FUNCTION iot_position_history_partition(month date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    name text := format('iot_position_history_y%sm%s', to_char(first, 'YYYY'), to_char(first, 'MM'));
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF iot_position_history FOR VALUES FROM (%L) TO (%L)', name,
                   first::timestamp AT TIME ZONE 'UTC', (first + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    RETURN name;
END $$;

-- Yesterday, today and days_ahead days of positions; this month's and next month's history.
-- Called every hour by each ingester and by the worker's clock (iot.tasks); serialised by an
-- advisory lock, so concurrent callers do not race to create the same table.
DROP FUNCTION IF EXISTS iot_position_partitions_ensure();
CREATE OR REPLACE FUNCTION iot_position_partitions_ensure(days_ahead int DEFAULT 7, at timestamptz DEFAULT now())
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    today date := (at AT TIME ZONE 'UTC')::date;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('iot_position_partitions'));
    RETURN QUERY SELECT n FROM generate_series(-1, days_ahead) d, iot_position_day_partition(today + d) n
                 WHERE n IS NOT NULL;
    RETURN QUERY SELECT n FROM generate_series(0, 1) m,
                      iot_position_history_partition((date_trunc('month', today) + m * interval '1 month')::date) n
                 WHERE n IS NOT NULL;
END $$;

-- Monthly partitions made ahead by the old function and still empty give way to days (a
-- month's partition is far too big to drop or vacuum at a city's rate); those holding rows
-- stay as they are.
DO $$
DECLARE
    p record;
    used boolean;
BEGIN
    FOR p IN SELECT * FROM iot_partitions('iot_position') WHERE lo > now() AND hi - lo > interval '1 day' LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', p.name) INTO used;
        IF NOT used THEN
            EXECUTE format('DROP TABLE %I', p.name);
        END IF;
    END LOOP;
END $$;

SELECT iot_position_partitions_ensure();
