//! Date parsing for spreadsheet cells. STUB: being implemented.
