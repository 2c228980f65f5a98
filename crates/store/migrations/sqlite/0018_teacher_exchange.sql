-- Teacher exchange from urban to rural schools (城区教师到农村学校交流轮岗, 三(三)): the county's
-- teacher list and the exchange assignments, each a whole list that a new import replaces.
-- Dates are the first and last day at the receiving school.
-- Keep it logically identical to migrations/postgres/0018.
CREATE TABLE teacher (
    id           INTEGER PRIMARY KEY,
    import_id    BIGINT NOT NULL REFERENCES import_batch (id),
    row_no       BIGINT NOT NULL,
    id_number    TEXT NOT NULL,
    name         TEXT NOT NULL,
    school_code  TEXT NOT NULL,
    staff_no     TEXT,
    stage        TEXT
);
CREATE UNIQUE INDEX teacher_person ON teacher (id_number);
CREATE TABLE teacher_exchange (
    id           INTEGER PRIMARY KEY,
    import_id    BIGINT NOT NULL REFERENCES import_batch (id),
    row_no       BIGINT NOT NULL,
    id_number    TEXT NOT NULL,
    name         TEXT NOT NULL,
    from_school  TEXT NOT NULL,
    to_school    TEXT NOT NULL,
    start_date   DATE NOT NULL,
    end_date     DATE NOT NULL,
    CHECK (from_school <> to_school),
    CHECK (end_date >= start_date)
);
CREATE INDEX teacher_exchange_person ON teacher_exchange (id_number, start_date);
