-- appt schema v44 for PostgreSQL: rooms and equipment (see the SQLite
-- migration of the same number). The guard is a trigger, counting as
-- SQLite's does: writers hold the advisory write lock, so no two count at
-- once; it raises SQLSTATE AR001, which the store answers RESOURCE_BUSY.
CREATE TABLE resources (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    clinic_id  TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
    name       TEXT COLLATE "C" NOT NULL,
    name_key   TEXT COLLATE "C" NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL CHECK (kind IN ('room', 'equipment')),
    capacity   BIGINT NOT NULL CHECK (capacity >= 1 AND capacity <= 1000),
    active     BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX resources_name ON resources(name_key);
-- A resource's own hours (`window add --resource`: then it is free only
-- within them, on their weekdays) and closures (`closure add --resource`).
CREATE TABLE resource_hours (
    id          TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    resource_id TEXT COLLATE "C" NOT NULL REFERENCES resources(id),
    weekdays    BIGINT NOT NULL CHECK (weekdays >= 1 AND weekdays <= 127),
    from_minute BIGINT NOT NULL CHECK (from_minute >= 0 AND from_minute < 1440),
    to_minute   BIGINT NOT NULL CHECK (to_minute > from_minute AND to_minute <= 1440)
);
CREATE INDEX resource_hours_resource ON resource_hours(resource_id);
CREATE TABLE resource_closures (
    id          TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    resource_id TEXT COLLATE "C" NOT NULL REFERENCES resources(id),
    from_date   TEXT COLLATE "C" NOT NULL,
    to_date     TEXT COLLATE "C" NOT NULL CHECK (to_date >= from_date),
    reason      TEXT COLLATE "C"
);
CREATE INDEX resource_closures_resource ON resource_closures(resource_id, to_date);
CREATE TABLE service_needs (
    service_id  TEXT COLLATE "C" NOT NULL REFERENCES services(id),
    grp         BIGINT NOT NULL,
    position    BIGINT NOT NULL,
    resource_id TEXT COLLATE "C" NOT NULL REFERENCES resources(id),
    PRIMARY KEY (service_id, grp, position)
);
CREATE INDEX service_needs_resource ON service_needs(resource_id);
CREATE TABLE appointment_resources (
    appointment_id TEXT COLLATE "C" NOT NULL REFERENCES appointments(id),
    grp            BIGINT NOT NULL,
    resource_id    TEXT COLLATE "C" NOT NULL REFERENCES resources(id),
    held_from      BIGINT NOT NULL,
    held_to        BIGINT NOT NULL,
    active         BIGINT NOT NULL,
    overbooked     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (appointment_id, grp)
);
CREATE INDEX appointment_resources_busy ON appointment_resources(resource_id, held_from, held_to)
    WHERE active = 1;
CREATE FUNCTION appt_resource_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.active = 1 AND NEW.overbooked = 0 AND (
        SELECT max((SELECT count(*) FROM appointment_resources o
                    WHERE o.resource_id = NEW.resource_id AND o.active = 1 AND o.overbooked = 0
                      AND o.held_from > p.t - 86400 AND o.held_from <= p.t AND o.held_to > p.t))
        FROM (SELECT NEW.held_from AS t
              UNION SELECT held_from FROM appointment_resources
              WHERE resource_id = NEW.resource_id AND active = 1 AND overbooked = 0
                AND held_from > NEW.held_from AND held_from < NEW.held_to) p
    ) > (SELECT capacity FROM resources WHERE id = NEW.resource_id) THEN
        RAISE EXCEPTION 'resource busy' USING ERRCODE = 'AR001';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER appointment_resources_guard AFTER INSERT OR UPDATE ON appointment_resources
    FOR EACH ROW EXECUTE FUNCTION appt_resource_guard();
