-- Paying the aid (资金发放): payee accounts, payment batches and lines, and the payment ledger.
-- Keep it logically identical to migrations/postgres/0010.

-- 收款账户: each student's current payee and account; an import replaces the rows of the students
-- it lists. A payment line keeps a copy of the account it was sent to.
CREATE TABLE payee_account (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    import_id    BIGINT NOT NULL REFERENCES import_batch (id),
    row_no       BIGINT NOT NULL,
    id_number    TEXT NOT NULL,
    student_name TEXT NOT NULL,
    payee_name   TEXT NOT NULL,
    relation     TEXT NOT NULL,
    account_kind TEXT NOT NULL,
    account_no   TEXT NOT NULL,
    bank         TEXT NOT NULL
);
CREATE UNIQUE INDEX payee_account_person ON payee_account (id_number);

-- 发放批次: one term, fund source and paying unit; draft → submitted → paid | partly_failed → closed.
CREATE TABLE payment_batch (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    term         TEXT NOT NULL,
    term_seq     BIGINT NOT NULL,
    run_id       BIGINT NOT NULL REFERENCES compute_run (id),
    fund_source  TEXT NOT NULL,
    paying_unit  TEXT NOT NULL,
    reissue_of   BIGINT REFERENCES payment_batch (id),
    state        TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    submitted_by TEXT,
    submitted_at TIMESTAMP,
    closed_at    TIMESTAMP
);
CREATE INDEX payment_batch_term ON payment_batch (term_seq, id);

-- 发放明细: a roster line (student, program, term) in a batch, with the account it goes to.
CREATE TABLE payment_line (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id     BIGINT NOT NULL REFERENCES payment_batch (id),
    term_seq     BIGINT NOT NULL,
    id_number    TEXT NOT NULL,
    student_name TEXT NOT NULL,
    school_code  TEXT NOT NULL,
    program      TEXT NOT NULL,
    program_name TEXT NOT NULL,
    clause       TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL,
    payee_name   TEXT NOT NULL,
    relation     TEXT NOT NULL,
    account_kind TEXT NOT NULL,
    account_no   TEXT NOT NULL,
    bank         TEXT NOT NULL,
    reissue_of   BIGINT REFERENCES payment_line (id)
);
CREATE UNIQUE INDEX payment_line_once ON payment_line (batch_id, id_number, program);
CREATE INDEX payment_line_person ON payment_line (term_seq, id_number, program);

-- 发放台账: append-only (the triggers refuse UPDATE and DELETE). A student is paid a program
-- once a term: the partial unique index refuses a second successful payment, whatever the code.
CREATE TABLE payment_ledger (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    line_id    BIGINT NOT NULL REFERENCES payment_line (id),
    kind       TEXT NOT NULL
        CHECK (kind IN ('paid', 'failed', 'reissued', 'reversed', 'recovered')),
    term_seq   BIGINT NOT NULL,
    id_number  TEXT NOT NULL,
    program    TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    on_day     DATE NOT NULL,
    reason     TEXT NOT NULL,
    new_line   BIGINT REFERENCES payment_line (id),
    actor      TEXT NOT NULL,
    at         TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX payment_ledger_paid_once ON payment_ledger (term_seq, id_number, program)
    WHERE kind = 'paid';
CREATE UNIQUE INDEX payment_ledger_one_outcome ON payment_ledger (line_id)
    WHERE kind IN ('paid', 'failed');
CREATE UNIQUE INDEX payment_ledger_one_reissue ON payment_ledger (line_id) WHERE kind = 'reissued';
CREATE UNIQUE INDEX payment_ledger_one_reversal ON payment_ledger (line_id) WHERE kind = 'reversed';
CREATE INDEX payment_ledger_line ON payment_ledger (line_id, id);
CREATE TRIGGER payment_ledger_no_update BEFORE UPDATE ON payment_ledger
BEGIN
    SELECT RAISE(ABORT, '发放台账只能追加，不能修改');
END;
CREATE TRIGGER payment_ledger_no_delete BEFORE DELETE ON payment_ledger
BEGIN
    SELECT RAISE(ABORT, '发放台账只能追加，不能删除');
END;
-- A line, once made, is what was sent to the bank: never changed or removed (the ledger's
-- entries name it).
CREATE TRIGGER payment_line_no_update BEFORE UPDATE ON payment_line
BEGIN
    SELECT RAISE(ABORT, '发放明细不能修改');
END;
CREATE TRIGGER payment_line_no_delete BEFORE DELETE ON payment_line
BEGIN
    SELECT RAISE(ABORT, '发放明细不能删除');
END;
