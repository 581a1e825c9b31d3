#!/usr/bin/env bash
# One database and one login role for each service that keeps data: every agency, the alerts service, the gateway's
# audit trail and the portal. A role owns its own database and nothing else, and no other role may connect to it, so a leaked agency
# password opens that agency's records only.
#
# The postgres image runs this once, when its data volume is first initialised (docker-entrypoint-initdb.d), with
# the passwords deploy/compose.yaml passes in from deploy/.env. `npm run test:deploy` runs the same script
# against the machine's PostgreSQL, with SG_DATABASE_PREFIX making the names unique to the run.
set -euo pipefail

prefix="${SG_DATABASE_PREFIX:-}"
# Keep in step with the agency table (gateway/shared/src/agencies.ts): the container test compares them.
services=(police social_care health alerts gateway portal)

for service in "${services[@]}"; do
  variable="${service^^}_DB_PASSWORD"
  password="${!variable:?$variable is not set: run npm run deploy:secrets and start with deploy/.env}"
  name="${prefix}${service}"
  psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
    --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"name" TO :"name";
SQL
done
