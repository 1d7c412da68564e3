-- Catch-up lag history: per catch-up execution, the lag, position and counts its step last recorded
-- (every few seconds while it runs, so a running one shows its current lag). Newest first.
-- Flavour: H2 (the default file repository; regular expressions over the JSON text).
SELECT p.PARAMETER_VALUE AS PLAN_NAME, s.JOB_EXECUTION_ID, s.STATUS, s.START_TIME, s.END_TIME, s.LAST_UPDATED,
       CAST(REGEXP_SUBSTR(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT), '"catchup\.lag\.seconds":\[?(?:"[^"]*",)?(-?[0-9][0-9.E+-]*)', 1, 1, NULL, 1) AS DECIMAL(30,3)) AS LAG_SECONDS,
       CAST(REGEXP_SUBSTR(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT), '"catchup\.bytes\.behind":\[?(?:"[^"]*",)?(-?[0-9][0-9.E+-]*)', 1, 1, NULL, 1) AS DECIMAL(30,3)) AS BYTES_BEHIND,
       CAST(REGEXP_SUBSTR(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT), '"catchup\.events":\[?(?:"[^"]*",)?(-?[0-9][0-9.E+-]*)', 1, 1, NULL, 1) AS DECIMAL(30,3)) AS EVENTS,
       CAST(REGEXP_SUBSTR(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT), '"catchup\.transactions":\[?(?:"[^"]*",)?(-?[0-9][0-9.E+-]*)', 1, 1, NULL, 1) AS DECIMAL(30,3)) AS TRANSACTIONS,
       REGEXP_SUBSTR(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT), '"catchup\.position":"([^"]*)"', 1, 1, NULL, 1) AS APPLIED_POSITION
  FROM BATCH_STEP_EXECUTION s
  LEFT JOIN BATCH_STEP_EXECUTION_CONTEXT c ON c.STEP_EXECUTION_ID = s.STEP_EXECUTION_ID
  JOIN BATCH_JOB_EXECUTION e ON e.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID
  JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
  JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND p.PARAMETER_NAME = 'plan'
 WHERE i.JOB_NAME = 'catchup' AND s.STEP_NAME = 'catchup'
 ORDER BY s.STEP_EXECUTION_ID DESC;
