#!/bin/sh
# A short run of every fuzz target from its seeds, for CI: smoke.sh SRCDIR
# FUZZDIR [SECONDS].  FUZZDIR holds the targets and their seeds (corpus/),
# as `make fuzz' leaves them.  The seeds run first, so a committed input
# that once crashed a target is tried again every time.  Any crash, leak,
# timeout or out-of-memory fails the target.  Prints TAP and a summary in
# the form of automake's test harness.

srcdir=$1
fuzzdir=$2
secs=${3:-60}
pass=0
fail=0
skip=0
n=0

# smoke NAME DICTIONARY: one TAP point for target NAME.
smoke()
{
	bin=$fuzzdir/fuzz-$1
	work=$fuzzdir/smoke/$1
	n=$((n + 1))
	if [ ! -x "$bin" ]; then
		echo "ok $n - fuzz-$1 # SKIP not built"
		skip=$((skip + 1))
		return
	fi
	rm -rf "$work"
	mkdir -p "$work/corpus" || exit 99
	"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
		-dict="$srcdir/tests/fuzz/$2" -artifact_prefix="$work/" \
		-print_final_stats=1 "$work/corpus" "$fuzzdir/corpus/$1" \
		>"$work/log" 2>&1
	st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	cov=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 |
	      sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1, ft \2/p')
	if [ "$st" = 0 ] && [ -n "$runs" ]; then
		echo "ok $n - fuzz-$1: $runs runs, $cov"
		pass=$((pass + 1))
		return
	fi
	echo "not ok $n - fuzz-$1: exit status $st"
	grep -E 'ERROR|SUMMARY|==[0-9]+==|Test unit written' "$work/log" |
		head -n 20 | sed 's/^/# /'
	fail=$((fail + 1))
}

echo "1..4"
smoke json json.dict
smoke expr rules.dict
smoke lint rules.dict
smoke lsp json.dict

echo "# TOTAL: $n"
echo "# PASS: $pass"
echo "# SKIP: $skip"
echo "# XFAIL: 0"
echo "# FAIL: $fail"
echo "# XPASS: 0"
echo "# ERROR: 0"
[ "$fail" = 0 ]
