-- appt schema v44: rooms and equipment (docs/rules.md#rooms-and-equipment).
-- A resource belongs to a clinic; its name is unique among the resources
-- (as a service's is). A service needs one resource of each of its groups
-- (`service_needs`, a group's resources in the order listed); a visit keeps
-- the resource it was given of each group (`appointment_resources`) with
-- the time it holds (buffers included) and whether it is active, which the
-- store keeps with the appointment's own.
CREATE TABLE resources (
    id         TEXT PRIMARY KEY NOT NULL,
    clinic_id  TEXT NOT NULL REFERENCES clinics(id),
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('room', 'equipment')),
    capacity   INTEGER NOT NULL CHECK (capacity >= 1 AND capacity <= 1000),
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX resources_name ON resources(name_key);
-- A resource's own hours (`window add --resource`: then it is free only
-- within them, on their weekdays) and closures (`closure add --resource`).
CREATE TABLE resource_hours (
    id          TEXT PRIMARY KEY NOT NULL,
    resource_id TEXT NOT NULL REFERENCES resources(id),
    weekdays    INTEGER NOT NULL CHECK (weekdays >= 1 AND weekdays <= 127),
    from_minute INTEGER NOT NULL CHECK (from_minute >= 0 AND from_minute < 1440),
    to_minute   INTEGER NOT NULL CHECK (to_minute > from_minute AND to_minute <= 1440)
) STRICT;
CREATE INDEX resource_hours_resource ON resource_hours(resource_id);
CREATE TABLE resource_closures (
    id          TEXT PRIMARY KEY NOT NULL,
    resource_id TEXT NOT NULL REFERENCES resources(id),
    from_date   TEXT NOT NULL,
    to_date     TEXT NOT NULL CHECK (to_date >= from_date),
    reason      TEXT
) STRICT;
CREATE INDEX resource_closures_resource ON resource_closures(resource_id, to_date);
CREATE TABLE service_needs (
    service_id  TEXT NOT NULL REFERENCES services(id),
    grp         INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    resource_id TEXT NOT NULL REFERENCES resources(id),
    PRIMARY KEY (service_id, grp, position)
) STRICT;
CREATE INDEX service_needs_resource ON service_needs(resource_id);
-- `overbooked`: given past its capacity by `book --overbook
-- --overbook-resource` (the appointment's `overbooked` audits it); the
-- guard leaves such a row out.
CREATE TABLE appointment_resources (
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    grp            INTEGER NOT NULL,
    resource_id    TEXT NOT NULL REFERENCES resources(id),
    held_from      INTEGER NOT NULL,
    held_to        INTEGER NOT NULL,
    active         INTEGER NOT NULL,
    overbooked     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (appointment_id, grp)
) STRICT;
CREATE INDEX appointment_resources_busy ON appointment_resources(resource_id, held_from, held_to)
    WHERE active = 1;
-- The database's own guard: an active visit's resource never holds more
-- visits at once than its capacity. At each instant a held time starts
-- within the new one, the visits holding the resource are counted; no held
-- time is longer than a day (8 hours and two 4-hour buffers), which bounds
-- the index range. RAISE(ABORT) is SQLite's SQLITE_CONSTRAINT_TRIGGER, which
-- the store answers RESOURCE_BUSY (no other trigger exists).
CREATE TRIGGER appointment_resources_insert AFTER INSERT ON appointment_resources
WHEN NEW.active = 1 AND NEW.overbooked = 0 AND (
    SELECT max((SELECT count(*) FROM appointment_resources o
                WHERE o.resource_id = NEW.resource_id AND o.active = 1 AND o.overbooked = 0
                  AND o.held_from > p.t - 86400 AND o.held_from <= p.t AND o.held_to > p.t))
    FROM (SELECT NEW.held_from AS t
          UNION SELECT held_from FROM appointment_resources
          WHERE resource_id = NEW.resource_id AND active = 1 AND overbooked = 0
            AND held_from > NEW.held_from AND held_from < NEW.held_to) p
) > (SELECT capacity FROM resources WHERE id = NEW.resource_id)
BEGIN
    SELECT RAISE(ABORT, 'resource busy');
END;
CREATE TRIGGER appointment_resources_update AFTER UPDATE ON appointment_resources
WHEN NEW.active = 1 AND NEW.overbooked = 0 AND (
    SELECT max((SELECT count(*) FROM appointment_resources o
                WHERE o.resource_id = NEW.resource_id AND o.active = 1 AND o.overbooked = 0
                  AND o.held_from > p.t - 86400 AND o.held_from <= p.t AND o.held_to > p.t))
    FROM (SELECT NEW.held_from AS t
          UNION SELECT held_from FROM appointment_resources
          WHERE resource_id = NEW.resource_id AND active = 1 AND overbooked = 0
            AND held_from > NEW.held_from AND held_from < NEW.held_to) p
) > (SELECT capacity FROM resources WHERE id = NEW.resource_id)
BEGIN
    SELECT RAISE(ABORT, 'resource busy');
END;
