-- 在校学生名单 are sent school by school: a school's new return for a term replaces only that
-- school's rows of the term (import_rows::attendance), found through this index.
CREATE INDEX attendance_term_school ON attendance (term_seq, school_code);
