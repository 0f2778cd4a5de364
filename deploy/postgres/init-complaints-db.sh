#!/bin/sh
# Runs once, when the postgres volume is first initialised: the complaints register's own role and database
# (Temporal uses the superuser account and its own databases, created by the temporal-schema job).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v user="$COMPLAINTS_DB_USER" -v password="$COMPLAINTS_DB_PASSWORD" -v db="$COMPLAINTS_DB_NAME" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"user";
SQL
