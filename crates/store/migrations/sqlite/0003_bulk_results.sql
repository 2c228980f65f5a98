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

-- The imported lists' rows likewise name their import batch without a foreign key: they are
-- written in bulk by the import transaction that made the batch (on PostgreSQL the check was a
-- per-row trigger that more than doubled the registry COPY: BENCHMARKS.md). Same check as above.
CREATE TABLE school_new (
    id             INTEGER PRIMARY KEY,
    import_id      BIGINT NOT NULL,
    row_no         BIGINT NOT NULL,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    is_public      BOOLEAN NOT NULL,
    township       TEXT NOT NULL,
    inclusive      BOOLEAN NOT NULL,
    approval_level TEXT NOT NULL,
    area           TEXT
);
INSERT INTO school_new (id, import_id, row_no, code, name, kind, is_public, township, inclusive, approval_level, area)
    SELECT id, import_id, row_no, code, name, kind, is_public, township, inclusive, approval_level, area FROM school;
DROP TABLE school;
ALTER TABLE school_new RENAME TO school;


CREATE TABLE student_new (
    id                      INTEGER PRIMARY KEY,
    import_id               BIGINT NOT NULL,
    row_no                  BIGINT NOT NULL,
    term                    TEXT NOT NULL,
    term_seq                BIGINT NOT NULL,
    id_number               TEXT NOT NULL,
    name                    TEXT NOT NULL,
    student_no              TEXT NOT NULL,
    school_code             TEXT NOT NULL,
    grade                   BIGINT NOT NULL,
    class_name              TEXT NOT NULL,
    boarding                BOOLEAN NOT NULL,
    special_class           BOOLEAN NOT NULL,
    regular_class_inclusion BOOLEAN NOT NULL,
    hukou                   TEXT,
    major                   TEXT NOT NULL,
    agri_major              BOOLEAN NOT NULL,
    full_time               BOOLEAN NOT NULL,
    status                  TEXT NOT NULL,
    difficulty              TEXT NOT NULL,
    birth_date              DATE,
    sex                     TEXT
);
INSERT INTO student_new (id, import_id, row_no, term, term_seq, id_number, name, student_no, school_code, grade, class_name, boarding, special_class, regular_class_inclusion, hukou, major, agri_major, full_time, status, difficulty, birth_date, sex)
    SELECT id, import_id, row_no, term, term_seq, id_number, name, student_no, school_code, grade, class_name, boarding, special_class, regular_class_inclusion, hukou, major, agri_major, full_time, status, difficulty, birth_date, sex FROM student;
DROP TABLE student;
ALTER TABLE student_new RENAME TO student;
CREATE INDEX student_term_key ON student (term_seq, id);
CREATE INDEX student_person ON student (id_number, term_seq);

CREATE TABLE poor_member_new (
    id           INTEGER PRIMARY KEY,
    import_id    BIGINT NOT NULL,
    row_no       BIGINT NOT NULL,
    household_no TEXT NOT NULL,
    id_number    TEXT NOT NULL,
    name         TEXT NOT NULL,
    relation     TEXT NOT NULL,
    status       TEXT NOT NULL,
    exit_year    BIGINT,
    township     TEXT NOT NULL,
    village      TEXT NOT NULL
);
INSERT INTO poor_member_new (id, import_id, row_no, household_no, id_number, name, relation, status, exit_year, township, village)
    SELECT id, import_id, row_no, household_no, id_number, name, relation, status, exit_year, township, village FROM poor_member;
DROP TABLE poor_member;
ALTER TABLE poor_member_new RENAME TO poor_member;
CREATE INDEX poor_member_person ON poor_member (id_number);

CREATE TABLE assistance_new (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    import_id  BIGINT NOT NULL,
    row_no     BIGINT NOT NULL,
    id_number  TEXT NOT NULL,
    name       TEXT NOT NULL,
    area       TEXT NOT NULL,
    valid_from DATE,
    valid_to   DATE
);
INSERT INTO assistance_new (id, kind, import_id, row_no, id_number, name, area, valid_from, valid_to)
    SELECT id, kind, import_id, row_no, id_number, name, area, valid_from, valid_to FROM assistance;
DROP TABLE assistance;
ALTER TABLE assistance_new RENAME TO assistance;
CREATE INDEX assistance_kind ON assistance (kind, id);
CREATE INDEX assistance_person ON assistance (id_number);

CREATE TABLE disabled_person_new (
    id             INTEGER PRIMARY KEY,
    import_id      BIGINT NOT NULL,
    row_no         BIGINT NOT NULL,
    id_number      TEXT NOT NULL,
    name           TEXT NOT NULL,
    certificate_no TEXT NOT NULL,
    category       TEXT NOT NULL,
    grade          BIGINT
);
INSERT INTO disabled_person_new (id, import_id, row_no, id_number, name, certificate_no, category, grade)
    SELECT id, import_id, row_no, id_number, name, certificate_no, category, grade FROM disabled_person;
DROP TABLE disabled_person;
ALTER TABLE disabled_person_new RENAME TO disabled_person;
CREATE INDEX disabled_person_person ON disabled_person (id_number);

CREATE TABLE college_admission_new (
    id               INTEGER PRIMARY KEY,
    import_id        BIGINT NOT NULL,
    row_no           BIGINT NOT NULL,
    id_number        TEXT NOT NULL,
    name             TEXT NOT NULL,
    exam_no          TEXT NOT NULL,
    college          TEXT NOT NULL,
    college_province TEXT NOT NULL,
    year             BIGINT NOT NULL
);
INSERT INTO college_admission_new (id, import_id, row_no, id_number, name, exam_no, college, college_province, year)
    SELECT id, import_id, row_no, id_number, name, exam_no, college, college_province, year FROM college_admission;
DROP TABLE college_admission;
ALTER TABLE college_admission_new RENAME TO college_admission;
CREATE INDEX college_admission_year ON college_admission (year, id);
CREATE INDEX college_admission_person ON college_admission (id_number);
