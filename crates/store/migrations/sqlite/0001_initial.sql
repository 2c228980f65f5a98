-- zizhu schema, SQLite dialect. Keep it logically identical to migrations/postgres/0001_initial.sql:
-- same tables, columns, constraints and indexes; only the type names and the trigger syntax differ.
-- Money is integer fen (BIGINT), dates are DATE ('YYYY-MM-DD'), timestamps are UTC.
-- Enums are stored as their English key() strings. `term` is the display form ('2023-autumn');
-- `term_seq` = year * 2 + (0 spring, 1 autumn) orders terms chronologically.

-- One row per imported file (导入批次). Every list row keeps the import_id and its row number.
CREATE TABLE import_batch (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    term          TEXT,
    actor         TEXT NOT NULL,
    imported_at   TIMESTAMP NOT NULL,
    row_count     BIGINT NOT NULL DEFAULT 0,
    warning_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX import_batch_kind_sha ON import_batch (kind, sha256);

-- 学校
CREATE TABLE school (
    id             INTEGER PRIMARY KEY,
    import_id      BIGINT NOT NULL REFERENCES import_batch (id),
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

-- 学籍, one row per student per term.
CREATE TABLE student (
    id                      INTEGER PRIMARY KEY,
    import_id               BIGINT NOT NULL REFERENCES import_batch (id),
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
CREATE INDEX student_term_key ON student (term_seq, id);
CREATE INDEX student_person ON student (id_number, term_seq);

-- 建档立卡（脱贫户）成员
CREATE TABLE poor_member (
    id           INTEGER PRIMARY KEY,
    import_id    BIGINT NOT NULL REFERENCES import_batch (id),
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
CREATE INDEX poor_member_person ON poor_member (id_number);

-- 低保 / 特困供养 / 城镇困难家庭, told apart by `kind` (the ListKind key).
CREATE TABLE assistance (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    import_id  BIGINT NOT NULL REFERENCES import_batch (id),
    row_no     BIGINT NOT NULL,
    id_number  TEXT NOT NULL,
    name       TEXT NOT NULL,
    area       TEXT NOT NULL,
    valid_from DATE,
    valid_to   DATE
);
CREATE INDEX assistance_kind ON assistance (kind, id);
CREATE INDEX assistance_person ON assistance (id_number);

-- 残疾人
CREATE TABLE disabled_person (
    id             INTEGER PRIMARY KEY,
    import_id      BIGINT NOT NULL REFERENCES import_batch (id),
    row_no         BIGINT NOT NULL,
    id_number      TEXT NOT NULL,
    name           TEXT NOT NULL,
    certificate_no TEXT NOT NULL,
    category       TEXT NOT NULL,
    grade          BIGINT
);
CREATE INDEX disabled_person_person ON disabled_person (id_number);

-- 高考录取, replaced year by year.
CREATE TABLE college_admission (
    id               INTEGER PRIMARY KEY,
    import_id        BIGINT NOT NULL REFERENCES import_batch (id),
    row_no           BIGINT NOT NULL,
    id_number        TEXT NOT NULL,
    name             TEXT NOT NULL,
    exam_no          TEXT NOT NULL,
    college          TEXT NOT NULL,
    college_province TEXT NOT NULL,
    year             BIGINT NOT NULL
);
CREATE INDEX college_admission_year ON college_admission (year, id);
CREATE INDEX college_admission_person ON college_admission (id_number);

-- One row per compute run (计算批次); runs are kept, a re-run replaces the term's results below.
CREATE TABLE compute_run (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    term              TEXT NOT NULL,
    term_seq          BIGINT NOT NULL,
    policy_id         TEXT NOT NULL,
    policy_version    TEXT NOT NULL,
    policy_sha256     TEXT NOT NULL,
    actor             TEXT NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP NOT NULL,
    student_count     BIGINT NOT NULL DEFAULT 0,
    entitlement_count BIGINT NOT NULL DEFAULT 0,
    total_fen         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX compute_run_term ON compute_run (term_seq, id);

-- 家庭经济困难类别 per student and term, traced to a list row.
CREATE TABLE category (
    id        INTEGER PRIMARY KEY,
    run_id    BIGINT NOT NULL REFERENCES compute_run (id),
    term      TEXT NOT NULL,
    term_seq  BIGINT NOT NULL,
    id_number TEXT NOT NULL,
    category  TEXT NOT NULL,
    list_kind TEXT NOT NULL,
    import_id BIGINT NOT NULL REFERENCES import_batch (id),
    row_no    BIGINT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX category_term_person ON category (term_seq, id_number);

-- 资助名单: one line per student, term and program.
CREATE TABLE entitlement (
    id           INTEGER PRIMARY KEY,
    run_id       BIGINT NOT NULL REFERENCES compute_run (id),
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
    CONSTRAINT entitlement_term_person_program UNIQUE (term, id_number, program)
);
CREATE INDEX entitlement_term_key ON entitlement (term_seq, id);
CREATE INDEX entitlement_program_term ON entitlement (program, term_seq);

-- 数据质量问题 found by a compute run.
CREATE TABLE quality_issue (
    id          INTEGER PRIMARY KEY,
    run_id      BIGINT NOT NULL REFERENCES compute_run (id),
    term        TEXT NOT NULL,
    term_seq    BIGINT NOT NULL,
    code        TEXT NOT NULL,
    id_number   TEXT,
    school_code TEXT,
    source      TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX quality_issue_term ON quality_issue (term_seq, id);

-- 审计日志: append-only; the triggers below reject UPDATE and DELETE.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TIMESTAMP NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, '审计日志只能追加，不能修改');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, '审计日志只能追加，不能删除');
END;
