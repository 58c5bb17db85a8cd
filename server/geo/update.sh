#!/usr/bin/env bash
# update.sh refreshes ip2region.db.gz, the IPv4 region database embedded in
# server/geo, from the npm package "ip2region" (its data/ip2region.db is
# ip2region's v1 format; data Apache-2.0).
#
#   server/geo/update.sh [VERSION]     # default: the version pinned below
#
# The output is reproducible: gzip -9 -n stores no name or time, so the same
# package version always gives the same bytes. Afterwards run
#   go test ./server/geo/...
# TestDataNames fails if the new data spells a province or city in a way our
# tables do not know yet; TestLookup pins what known addresses resolve to.
set -euo pipefail

version="${1:-2.3.0}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/ip2region.db.gz"

command -v npm >/dev/null || { echo "update.sh: npm is needed (apt-get install npm)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "ip2region@$version" >/dev/null)
tar -xzf "$work/ip2region-$version.tgz" -C "$work" package/data/ip2region.db
db="$work/package/data/ip2region.db"

# A v1 image starts with the offsets of its first and last index entries;
# refuse anything else before it replaces the embedded copy.
size=$(wc -c <"$db")
first=$(od -An -tu4 -j0 -N4 --endian=little "$db" | tr -d ' ')
last=$(od -An -tu4 -j4 -N4 --endian=little "$db" | tr -d ' ')
if (( first < 8 || last < first || (last - first) % 12 != 0 || last + 12 > size )); then
	echo "update.sh: ip2region@$version data/ip2region.db is not a v1 database" >&2
	exit 1
fi

gzip -9 -n -c "$db" >"$work/ip2region.db.gz"
mv "$work/ip2region.db.gz" "$out"
echo "ip2region@$version: $(( (last - first) / 12 + 1 )) ranges, $size bytes -> $(wc -c <"$out") bytes gzipped in $out"
