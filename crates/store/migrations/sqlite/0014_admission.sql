-- Normal-school targeted admission (师范“三定向”录取优惠, 三(二)): each year's minimum control line
-- per category with the provincial floor, and the applicants with their scores. Scores are kept
-- in tenths of a point. An import replaces the rows of the years it lists.
-- Keep it logically identical to migrations/postgres/0014.
CREATE TABLE admission_line (
    id            INTEGER PRIMARY KEY,
    import_id     BIGINT NOT NULL REFERENCES import_batch (id),
    row_no        BIGINT NOT NULL,
    year          BIGINT NOT NULL,
    category      TEXT NOT NULL,
    control_tenths BIGINT NOT NULL,
    -- 'given' (floor_tenths) or 'proportion' (percent_bp of total_tenths).
    floor_kind    TEXT NOT NULL CHECK (floor_kind IN ('given', 'proportion')),
    floor_tenths  BIGINT,
    percent_bp    BIGINT,
    total_tenths  BIGINT
);
CREATE UNIQUE INDEX admission_line_category ON admission_line (year, category);
CREATE TABLE admission_applicant (
    id              INTEGER PRIMARY KEY,
    import_id       BIGINT NOT NULL REFERENCES import_batch (id),
    row_no          BIGINT NOT NULL,
    year            BIGINT NOT NULL,
    id_number       TEXT NOT NULL,
    name            TEXT NOT NULL,
    category        TEXT NOT NULL,
    score_tenths    BIGINT NOT NULL,
    fresh_graduate  BOOLEAN NOT NULL,
    hukou_in_county BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX admission_applicant_person ON admission_applicant (year, id_number);
