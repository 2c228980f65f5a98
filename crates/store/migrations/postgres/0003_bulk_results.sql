-- Compute results are written in bulk (millions of rows at province scale) by the one transaction
-- that inserted their compute_run row, with the run id and import ids it has just read; compute_run
-- and import_batch rows are never deleted. PostgreSQL checked each of those foreign keys with a
-- query per written row: 2.7 s of 4.4 s writing 277 k category rows (BENCHMARKS.md, 2026-11-30).
-- They are dropped here; the store's tests check that every result row names an existing run.
ALTER TABLE category DROP CONSTRAINT category_run_id_fkey;
ALTER TABLE category DROP CONSTRAINT category_import_id_fkey;
ALTER TABLE entitlement DROP CONSTRAINT entitlement_run_id_fkey;
ALTER TABLE quality_issue DROP CONSTRAINT quality_issue_run_id_fkey;

-- One index, not two, both keeps one line per student, term and program and finds a person's
-- lines (explain): the unique key now leads with the ID number, then the term's number, which
-- every per-person query gives (with the term's text there, SQLite without statistics chose the
-- term's index instead and read the whole term: 0.7 s per explain at 10 M students).
ALTER TABLE entitlement DROP CONSTRAINT entitlement_term_person_program;
DROP INDEX entitlement_person;
ALTER TABLE entitlement ADD CONSTRAINT entitlement_person_term_program UNIQUE (id_number, term_seq, program);

-- The imported lists' rows likewise name their import batch without a foreign key: they are
-- written in bulk by the import transaction that made the batch, and the per-row check more than
-- doubled the registry COPY (BENCHMARKS.md). Db::dangling_references checks them too.
ALTER TABLE school DROP CONSTRAINT school_import_id_fkey;
ALTER TABLE student DROP CONSTRAINT student_import_id_fkey;
ALTER TABLE poor_member DROP CONSTRAINT poor_member_import_id_fkey;
ALTER TABLE assistance DROP CONSTRAINT assistance_import_id_fkey;
ALTER TABLE disabled_person DROP CONSTRAINT disabled_person_import_id_fkey;
ALTER TABLE college_admission DROP CONSTRAINT college_admission_import_id_fkey;
