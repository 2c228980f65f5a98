-- Complaints (群众反映问题, 四(三) 集中解决群众反映强烈、损害群众利益的突出问题): one ticket per
-- complaint about a student, with its category, who reported it, the unit that owns it, its
-- state and deadline, and what it concerns (a payment line, a dropout case); and the ticket's
-- history, append-only (the triggers refuse UPDATE and DELETE).
-- Keep it logically identical to migrations/postgres/0019.
CREATE TABLE complaint (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    id_number       TEXT NOT NULL,
    student_name    TEXT NOT NULL,
    -- Where the student was when the ticket was lodged (the scope it belongs to).
    school_code     TEXT NOT NULL,
    township        TEXT NOT NULL,
    payment_line_id BIGINT REFERENCES payment_line (id),
    case_id         BIGINT REFERENCES dropout_case (id),
    category        TEXT NOT NULL CHECK (category IN ('aid_not_received', 'wrong_amount',
        'out_of_school', 'fee_charged_despite_waiver', 'other')),
    source          TEXT NOT NULL CHECK (source IN ('family', 'teacher', 'township', 'other')),
    complainant     TEXT NOT NULL,
    -- 联系方式: personal information, masked for roles that need not see it.
    contact         TEXT NOT NULL,
    summary         TEXT NOT NULL,
    owner_level     TEXT NOT NULL CHECK (owner_level IN ('county', 'township', 'school')),
    owner_unit      TEXT NOT NULL,
    owner_township  TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('received', 'assigned', 'in_progress',
        'resolved', 'closed')),
    state_since     DATE NOT NULL,
    lodged_on       DATE NOT NULL,
    due_on          DATE NOT NULL,
    resolved_on     DATE,
    resolution      TEXT NOT NULL DEFAULT '',
    lodged_by       TEXT NOT NULL,
    lodged_at       TIMESTAMP NOT NULL
);
CREATE INDEX complaint_school ON complaint (school_code, lodged_on);
CREATE INDEX complaint_township ON complaint (township, lodged_on);
CREATE INDEX complaint_person ON complaint (id_number);

CREATE TABLE complaint_event (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id BIGINT NOT NULL REFERENCES complaint (id),
    at           TIMESTAMP NOT NULL,
    on_date      DATE NOT NULL,
    actor        TEXT NOT NULL,
    actor_level  TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('lodge', 'assign', 'start', 'resolve', 'close',
        'reopen')),
    from_state   TEXT,
    to_state     TEXT NOT NULL,
    owner        TEXT NOT NULL,
    note         TEXT NOT NULL
);
CREATE INDEX complaint_event_ticket ON complaint_event (complaint_id, id);
CREATE TRIGGER complaint_event_no_update BEFORE UPDATE ON complaint_event
BEGIN
    SELECT RAISE(ABORT, '工单记录只能追加，不能修改');
END;
CREATE TRIGGER complaint_event_no_delete BEFORE DELETE ON complaint_event
BEGIN
    SELECT RAISE(ABORT, '工单记录只能追加，不能删除');
END;
