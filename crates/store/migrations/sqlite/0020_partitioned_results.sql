-- PostgreSQL's 0020 makes the result tables partitioned by term, so that a compute run's rows are
-- written into a bare table of their own and indexed once (migrations/postgres/0020). SQLite has
-- no partitions and keeps its plain tables: nothing changes here; the file keeps both backends'
-- migration numbers the same.
SELECT 1;
