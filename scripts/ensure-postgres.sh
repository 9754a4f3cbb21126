#!/bin/sh
# Make sure a PostgreSQL server is installed for the db tests (tests/db starts its
# own throwaway cluster with initdb + pg_ctl; nothing is configured system-wide).
#
# Installs Debian/Ubuntu's `postgresql` package when `initdb` is neither on PATH nor
# under /usr/lib/postgresql/*/bin.  Without root (or password-less sudo) it cannot
# install: it says so and exits 0, and the PostgreSQL half of tests/db is skipped
# with a warning in the test summary.
set -eu

have_initdb() {
    command -v initdb >/dev/null 2>&1 && return 0
    for candidate in /usr/lib/postgresql/*/bin/initdb; do
        [ -x "$candidate" ] && return 0
    done
    return 1
}

if have_initdb; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-postgres: initdb not found and apt-get is unavailable;" \
        "install a PostgreSQL server (initdb, pg_ctl) yourself." >&2
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "ensure-postgres: initdb not found; run as root:" \
        "apt-get update && apt-get install -y postgresql" >&2
    exit 0
fi

echo "ensure-postgres: installing postgresql (apt-get)" >&2
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
have_initdb
