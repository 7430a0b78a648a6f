-- appt schema v49: how many times each table was changed
-- (docs/board.md#live). Every write transaction that changed a table adds
-- one to its row as it commits, so a reader that stays open (the board)
-- compares two readings and reads again only what they say moved. A
-- table never changed since has no row (0).
CREATE TABLE changes (
    name TEXT PRIMARY KEY NOT NULL,
    n    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
