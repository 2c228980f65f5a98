-- Dropout control (控辍保学, 二(二)): the school-age population and the schools' attendance
-- returns that the scan compares with the registry, the scans, and the one-student-one-file
-- ledger (一生一案台账) with every event of each case.

-- 户籍适龄人口: the household-registration extract (replaced as a whole by each import).
CREATE TABLE resident (
    id             INTEGER PRIMARY KEY,
    import_id      BIGINT NOT NULL,
    row_no         BIGINT NOT NULL,
    id_number      TEXT NOT NULL,
    name           TEXT NOT NULL,
    sex            TEXT,
    township       TEXT NOT NULL,
    village        TEXT NOT NULL,
    household_no   TEXT NOT NULL,
    guardian       TEXT NOT NULL,
    guardian_phone TEXT NOT NULL,
    zone_school    TEXT,
    orphan         BOOLEAN NOT NULL,
    unsupported    BOOLEAN NOT NULL,
    left_behind    BOOLEAN NOT NULL,
    hardship       BOOLEAN NOT NULL,
    migrant        BOOLEAN NOT NULL
);
CREATE INDEX resident_person ON resident (id_number);

-- 在校学生名单: who each school reports as in school, per term (replaced term by term).
CREATE TABLE attendance (
    id          INTEGER PRIMARY KEY,
    import_id   BIGINT NOT NULL,
    term        TEXT NOT NULL,
    term_seq    BIGINT NOT NULL,
    row_no      BIGINT NOT NULL,
    school_code TEXT NOT NULL,
    id_number   TEXT NOT NULL,
    name        TEXT NOT NULL
);
CREATE INDEX attendance_term_person ON attendance (term_seq, id_number);

-- 比对: one row per scan, with what it found.
CREATE TABLE dropout_scan (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    as_of      DATE NOT NULL,
    term       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    population BIGINT NOT NULL DEFAULT 0,
    suspects   BIGINT NOT NULL DEFAULT 0,
    opened     BIGINT NOT NULL DEFAULT 0,
    refound    BIGINT NOT NULL DEFAULT 0,
    recheck    BIGINT NOT NULL DEFAULT 0
);

-- 一生一案: one row per case, its present state and what the moves recorded.
CREATE TABLE dropout_case (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id_number          TEXT NOT NULL,
    name               TEXT NOT NULL,
    sex                TEXT,
    birth_date         DATE,
    township           TEXT NOT NULL,
    village            TEXT NOT NULL,
    household_no       TEXT NOT NULL,
    guardian           TEXT NOT NULL,
    guardian_phone     TEXT NOT NULL,
    school_code        TEXT NOT NULL,
    reasons            TEXT NOT NULL,
    groups             TEXT NOT NULL,
    teacher            TEXT NOT NULL DEFAULT '',
    official           TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL,
    state_since        DATE NOT NULL,
    opened_on          DATE NOT NULL,
    opened_scan        BIGINT REFERENCES dropout_scan (id),
    last_scan          BIGINT REFERENCES dropout_scan (id),
    last_action_on     DATE,
    last_session_on    DATE,
    recheck            BOOLEAN NOT NULL DEFAULT FALSE,
    not_dropout_reason TEXT,
    evidence           TEXT NOT NULL DEFAULT '',
    elsewhere_school   TEXT NOT NULL DEFAULT '',
    returned_school    TEXT NOT NULL DEFAULT '',
    returned_on        DATE,
    plan_teacher       TEXT NOT NULL DEFAULT '',
    plan_frequency     TEXT NOT NULL DEFAULT '',
    plan_content       TEXT NOT NULL DEFAULT '',
    close_reason       TEXT NOT NULL DEFAULT ''
);
-- At most one open case per child: a re-scan cannot duplicate it, whatever the application does.
CREATE UNIQUE INDEX dropout_case_open ON dropout_case (id_number) WHERE state <> 'closed';
CREATE INDEX dropout_case_person ON dropout_case (id_number);
CREATE INDEX dropout_case_school ON dropout_case (school_code, id);

-- Every event of a case, in order: opened, moved, action recorded, people assigned, re-found.
CREATE TABLE case_event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     BIGINT NOT NULL REFERENCES dropout_case (id),
    at          TIMESTAMP NOT NULL,
    on_date     DATE NOT NULL,
    actor       TEXT NOT NULL,
    actor_level TEXT NOT NULL,
    kind        TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    action      TEXT,
    note        TEXT NOT NULL
);
CREATE INDEX case_event_case ON case_event (case_id, id);
