#!/bin/sh
# Creates the services' roles and databases (deploy/postgres/init.sql) on the first start of
# an empty data volume: the postgres image runs /docker-entrypoint-initdb.d/*.sh then. A shell
# script, because a .sql file there cannot read the environment, where each service role's
# password is (ANKOMMEN_<SERVICE>_DB_PASSWORD, set in docker-compose.yml); psql quotes them.
# No `set -e`/`-u`: the image sources this file when it is not executable, and those options
# would then leak into its entry point; a missing password stops it through ${…:?} instead.
PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" \
  --dbname postgres \
  -v intake_password="${ANKOMMEN_INTAKE_DB_PASSWORD:?set ANKOMMEN_INTAKE_DB_PASSWORD}" \
  -v assignment_password="${ANKOMMEN_ASSIGNMENT_DB_PASSWORD:?set ANKOMMEN_ASSIGNMENT_DB_PASSWORD}" \
  -v progress_password="${ANKOMMEN_PROGRESS_DB_PASSWORD:?set ANKOMMEN_PROGRESS_DB_PASSWORD}" \
  -v monitoring_password="${ANKOMMEN_MONITORING_DB_PASSWORD:?set ANKOMMEN_MONITORING_DB_PASSWORD}" \
  -f /etc/ankommen/postgres-init.sql
