#!/bin/sh
# The memos of a run change no output: every file checked in one run,
# where later objects and values are reported from the verdicts kept for
# earlier ones, prints exactly what the files print checked one run
# each.  Under several options, including a budget so small that files
# run out of work and verdicts must be found afresh.  role-doc-writable
# is left out: it depends on the other files of the scan by design.

NAME=memo
. "${abs_top_srcdir:-${srcdir:-.}}/tests/tap.sh"

files=$(find "$srcdir/corpus" "$srcdir/tests/memo" -name '*.json' |
	sort)
# Each file twice, the second time from a copy under another name, so
# that every object of it is met again.
mkdir "$tmp/again" || exit 99
for f in $files; do
	cp "$f" "$tmp/again/$(echo "$f" | tr / _)" || exit 99
done
again=$(for f in $files; do echo "$tmp/again/$(echo "$f" | tr / _)"; done)

one_run()
{
	label=$1
	shift
	: >"$tmp/separate"
	for f in $files $again; do
		rc -j1 -f gcc --no-config --disable role-doc-writable "$@" \
			"$f" >>"$tmp/separate" 2>&1
	done
	for j in 1 2; do
		# shellcheck disable=SC2086
		rc -j$j -f gcc --no-config --disable role-doc-writable "$@" \
			$files $again >"$tmp/together" 2>&1
		same_files "one run each, or one for all (-j$j): $label" \
			"$tmp/separate" "$tmp/together"
	done
}

one_run "default options"
one_run "level 3, web only" --level 3 --platforms web
one_run "budget of 40 evaluations" --max-evaluations 40
one_run "budget of 400 evaluations" --max-evaluations 400
one_run "only some checks" --disable always-true,platform-mismatch,redundant-condition

# Every member of every finding, as the JSON form has them.
if command -v jq >/dev/null 2>&1; then
	: >"$tmp/separate"
	for f in $files $again; do
		rc -f json --no-config --disable role-doc-writable "$f" |
			jq -c '.findings[]' >>"$tmp/separate"
	done
	# shellcheck disable=SC2086
	rc -j2 -f json --no-config --disable role-doc-writable $files $again |
		jq -c '.findings[]' >"$tmp/together"
	same_files "one run each, or one for all: the JSON form" \
		"$tmp/separate" "$tmp/together"
else
	ok "one run each, or one for all: the JSON form # SKIP no jq"
fi

# The small budget does run files out of work, so that the case above
# is not empty.
if rc -f gcc --no-config --max-evaluations 40 $files | \
	grep -q 'analysis-incomplete'; then
	ok "a budget of 40 leaves questions undecided"
else
	not_ok "a budget of 40 leaves questions undecided"
fi

# The kept trees are bounded: 4,000 long rules, none like another, take
# no more memory than 2,000 do.  Each tree that found the table full
# once stayed in the arena of kept trees, unused (118 MiB against 71).
if [ -n "${RULECHECK_SANITIZERS-}" ] || ! command -v python3 >/dev/null 2>&1
then
	skip "kept trees stay within their bound" "sanitizers, or no python3"
else
	mkdir "$tmp/long" || exit 99
	awk -v dir="$tmp/long" 'BEGIN {
		for (f = 0; f < 40; f++) {
			out = sprintf("%s/r%02d.json", dir, f)
			printf "{" >out
			for (i = 0; i < 100; i++) {
				c = f * 100 + i
				printf "%s\"c%d\": {\"read\": \"", \
					i ? ", " : "", c >out
				for (j = 0; j < 40; j++)
					printf "%sdoc.f%d_%d == '"'"'v%d'"'"'", \
						j ? " || " : "", c, j, j >out
				printf "\", \"write\": false}" >out
			}
			print "}" >out
			close(out)
		}
	}' || exit 99
	half=$(ls "$tmp"/long/r[0-1]*.json)
	opts="-j1 --no-config --disable all --enable always-true"
	# shellcheck disable=SC2086
	half_kb=$(peak "$RULECHECK" $opts $half)
	# shellcheck disable=SC2086
	all_kb=$(peak "$RULECHECK" $opts "$tmp"/long/*.json)
	# shellcheck disable=SC2086
	if rc $opts --enable expr-syntax "$tmp"/long/r39.json >/dev/null &&
	   [ -n "$half_kb" ] && [ -n "$all_kb" ] &&
	   [ "$all_kb" -lt $((half_kb * 5 / 4)) ]; then
		ok "kept trees stay within their bound"
	else
		not_ok "kept trees stay within their bound" \
			"peak ${half_kb} KiB for 2,000 rules, ${all_kb} KiB for 4,000"
	fi
fi
plan
