-- Roster approval (资助名单审核): each school's sign-off steps per term, and the county's lock.
-- Keep it logically identical to migrations/postgres/0008.

-- 学校确认 / 乡镇审核 / 退回: one row a step, never updated; a school's status is its latest row,
-- and counts only for the run it was taken on.
CREATE TABLE roster_signoff (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    term        TEXT NOT NULL,
    term_seq    BIGINT NOT NULL,
    school_code TEXT NOT NULL,
    step        TEXT NOT NULL,
    run_id      BIGINT NOT NULL REFERENCES compute_run (id),
    actor       TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    note        TEXT NOT NULL
);
CREATE INDEX roster_signoff_term ON roster_signoff (term_seq, school_code, id);

-- 县级审批锁定: one lock a term (the unique constraint, not only code); a locked term is not
-- recomputed (begin_compute refuses it).
CREATE TABLE roster_lock (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    term     TEXT NOT NULL,
    term_seq BIGINT NOT NULL UNIQUE,
    run_id   BIGINT NOT NULL REFERENCES compute_run (id),
    actor    TEXT NOT NULL,
    at       TIMESTAMP NOT NULL,
    note     TEXT NOT NULL
);
