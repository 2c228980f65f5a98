-- A difference paid after the lock (调整补发): when an adjustment raises what a student is owed for
-- a program and term after a line of it was already made, the difference is paid as a line of its
-- own. `part` tells the payments of one student, program and term apart: 0 for the first line
-- (a roster line, or the back-payment of a student not on the locked roster), the adjustment's id
-- for a difference; a re-issue keeps the part of the line it pays again. The ledger's one-payment
-- rule becomes one successful payment per part: each difference is paid once, as the first line is.
-- A reversal (清退) may now be of part of a line (an amount lowered after it was paid).
-- Keep it logically identical to migrations/postgres/0013.
ALTER TABLE payment_line ADD COLUMN part BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payment_ledger ADD COLUMN part BIGINT NOT NULL DEFAULT 0;
DROP INDEX payment_ledger_paid_once;
CREATE UNIQUE INDEX payment_ledger_paid_once ON payment_ledger (term_seq, id_number, program, part)
    WHERE kind = 'paid';
-- One first line and one line per difference, re-issues aside: two batch makers at once cannot
-- both take a line.
CREATE UNIQUE INDEX payment_line_part_once ON payment_line (term_seq, id_number, program, part)
    WHERE reissue_of IS NULL;
-- When the batch's bank file was last written: a batch is marked submitted only after its file
-- was written, and not when an adjustment since changed one of its lines (the bank would be sent
-- what the ledger then says was not sent).
ALTER TABLE payment_batch ADD COLUMN file_at TIMESTAMP;
