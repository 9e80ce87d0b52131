#!/usr/bin/env bash
# Before `npm test` (its pretest) and in CI: make sure the programs the tests drive are installed.
# The integration tests start a real nats-server; the end-to-end tests talk to the actors with the
# system's telnet and nc, and drive the dashboard in tmux. None of them is ever skipped.
#
# Run as root where apt-get exists, it installs the missing Debian packages. Anywhere else it exits
# 1 before anything runs, printing the one command that installs exactly the missing packages.
# The only programs it runs are `id` and, as root, apt-get, so a test can run it with a PATH of its
# own holding fakes of both.
set -euo pipefail

# Debian installs nats-server in /usr/sbin, which is not on every user's PATH; the test harness
# looks there too. CRYPY_TEST_SBIN_DIRS replaces that list (a test of this script sets it empty).
read -ra SBIN_DIRS <<<"${CRYPY_TEST_SBIN_DIRS-/usr/sbin /usr/local/sbin}"

# Each entry: the command the tests run, then the Debian package that provides it.
TOOLS=(
  "nats-server nats-server"
  "telnet telnet"
  "nc netcat-openbsd"
  "tmux tmux"
)

found() {
  command -v "$1" >/dev/null 2>&1 && return 0
  local dir
  for dir in "${SBIN_DIRS[@]}"; do
    [ -x "$dir/$1" ] && return 0
  done
  return 1
}

missing_packages() {
  local entry
  for entry in "${TOOLS[@]}"; do
    # shellcheck disable=SC2086 # split the entry into its two words
    set -- $entry
    found "$1" || printf '%s\n' "$2"
  done
}

mapfile -t missing < <(missing_packages)
[ "${#missing[@]}" -eq 0 ] && exit 0

uid=$(id -u)
if [ "$uid" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
  mapfile -t still < <(missing_packages)
  if [ "${#still[@]}" -gt 0 ]; then
    echo "test-setup: apt-get installed ${missing[*]} but ${still[*]} is still missing" >&2
    exit 1
  fi
  exit 0
fi

sudo="sudo "
[ "$uid" -eq 0 ] && sudo=""
{
  echo "test-setup: the tests need ${missing[*]} (Debian package names), which are not installed."
  echo "Install them, then run npm test again:"
  echo
  echo "  ${sudo}apt-get install -y ${missing[*]}"
  echo
} >&2
exit 1
