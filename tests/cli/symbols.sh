#!/bin/sh
# symbols.sh - the shared library exports only the public mpipool_ API:
# no internal mpipool__ symbol and nothing without the prefix.
lib=./.libs/libmpipool.so
if [ ! -f "$lib" ]; then
  echo "not ok 1 - $lib exists"; echo "1..1"; exit 1
fi
syms=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ {print $3}')
bad=$(printf '%s\n' "$syms" | grep -v '^mpipool_[a-z]' || true)
count=$(printf '%s\n' "$syms" | grep -c '^mpipool_[a-z]')
if [ -z "$bad" ]; then echo "ok 1 - only mpipool_ symbols exported"
else echo "not ok 1 - unexpected exports:"; printf '# %s\n' $bad; fi
if grep -q 'mpipool_version' <<EOF2
$syms
EOF2
then echo "ok 2 - mpipool_version is exported ($count public symbols)"
else echo "not ok 2 - mpipool_version is exported"; fi
echo "1..2"
[ -z "$bad" ]
