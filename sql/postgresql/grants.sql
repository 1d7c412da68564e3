-- Least-privilege roles for livemigrate on PostgreSQL. Run as a superuser; replace the passwords. revert runs the
-- same jobs in the other direction with the two roles swapped (see the commented grants). The test suite runs as
-- superuser: these grants follow the documentation of what each statement needs, not a test.
--
-- Source: reads every migrated table and streams changes through a logical replication slot.
CREATE ROLE livemigrate_source LOGIN REPLICATION PASSWORD 'change-me';
GRANT CONNECT ON DATABASE shop TO livemigrate_source;
GRANT USAGE ON SCHEMA public TO livemigrate_source;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO livemigrate_source;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO livemigrate_source;
-- The copy creates a publication for the migrated tables (catch-up); that needs ownership or CREATE on the database.
GRANT CREATE ON DATABASE shop TO livemigrate_source;

-- cutover with fence: read-only sets default_transaction_read_only on the application's roles and ends their
-- sessions; writing the drain marker (pg_logical_emit_message) needs the REPLICATION attribute it has already.
-- (PostgreSQL 16+: CREATEROLE alters only roles it administers: GRANT app_role TO livemigrate_source WITH ADMIN OPTION.)
ALTER ROLE livemigrate_source CREATEROLE;
GRANT pg_signal_backend TO livemigrate_source;
-- revert: the reverse stream applies the target's changes here and keeps its state in the schema livemigrate.
-- GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO livemigrate_source;

-- Target: creates the tables (when copy.create-schema is true), loads them with COPY, builds indexes, applies
-- catch-up (its state in the schema livemigrate, which CREATE on the database allows), sets sequences.
CREATE ROLE livemigrate_target LOGIN PASSWORD 'change-me';
GRANT CONNECT, CREATE ON DATABASE shop TO livemigrate_target;
GRANT USAGE, CREATE ON SCHEMA public TO livemigrate_target;
-- cutover creates the reverse stream's slot and publication on the target before the switch:
ALTER ROLE livemigrate_target REPLICATION;
-- revert fences the target the same way cutover fenced the source:
-- ALTER ROLE livemigrate_target CREATEROLE; GRANT pg_signal_backend TO livemigrate_target;

-- Server settings change capture needs on the source, and on the target for the way back (postgresql.conf,
-- restart required):
--   wal_level = logical
--   max_replication_slots >= 1 per migration, max_wal_senders >= 1 per migration
--   max_slot_wal_keep_size = -1 (or large enough to hold the WAL written while the copy runs)
