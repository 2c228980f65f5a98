-- Post-exit recheck monitoring (脱贫成果回查监测, 四(二)): each gap a recheck of a term finds for a
-- child of a registered-poor household — not accounted for, in school with no aid, or a line not
-- paid — kept until a later recheck no longer finds it (整改 with its dates); what was done about
-- it may be noted meanwhile.
-- Keep it logically identical to migrations/postgres/0015.
CREATE TABLE recheck_gap (
    id            INTEGER PRIMARY KEY,
    term          TEXT NOT NULL,
    term_seq      BIGINT NOT NULL,
    household_no  TEXT NOT NULL,
    id_number     TEXT NOT NULL,
    name          TEXT NOT NULL,
    township      TEXT NOT NULL,
    school_code   TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('not_accounted_for', 'no_aid', 'unpaid')),
    detail        TEXT NOT NULL,
    found_at      TIMESTAMP NOT NULL,
    found_by      TEXT NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL,
    action_note   TEXT NOT NULL,
    action_at     TIMESTAMP,
    action_by     TEXT,
    rectified_at  TIMESTAMP
);
-- One open gap of a kind and detail per child and term.
CREATE UNIQUE INDEX recheck_gap_open ON recheck_gap (term_seq, id_number, kind, detail)
    WHERE rectified_at IS NULL;
CREATE INDEX recheck_gap_term ON recheck_gap (term_seq, township, household_no);
