#!/usr/bin/env bash
# Fails when an #include runs against tsbridge's layers (README, "Architecture"):
#   core        knows no other layer (include/tsbridge/*.h is core's public face)
#   formats     knows core only            tablestore  knows core only
#   emulator    knows core and tablestore  jobs        knows core, formats and tablestore
#   cli         knows everything
# include/tsbridge/tablestore/ is the tablestore layer's public face.
set -euo pipefail
cd "$(dirname "$0")/.."

layer_of_file() {
  case $1 in
    include/tsbridge/tablestore/*) echo tablestore ;;
    include/tsbridge/*) echo core ;;
    src/*/*) local rest=${1#src/}; echo "${rest%%/*}" ;;
    *) echo "" ;;
  esac
}

layer_of_include() {
  case $1 in
    tsbridge/tablestore/*) echo tablestore ;;
    tsbridge/*) echo core ;;
    core/* | formats/* | tablestore/* | emulator/* | jobs/* | cli/*) echo "${1%%/*}" ;;
    *) echo "" ;;
  esac
}

allowed() {
  case "$1>$2" in
    core\>core) return 0 ;;
    formats\>core | formats\>formats) return 0 ;;
    tablestore\>core | tablestore\>tablestore) return 0 ;;
    emulator\>core | emulator\>tablestore | emulator\>emulator) return 0 ;;
    jobs\>core | jobs\>formats | jobs\>tablestore | jobs\>jobs) return 0 ;;
    cli\>*) return 0 ;;
  esac
  return 1
}

bad=0
while IFS= read -r file; do
  from=$(layer_of_file "$file")
  [ -n "$from" ] || continue
  while IFS= read -r inc; do
    to=$(layer_of_include "$inc")
    [ -n "$to" ] || continue
    if ! allowed "$from" "$to"; then
      echo "$file: includes \"$inc\": the $from layer may not depend on $to" >&2
      bad=1
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
done < <(git ls-files -- src include 2>/dev/null | grep -E '\.(h|cc)$' || find src include -name '*.h' -o -name '*.cc')

# A format is a plug-in of src/formats (its folder and one registry line): the jobs ask the
# registry's descriptors and never name a format or include one's headers.
while IFS= read -r hit; do
  echo "$hit: src/jobs names a file format; ask its FormatDescriptor (src/formats/format.h)" >&2
  bad=1
done < <(grep -rnE 'FileFormat::k[A-Z]|#include "formats/[a-z_]+/' src/jobs || true)

if [ "$bad" -ne 0 ]; then
  echo "check-layers: includes that run against the layers (see the README's Architecture)" >&2
  exit 1
fi
echo "check-layers: every include follows the layers"
