-- Payments after review: a line may be reversed more than once (each time only what was paid
-- beyond what is owed then; never more than the line in all), and a batch keeps the newest
-- adjustment it was written against (adjustment numbers, not clocks, decide what came after).
-- Keep it logically identical to migrations/postgres/0016.
DROP INDEX payment_ledger_one_reversal;
ALTER TABLE payment_batch ADD COLUMN file_adjustment BIGINT;
