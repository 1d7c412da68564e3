-- Catch-up lag history: per catch-up execution, the lag, position and counts its step last recorded
-- (every few seconds while it runs, so a running one shows its current lag). Newest first.
-- Flavour: PostgreSQL (jsonb).
SELECT p.PARAMETER_VALUE AS PLAN_NAME, s.JOB_EXECUTION_ID, s.STATUS, s.START_TIME, s.END_TIME, s.LAST_UPDATED,
       CAST(COALESCE(CAST(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT) AS jsonb) -> 'catchup.lag.seconds' ->> 1, CAST(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT) AS jsonb) ->> 'catchup.lag.seconds') AS numeric) AS LAG_SECONDS,
       CAST(COALESCE(CAST(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT) AS jsonb) -> 'catchup.bytes.behind' ->> 1, CAST(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT) AS jsonb) ->> 'catchup.bytes.behind') AS numeric) AS BYTES_BEHIND,
       CAST(COALESCE(CAST(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT) AS jsonb) -> 'catchup.events' ->> 1, CAST(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT) AS jsonb) ->> 'catchup.events') AS numeric) AS EVENTS,
       CAST(COALESCE(CAST(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT) AS jsonb) -> 'catchup.transactions' ->> 1, CAST(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT) AS jsonb) ->> 'catchup.transactions') AS numeric) AS TRANSACTIONS,
       CAST(COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT) AS jsonb) ->> 'catchup.position' AS APPLIED_POSITION
  FROM BATCH_STEP_EXECUTION s
  LEFT JOIN BATCH_STEP_EXECUTION_CONTEXT c ON c.STEP_EXECUTION_ID = s.STEP_EXECUTION_ID
  JOIN BATCH_JOB_EXECUTION e ON e.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID
  JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
  JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND p.PARAMETER_NAME = 'plan'
 WHERE i.JOB_NAME = 'catchup' AND s.STEP_NAME = 'catchup'
 ORDER BY s.STEP_EXECUTION_ID DESC;
