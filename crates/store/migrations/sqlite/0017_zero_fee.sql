-- Zero fees for registered-poor compulsory students (零收费, 三(一)): each in-kind provision a
-- school issued (教辅材料, 校服, 学生意外伤害保险) per student and school year (学年 2023 = autumn
-- 2023 + spring 2024). A row comes from a school's imported issue list (import_id, row_no) or was
-- entered on the web (entered_by, entered_at). An import replaces the (school, school year)
-- pairs it names, web entries of those pairs included.
-- Keep it logically identical to migrations/postgres/0017.
CREATE TABLE zero_fee_issue (
    id          INTEGER PRIMARY KEY,
    import_id   BIGINT REFERENCES import_batch (id),
    row_no      BIGINT,
    school_year BIGINT NOT NULL,
    school_code TEXT NOT NULL,
    id_number   TEXT NOT NULL,
    name        TEXT NOT NULL,
    item        TEXT NOT NULL
        CHECK (item IN ('teaching_materials', 'school_uniform', 'accident_insurance')),
    issued_on   DATE NOT NULL,
    quantity    BIGINT NOT NULL CHECK (quantity > 0),
    insurer     TEXT,
    policy_no   TEXT,
    entered_by  TEXT,
    entered_at  TIMESTAMP
);
-- One record of an item per student, school and year.
CREATE UNIQUE INDEX zero_fee_issue_one ON zero_fee_issue (school_year, school_code, id_number, item);
CREATE INDEX zero_fee_issue_person ON zero_fee_issue (school_year, id_number);
