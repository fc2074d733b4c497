#!/usr/bin/env bash
# Installs everything the portal needs on a fresh Debian machine: the system packages (CJK
# fonts and the Pango/HarfBuzz libraries WeasyPrint draws Chinese PDFs with, PostgreSQL,
# Chromium for the browser tests) and the Python environment in .venv, pinned by
# requirements.lock. Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  fonts-arphic-uming      # AR PL UMing CN: the 宋体 of every printed form (printing/pdf.py)
  fonts-hanazono          # HanaMin A/B: CJK Extension A-F, rare characters in names
  fonts-babelstone-han    # BabelStone Han: the newest 通用规范汉字表 characters
  fonts-dejavu-core       # Latin digits and symbols
  fonts-noto-cjk          # Noto Sans CJK SC: the interface in the browser tests' Chromium
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
  poppler-utils           # pdftoppm/pdftotext, to look at printed PDFs
  postgresql              # the production database; the tests run on it too
  chromium                # the browser tests' browser (Playwright drives it, downloads none)
  redis-server            # the shared cache of several app servers (scripts/cluster.sh)
  nginx-light             # the balancer in front of them (scripts/cluster.sh)
  wrk                     # the load of benchmarks/throughput.sh
)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # Installed, not started: services of their own (PostgreSQL, Redis, nginx) would take the
  # machine's ports; the project's scripts start their own copies on free loopback ports.
  no_start=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    no_start=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$no_start" >/dev/null
    $sudo chmod +x "$no_start"
    # Removed however apt ends: left behind, it would stop every service the machine installs.
    trap '$sudo rm -f "$no_start"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [ -z "$no_start" ] || { $sudo rm -f "$no_start"; trap - EXIT; }
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ requirements.lock -nt .venv/.installed ]; then
  echo "setup: installing Python packages from requirements.lock"
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
  touch .venv/.installed
fi
