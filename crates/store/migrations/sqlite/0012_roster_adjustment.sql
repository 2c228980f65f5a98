-- Adjustments of a locked roster (资助名单调整): when lists change after the county locked a term,
-- an adjustment run compares what the lists give now with the locked roster (plus the adjustments
-- already made) and records each difference with its reason; the locked roster itself never
-- changes. A back-payment (补发) is paid in a batch like a roster line; a recovery (追回/停发) stops
-- an unpaid line, or is to be reversed and recovered when the line was paid.
-- Keep it logically identical to migrations/postgres/0012.
CREATE TABLE roster_adjustment (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    term         TEXT NOT NULL,
    term_seq     BIGINT NOT NULL,
    run_id       BIGINT NOT NULL REFERENCES compute_run (id),
    id_number    TEXT NOT NULL,
    name         TEXT NOT NULL,
    school_code  TEXT NOT NULL,
    program      TEXT NOT NULL,
    program_name TEXT NOT NULL,
    clause       TEXT NOT NULL,
    payee        TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('back_pay', 'recovery')),
    amount_fen   BIGINT NOT NULL CHECK (amount_fen > 0),
    before_fen   BIGINT NOT NULL,
    after_fen    BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    made_by      TEXT NOT NULL,
    made_at      TIMESTAMP NOT NULL
);
CREATE INDEX roster_adjustment_term ON roster_adjustment (term_seq, id_number, program);
ALTER TABLE payment_line ADD COLUMN adjustment_id BIGINT REFERENCES roster_adjustment (id);
-- Adjustments are appended, never changed: the record of what was decided after the lock.
CREATE TRIGGER roster_adjustment_no_update BEFORE UPDATE ON roster_adjustment
BEGIN
    SELECT RAISE(ABORT, '名单调整只能追加，不能修改');
END;
CREATE TRIGGER roster_adjustment_no_delete BEFORE DELETE ON roster_adjustment
BEGIN
    SELECT RAISE(ABORT, '名单调整只能追加，不能删除');
END;
