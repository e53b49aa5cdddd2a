#!/bin/sh
# Runs once, when the database directory is created (docker-entrypoint-initdb.d): from then on the server also
# reads Gridwatch's settings, after the image's own tuning.
echo "include '/etc/gridwatch/postgresql.conf'" >> "$PGDATA/postgresql.conf"
