//! Text normalisation for spreadsheet cells. STUB: being implemented.
