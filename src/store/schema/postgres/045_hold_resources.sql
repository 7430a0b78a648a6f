-- appt schema v45: a booking page's hold keeps the rooms and equipment its
-- visit would get (docs/rules.md#holds), as it keeps its doctor's time: one
-- of each group, the time it would hold (buffers included). The hold's own
-- `until` says whether it is live; a hold ended or booked takes its rows
-- with it.
CREATE TABLE hold_resources (
    hold_id     TEXT COLLATE "C" NOT NULL REFERENCES holds(id) ON DELETE CASCADE,
    grp         BIGINT NOT NULL,
    resource_id TEXT COLLATE "C" NOT NULL REFERENCES resources(id),
    held_from   BIGINT NOT NULL,
    held_to     BIGINT NOT NULL,
    PRIMARY KEY (hold_id, grp)
);
CREATE INDEX hold_resources_busy ON hold_resources(resource_id, held_from);
-- The index a day's rooms are read from holds what that read asks for (the
-- visit's ID too), so the read never leaves it for the table's rows.
DROP INDEX appointment_resources_busy;
CREATE INDEX appointment_resources_busy
    ON appointment_resources(resource_id, held_from, held_to, appointment_id) WHERE active = 1;
