#!/bin/sh
# symbols.sh - the shared library exports only the public mpipool_ API
# (no internal mpipool__ symbol, nothing without the prefix), and the
# mpipool program is a client of it: it links libmpipool.so, defines no
# mpipool_ symbol of its own (the engine is not compiled into it), uses
# no internal one, and its sources name none.
lib=./.libs/libmpipool.so
prog=./mpipool
srcdir=${top_srcdir:-..}
n=0 fails=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
if [ ! -f "$lib" ] || [ ! -f "$prog" ]; then
  echo "not ok 1 - $lib and $prog exist"; echo "1..1"; exit 1
fi
syms=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ {print $3}')
bad=$(printf '%s\n' "$syms" | grep -v '^mpipool_[a-z]' || true)
count=$(printf '%s\n' "$syms" | grep -c '^mpipool_[a-z]')
if [ -z "$bad" ]; then pass "only mpipool_ symbols exported"
else fail "unexpected exports:"; printf '# %s\n' $bad; fi
if printf '%s\n' "$syms" | grep -qx 'mpipool_version'
then pass "mpipool_version is exported ($count public symbols)"
else fail "mpipool_version is exported"; fi

if readelf -d "$prog" | grep -q 'NEEDED.*\[libmpipool\.so'
then pass "the program links libmpipool.so"
else fail "the program links libmpipool.so"; fi
own=$(nm --defined-only "$prog" | awk '{print $3}' | grep '^mpipool_' || true)
if [ -z "$own" ]; then pass "the program defines no mpipool_ symbol"
else fail "the program defines library symbols:"; printf '# %s\n' $own; fi
used=$(nm -D --undefined-only "$prog" | awk '{print $2}' | grep '^mpipool_' || true)
internal=$(printf '%s\n' "$used" | grep '^mpipool__' || true)
nused=$(printf '%s\n' "$used" | grep -c '^mpipool_[a-z]')
if [ -z "$internal" ] && [ "$nused" -gt 10 ]
then pass "the program uses $nused public calls and no internal one"
else fail "the program uses internal calls ($nused public):"; printf '# %s\n' $internal; fi
names=$(grep -rn 'mpipool__' "$srcdir/src/cli" || true)
if [ -z "$names" ]; then pass "no mpipool__ name in src/cli"
else fail "src/cli names internals:"; printf '%s\n' "$names" | sed 's/^/# /'; fi
echo "1..$n"
[ "$fails" -eq 0 ]
