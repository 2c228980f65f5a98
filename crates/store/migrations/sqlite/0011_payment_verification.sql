-- Verification with families (回访): a random sample of paid lines per school each term; each is
-- confirmed or denied by the family; a denial opens a follow-up until closed.
-- Keep it logically identical to migrations/postgres/0011.
CREATE TABLE payment_verification (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    term          TEXT NOT NULL,
    term_seq      BIGINT NOT NULL,
    line_id       BIGINT NOT NULL UNIQUE REFERENCES payment_line (id),
    id_number     TEXT NOT NULL,
    school_code   TEXT NOT NULL,
    drawn_by      TEXT NOT NULL,
    drawn_at      TIMESTAMP NOT NULL,
    outcome       TEXT,
    note          TEXT NOT NULL,
    recorded_by   TEXT,
    recorded_at   TIMESTAMP,
    follow_up     TEXT,
    follow_up_note TEXT NOT NULL
);
CREATE INDEX payment_verification_term ON payment_verification (term_seq, school_code);
