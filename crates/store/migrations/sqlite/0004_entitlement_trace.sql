-- What a roster line's facts say about the policy (term, reference date, clause, the conditions
-- that held, the amount rule) is the same for every line of a run that took the same branch of a
-- program: at province scale ~580 of ~800 bytes per line, written 1.9 million times per term.
-- It is stored here once per run and distinct branch; a line names it by trace_no, and its facts
-- column then holds only what is its own (the list rows behind its categories, as a JSON array).
-- Readers put the two back together into the same JSON as before. Lines written before this
-- migration have no trace_no and keep their whole facts.
CREATE TABLE entitlement_trace (
    id       INTEGER PRIMARY KEY,
    run_id   BIGINT NOT NULL REFERENCES compute_run (id),
    trace_no BIGINT NOT NULL,
    body     TEXT NOT NULL,
    CONSTRAINT entitlement_trace_run_no UNIQUE (run_id, trace_no)
);
ALTER TABLE entitlement ADD COLUMN trace_no BIGINT;
