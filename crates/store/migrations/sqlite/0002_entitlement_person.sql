-- Reading one person's roster lines (explain, a student's page) without scanning the term.
CREATE INDEX entitlement_person ON entitlement (id_number, term_seq);
