-- Totals per table of every verification, newest first (verify writes them at its end). Anything but zeros in
-- ROWS_MISSING / ROWS_EXTRA / ROWS_DIFFERENT needs a look: verification-differences.sql shows sample keys.
-- Portable: runs as is on a PostgreSQL, MySQL/MariaDB or H2 job repository.
SELECT PLAN_NAME, JOB_EXECUTION_ID, TABLE_NAME, ROWS_COMPARED, ROWS_MATCHING, ROWS_MISSING, ROWS_EXTRA,
       ROWS_DIFFERENT, ROWS_IN_FLUX, ROWS_REPAIRED, VERIFIED_AT
  FROM LIVEMIGRATE_VERIFY_TABLE
 ORDER BY VERIFIED_AT DESC, PLAN_NAME, TABLE_NAME;
