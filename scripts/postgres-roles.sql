-- The PostgreSQL roles of a production deployment (docs/operations.md). Run as a superuser,
-- connected to the notoneless database, after `notoneless migrate` has run as the owner:
--   psql -v ON_ERROR_STOP=1 -d notoneless -f scripts/postgres-roles.sql
-- Then give the application role a password (ALTER ROLE notoneless_app PASSWORD '…') and
-- start the server with DATABASE_URL=postgres://notoneless_app:…@host/notoneless.
--
-- notoneless_app may read everything, append events and access-log entries, and write the
-- derived tables; it may not change or remove an event or an access-log entry. (The
-- append-only triggers refuse that too, even to the owner.)
DO $$
BEGIN
    CREATE ROLE notoneless_app NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;

REVOKE ALL ON events FROM notoneless_app;
GRANT SELECT, INSERT ON events TO notoneless_app;
REVOKE ALL ON case_reads FROM notoneless_app;
GRANT SELECT, INSERT ON case_reads TO notoneless_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys, projector_checkpoints,
    case_status, case_obligations TO notoneless_app;
GRANT SELECT ON _sqlx_migrations TO notoneless_app;
-- A production database is never marked for training (the mark is refused once it holds an
-- event anyway): the application only reads whether it is.
REVOKE ALL ON training_mark FROM notoneless_app;
GRANT SELECT ON training_mark TO notoneless_app;
-- Sessions are the application's to open and end; the sign-in log is append-only.
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO notoneless_app;
REVOKE ALL ON sign_in_log FROM notoneless_app;
GRANT SELECT, INSERT ON sign_in_log TO notoneless_app;
-- Signed checkpoints of the log are append-only (issue 15).
REVOKE ALL ON log_checkpoints FROM notoneless_app;
GRANT SELECT, INSERT ON log_checkpoints TO notoneless_app;
-- The one open case file per child: written with the events that open, reopen and close a
-- case (issue 15).
GRANT SELECT, INSERT, UPDATE, DELETE ON child_case_files TO notoneless_app;
-- The counted absence days behind the dashboard's weekly trend: derived, written by the
-- projector with the case's other rows.
GRANT SELECT, INSERT, UPDATE, DELETE ON case_absence_days TO notoneless_app;
