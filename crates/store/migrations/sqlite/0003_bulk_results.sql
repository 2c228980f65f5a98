-- Compute results are written in bulk (millions of rows at province scale) by the one transaction
-- that inserted their compute_run row, with the run id and import ids it has just read; compute_run
-- and import_batch rows are never deleted. PostgreSQL checked each of those foreign keys with a
-- query per written row (BENCHMARKS.md, 2026-11-30), so they are dropped there and, to keep one
-- schema, here too; the store's tests check that every result row names an existing run.
-- SQLite cannot drop a constraint: the three tables are rebuilt (nothing references them).
CREATE TABLE category_new (
    id        INTEGER PRIMARY KEY,
    run_id    BIGINT NOT NULL,
    term      TEXT NOT NULL,
    term_seq  BIGINT NOT NULL,
    id_number TEXT NOT NULL,
    category  TEXT NOT NULL,
    list_kind TEXT NOT NULL,
    import_id BIGINT NOT NULL,
    row_no    BIGINT NOT NULL,
    detail    TEXT NOT NULL
);
INSERT INTO category_new SELECT id, run_id, term, term_seq, id_number, category, list_kind,
    import_id, row_no, detail FROM category;
DROP TABLE category;
ALTER TABLE category_new RENAME TO category;
CREATE INDEX category_term_person ON category (term_seq, id_number);

-- One index, not two, both keeps one line per student, term and program and finds a person's
-- lines (explain): the unique key now leads with the ID number, then the term's number, which
-- every per-person query gives (with the term's text there, SQLite without statistics chose the
-- term's index instead and read the whole term: 0.7 s per explain at 10 M students).
CREATE TABLE entitlement_new (
    id           INTEGER PRIMARY KEY,
    run_id       BIGINT NOT NULL,
    term         TEXT NOT NULL,
    term_seq     BIGINT NOT NULL,
    id_number    TEXT NOT NULL,
    name         TEXT NOT NULL,
    student_no   TEXT NOT NULL,
    school_code  TEXT NOT NULL,
    program      TEXT NOT NULL,
    program_name TEXT NOT NULL,
    clause       TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL,
    payee        TEXT NOT NULL,
    facts        TEXT NOT NULL,
    CONSTRAINT entitlement_person_term_program UNIQUE (id_number, term_seq, program)
);
INSERT INTO entitlement_new SELECT id, run_id, term, term_seq, id_number, name, student_no,
    school_code, program, program_name, clause, amount_fen, payee, facts FROM entitlement;
DROP TABLE entitlement;
ALTER TABLE entitlement_new RENAME TO entitlement;
CREATE INDEX entitlement_term_key ON entitlement (term_seq, id);
CREATE INDEX entitlement_program_term ON entitlement (program, term_seq);

CREATE TABLE quality_issue_new (
    id          INTEGER PRIMARY KEY,
    run_id      BIGINT NOT NULL,
    term        TEXT NOT NULL,
    term_seq    BIGINT NOT NULL,
    code        TEXT NOT NULL,
    id_number   TEXT,
    school_code TEXT,
    source      TEXT NOT NULL,
    detail      TEXT NOT NULL
);
INSERT INTO quality_issue_new SELECT id, run_id, term, term_seq, code, id_number, school_code,
    source, detail FROM quality_issue;
DROP TABLE quality_issue;
ALTER TABLE quality_issue_new RENAME TO quality_issue;
CREATE INDEX quality_issue_term ON quality_issue (term_seq, id);
