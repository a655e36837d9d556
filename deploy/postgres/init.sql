-- One database per service, each reachable by its own service's role only.
--
-- Each service owns its tables and reaches another service's data only through events. Each
-- connects — the service and its migration job — as a role of its own: the owner of its own
-- database (so its migrations can create tables there), no superuser, no right to create roles
-- or databases. CONNECT is revoked from PUBLIC on every service database, so one service's
-- role cannot even open another's database; a compromised service reads and changes its own
-- tables only. The superuser (postgres) is the operator's alone; no service is given it.
--
-- deploy/postgres/init.sh runs this file once, when the data volume is empty, with each role's
-- password (ANKOMMEN_<SERVICE>_DB_PASSWORD) as a psql variable.

CREATE ROLE intake LOGIN PASSWORD :'intake_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE intake OWNER intake;
REVOKE CONNECT, TEMPORARY ON DATABASE intake FROM PUBLIC;

CREATE ROLE assignment LOGIN PASSWORD :'assignment_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE assignment OWNER assignment;
REVOKE CONNECT, TEMPORARY ON DATABASE assignment FROM PUBLIC;

CREATE ROLE progress LOGIN PASSWORD :'progress_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE progress OWNER progress;
REVOKE CONNECT, TEMPORARY ON DATABASE progress FROM PUBLIC;

CREATE ROLE monitoring LOGIN PASSWORD :'monitoring_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE monitoring OWNER monitoring;
REVOKE CONNECT, TEMPORARY ON DATABASE monitoring FROM PUBLIC;
