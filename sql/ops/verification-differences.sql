-- Sample differing keys (up to 1,000 per table) of each verification: MISSING on the target, EXTRA on the
-- target, or DIFFERENT with the columns that differ. Portable: PostgreSQL, MySQL/MariaDB and H2.
SELECT d.JOB_EXECUTION_ID, d.TABLE_NAME, d.KIND, d.KEY_TEXT, d.COLUMN_NAMES
  FROM LIVEMIGRATE_VERIFY_DIFF d
 ORDER BY d.JOB_EXECUTION_ID DESC, d.TABLE_NAME, d.KIND, d.KEY_TEXT;
