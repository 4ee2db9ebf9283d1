#!/usr/bin/env bash
# Install the Debian packages handouts needs, only those missing, quietly.
# Pango and HarfBuzz's subsetter for WeasyPrint (without libharfbuzz-subset0 it falls back
# to fontTools and a CJK handout takes ~15x longer), the three CJK faces, poppler and qpdf
# for reading PDFs back in the tests, strace to watch a hostile build open nothing outside
# the project, and LibreOffice Writer without its GUI, which the tests use to open every
# Word file we write and print it to PDF, to read Word files as an office suite does, and
# to write an old .doc for the readers' tests; chromium with its driver for the
# workbench's browser tests.
set -euo pipefail

packages=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
  fontconfig fonts-noto-cjk fonts-lxgw-wenkai
  poppler-utils qpdf
  strace
  libreoffice-writer-nogui
  chromium chromium-driver
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "handouts: missing system packages (${missing[*]}) and no apt-get to install them" >&2
  exit 1
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "handouts: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "handouts: installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "handouts: apt-get failed installing: ${missing[*]}" >&2
  exit 1
fi
rm -f "$log"
fc-cache -f >/dev/null 2>&1 || true
