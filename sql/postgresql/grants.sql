-- Least-privilege roles for livemigrate on PostgreSQL. Run as a superuser; replace the passwords.
--
-- Source: reads every migrated table and streams changes through a logical replication slot.
CREATE ROLE livemigrate_source LOGIN REPLICATION PASSWORD 'change-me';
GRANT CONNECT ON DATABASE shop TO livemigrate_source;
GRANT USAGE ON SCHEMA public TO livemigrate_source;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO livemigrate_source;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO livemigrate_source;
-- The copy creates a publication for the migrated tables (catch-up); that needs ownership or CREATE on the database.
GRANT CREATE ON DATABASE shop TO livemigrate_source;

-- Target: creates the tables (when copy.create-schema is true), loads them with COPY, builds indexes.
CREATE ROLE livemigrate_target LOGIN PASSWORD 'change-me';
GRANT CONNECT, CREATE ON DATABASE shop TO livemigrate_target;
GRANT USAGE, CREATE ON SCHEMA public TO livemigrate_target;

-- Server settings change capture needs on the source (postgresql.conf, restart required):
--   wal_level = logical
--   max_replication_slots >= 1 per migration, max_wal_senders >= 1 per migration
--   max_slot_wal_keep_size = -1 (or large enough to hold the WAL written while the copy runs)
