-- What the application's role may do in the zaigang database (docs/operator-guide.*.md §1).
--
-- Run as a superuser (or the owner), connected to the database, after every `db upgrade`:
--     sudo -u postgres psql -d zaigang -v ON_ERROR_STOP=1 -f deploy/postgresql/grants.sql
-- It is idempotent. The schema belongs to zaigang_owner, which only migrations use; the app
-- connects as zaigang, which may read and write the tables it works with but may never
-- change, remove or truncate an audit entry, nor alter or drop a table or trigger.

GRANT CONNECT ON DATABASE zaigang TO zaigang;
GRANT USAGE ON SCHEMA public TO zaigang;
REVOKE CREATE ON SCHEMA public FROM zaigang, PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO zaigang;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO zaigang;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO zaigang;
-- The audit log is append-only for the app: read and add, nothing else.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_entry FROM zaigang, PUBLIC;
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM zaigang;
