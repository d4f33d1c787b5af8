#!/usr/bin/env bash
# packaging/debian-sources.sh DIR PACKAGE...: the Debian source packages of
# this machine's release, unpacked with their Debian patches into DIR/<name>.
#
# A private apt state (DIR/apt) with deb-src lines made from the machine's
# own apt sources (/etc/apt/sources.list*), so the system's apt configuration
# is left alone and the mirror is the one apt already uses.
set -euo pipefail
dir=$(realpath -m "$1"); shift
apt_dir=$dir/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"

# deb-src lines for every "deb" source of the machine (one-line and deb822 forms).
{
  grep -hE '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed -E 's/^\s*deb\s/deb-src /' || true
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    awk 'BEGIN{RS=""; FS="\n"}
         { types=""; uris=""; suites=""; comps=""; signed="";
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^Types:/) types = substr($i, 8)
             else if ($i ~ /^URIs:/) uris = substr($i, 6)
             else if ($i ~ /^Suites:/) suites = substr($i, 8)
             else if ($i ~ /^Components:/) comps = substr($i, 12)
             else if ($i ~ /^Signed-By:/) signed = substr($i, 11)
           }
           if (types ~ /deb/ && uris != "") {
             gsub(/^ +| +$/, "", signed)
             n = split(suites, s, " ")
             for (j = 1; j <= n; j++)
               printf "deb-src %s%s %s %s\n", (signed != "" ? "[signed-by=" signed "] " : ""), uris, s[j], comps
           }
         }' "$f"
  done
} | grep -E 'debian(-security)?/? ' > "$apt_dir/sources.list" || true

if ! [ -s "$apt_dir/sources.list" ]; then
  echo "debian-sources: no Debian mirror in /etc/apt/sources.list*; cannot fetch source packages" >&2
  exit 1
fi

OPTS=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=-"
     -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/archives"
     -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Sandbox::User=root")
APT=(apt-get -q "${OPTS[@]}")
if ! "${APT[@]}" update >"$apt_dir/update.log" 2>&1; then
  echo "debian-sources: the Debian mirror did not answer (see $apt_dir/update.log)" >&2
  exit 1
fi
for pkg in "$@"; do
  [ -d "$dir/$pkg" ] && continue
  rm -rf "$dir/src-$pkg" "$dir/$pkg.tmp"; mkdir -p "$dir/src-$pkg"
  # The newest version the mirror serves (a mirror may list a security
  # update whose files it does not have yet). apt checks each file against
  # the mirror's signed Release files.
  versions=$(apt-cache "${OPTS[@]}" showsrc "$pkg" | sed -n 's/^Version: //p' | sort -u |
             while read -r v; do echo "$v"; done | sort -r -V)
  fetched=""
  for v in $versions; do
    if (cd "$dir/src-$pkg" && "${APT[@]}" source --download-only "$pkg=$v" >/dev/null 2>&1); then fetched=$v; break; fi
    rm -f "$dir/src-$pkg"/*
  done
  [ -n "$fetched" ] || { echo "debian-sources: no version of $pkg could be fetched ($versions)" >&2; exit 1; }
  dsc=$(ls "$dir/src-$pkg"/*.dsc)
  (cd "$dir/src-$pkg" && dpkg-source --no-check -x "$(basename "$dsc")" "$dir/$pkg.tmp" >/dev/null)
  basename "$dsc" .dsc > "$dir/$pkg.tmp/.debian-source"
  mv "$dir/$pkg.tmp" "$dir/$pkg"
done
