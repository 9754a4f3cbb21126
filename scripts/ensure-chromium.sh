#!/bin/sh
# Make sure a headless browser is installed for the example application's end-to-end
# test (tests/example/test_browser.py drives Debian's Chromium through chromedriver
# with selenium; nothing is downloaded at test time).
#
# Installs Debian's `chromium` and `chromium-driver` packages when /usr/bin/chromium is
# missing.  Without root (or password-less sudo) it cannot install: it says so and
# exits 0, and the browser test is skipped with a loud reason in the test summary.
set -eu

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: /usr/bin/chromium not found and apt-get is unavailable;" \
        "install Chromium and its chromedriver yourself." >&2
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "ensure-chromium: /usr/bin/chromium not found; run as root:" \
        "apt-get update && apt-get install -y chromium chromium-driver" >&2
    exit 0
fi

echo "ensure-chromium: installing chromium and chromium-driver (apt-get)" >&2
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    chromium chromium-driver
[ -x /usr/bin/chromium ]
