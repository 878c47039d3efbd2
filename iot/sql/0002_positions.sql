-- Positions, partitioned by month on the fix time (iot.models.Position). A fix is
-- identified by (terminal, time): a message delivered twice is stored once. Fixes far in
-- the past or future land in the default partition; iot_position_partition() creates a
-- month's partition, moving any such rows into it first.

CREATE TABLE IF NOT EXISTS iot_position (
    terminal_id bigint NOT NULL,
    time timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    geom geometry(Point, 4326),
    accuracy_m real,
    speed_kmh real,
    course real,
    battery smallint,
    gps_fix boolean NOT NULL,
    drawable boolean NOT NULL,
    flags text NOT NULL DEFAULT '',
    area_id bigint,
    zone text NOT NULL DEFAULT '',
    format text NOT NULL,
    PRIMARY KEY (terminal_id, time)
) PARTITION BY RANGE (time);

CREATE INDEX IF NOT EXISTS iot_position_geom_idx ON iot_position USING gist (geom);
CREATE TABLE IF NOT EXISTS iot_position_default PARTITION OF iot_position DEFAULT;

CREATE OR REPLACE FUNCTION iot_position_partition(month date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    next date := (date_trunc('month', month) + interval '1 month')::date;
    name text := format('iot_position_y%sm%s', to_char(first, 'YYYY'), to_char(first, 'MM'));
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN name;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE iot_position INCLUDING DEFAULTS)', name);
    EXECUTE format('WITH moved AS (DELETE FROM iot_position_default WHERE time >= %L AND time < %L RETURNING *) '
                   'INSERT INTO %I SELECT * FROM moved', first, next, name);
    EXECUTE format('ALTER TABLE iot_position ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, first, next);
    RETURN name;
END $$;

-- This month, the one before and two ahead; the ingester calls it again every day.
CREATE OR REPLACE FUNCTION iot_position_partitions_ensure() RETURNS void LANGUAGE sql AS $$
    SELECT iot_position_partition((date_trunc('month', now()) + m * interval '1 month')::date)
    FROM generate_series(-1, 2) m;
$$;

SELECT iot_position_partitions_ensure();
