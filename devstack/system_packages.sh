#!/usr/bin/env bash
# Installs the Debian packages the project needs, and only those that are missing.
# Runs as root, or through sudo for a normal user. Idempotent: a no-op when all are present.
set -euo pipefail

PACKAGES=(
  postgresql-15 postgresql-15-postgis-3 postgresql-contrib   # database + PostGIS 3
  libgdal32 libgeos-c1v5 libproj25 gdal-bin                   # GeoDjango's C libraries, ogr2ogr
  mosquitto mosquitto-clients                                 # MQTT broker and CLI clients
  gettext                                                     # msgfmt for compilemessages
  chromium fonts-wqy-zenhei                                   # headless browser for page tests, CJK glyphs
  fonts-dejavu-core                                           # the maps' label glyphs (gis_core/frontend/vendor.py)
  gcc python3-dev libldap2-dev libsasl2-dev                   # python-ldap (single sign-on) builds from source: compiler, headers
  slapd ldap-utils                                            # the real LDAP server the single sign-on tests start
  nginx-light                                                 # the reverse proxy of docs/deploy (tests/test_deploy_proxy.py runs it)
  python3-venv
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "==> installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Package services must not start system-wide daemons: the project runs its own under var/.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && created_policy=1
fi
trap '[ $created_policy -eq 1 ] && $SUDO rm -f "$policy"' EXIT
$SUDO apt-get install -y --no-install-recommends "${missing[@]}" \
  || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; }
