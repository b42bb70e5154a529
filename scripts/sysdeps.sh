#!/usr/bin/env bash
# Installs the Debian packages hipcheck needs, only when one is missing.
set -euo pipefail
need=()
for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
# Add packages here as features need them (kept in one list so make install and CI agree).
# Plan handout: WeasyPrint needs Pango and a font; the tests read PDFs back with poppler (pdftotext, pdftoppm).
DEFAULT_PKGS=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils
  chromium chromium-driver ffmpeg)  # web: end-to-end browser tests; stripping video metadata
for pkg in "${DEFAULT_PKGS[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "hipcheck needs these Debian packages: ${need[*]} (run as root or install them)"; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
