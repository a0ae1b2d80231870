#!/bin/sh
# Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d): a role and a
# database of its own for the gateway's session store, from GATEWAY_DB_USER / GATEWAY_DB_PASSWORD.
set -eu
: "${GATEWAY_DB_USER:?set GATEWAY_DB_USER in postgres.env}"
: "${GATEWAY_DB_PASSWORD:?set GATEWAY_DB_PASSWORD in postgres.env}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
  -v gw_user="$GATEWAY_DB_USER" -v gw_password="$GATEWAY_DB_PASSWORD" <<'SQL'
CREATE ROLE :"gw_user" LOGIN PASSWORD :'gw_password';
CREATE DATABASE :"gw_user" OWNER :"gw_user";
REVOKE ALL ON DATABASE :"gw_user" FROM PUBLIC;
SQL
