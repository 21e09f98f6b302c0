#!/usr/bin/env bash
# Checks that release binaries built with --static-swift-stdlib need no shared library beyond
# libc and its kin, libcurl, OpenSSL and libxml2 (and what those bring themselves), so the slim
# runtime image (libcurl4, libssl3, libxml2, ca-certificates) is enough. Usage: check-binaries.sh FOLDER
# (No pipeline here ends its reader early: with pipefail, a writer's SIGPIPE would fail the check.)
set -euo pipefail
folder=${1:?usage: check-binaries.sh FOLDER}
names() { ldd "$1" | awk '{print $1}' | sed 's#.*/##' | sort -u; }
curl=$(ldconfig -p | awk '/libcurl\.so\.4 /{found=$NF} END{print found}')
ssl=$(ldconfig -p | awk '/libssl\.so\.3 /{found=$NF} END{print found}')
xml=$(ldconfig -p | awk '/libxml2\.so\.2 /{found=$NF} END{print found}')
allowed=$( { names "$curl"; names "$ssl"; names "$xml"; printf '%s\n' libcurl.so.4 libssl.so.3 libcrypto.so.3 libxml2.so.2 linux-vdso.so.1 \
  libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libutil.so.1 libgcc_s.so.1 libstdc++.so.6 \
  ld-linux-x86-64.so.2 ld-linux-aarch64.so.1 libz.so.1; } | sort -u)
status=0
checked=0
for binary in "$folder"/*; do
  [ -x "$binary" ] && [ -f "$binary" ] || continue
  checked=$((checked + 1))
  missing=$(ldd "$binary" | grep 'not found' || true)
  if [ -n "$missing" ]; then
    echo "FAIL $(basename "$binary"): $(echo "$missing" | tr '\n' ' ')"; status=1; continue
  fi
  extra=$(comm -23 <(names "$binary") <(echo "$allowed"))
  if [ -n "$extra" ]; then
    echo "FAIL $(basename "$binary") needs: $(echo $extra)"; status=1
  else
    echo "ok   $(basename "$binary") needs only libc, libcurl, OpenSSL and libxml2"
  fi
done
[ "$checked" -gt 0 ] || { echo "FAIL no binaries in $folder"; exit 1; }
exit $status
