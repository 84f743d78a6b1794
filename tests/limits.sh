#!/bin/sh
# The limits of doc/limits.md, each tried at its value and one past it:
# at the limit the input is analysed as usual; past it rulecheck gives the
# documented message, at the documented position, with the documented
# exit status.  Inputs are generated here, so none is committed.

LC_ALL=C
export LC_ALL
: "${RULECHECK:=$PWD/rulecheck}"

if [ ! -x "$RULECHECK" ]; then
	echo "Bail out! no program at $RULECHECK"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/limits.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM
cd "$tmp" || exit 99

n=0

# run ARG...: run rulecheck; the status goes to $st, the output to out
# and err.
run()
{
	timeout -k 5 120 "$RULECHECK" "$@" </dev/null >out 2>err
	st=$?
}

# point DESCRIPTION STATUS [PATTERN [ABSENT]]: one TAP point on the last
# run: its status must be STATUS, PATTERN (a fixed string) must be in its
# output and ABSENT must not.
point()
{
	why=
	[ "$st" = "$2" ] || why="exit status $st, expected $2"
	if [ -n "${3-}" ] && ! grep -q -F -- "$3" out err; then
		why="${why:+$why; }no '$3' in the output"
	fi
	if [ -n "${4-}" ] && grep -q -F -- "$4" out err; then
		why="${why:+$why; }'$4' in the output"
	fi
	if grep -q -E 'Sanitizer|runtime error:' err; then
		why="${why:+$why; }memory or undefined-behaviour error"
	fi
	n=$((n + 1))
	if [ -z "$why" ]; then
		echo "ok $n - $1"
		return
	fi
	echo "not ok $n - $1"
	echo "# $why"
	head -n 5 out | sed 's/^/# stdout: /'
	head -n 5 err | sed 's/^/# stderr: /'
}

# repeat N TEXT: TEXT N times, no newline.
repeat()
{
	awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

# padded FILE SIZE: a rule file of exactly SIZE bytes.
padded()
{
	{
		printf '{"read": false, "write": false}'
		repeat $(($2 - 32)) ' '
		echo
	} >"$1"
}

# --- file size --------------------------------------------------------------

padded at.json 1000
run -f gcc --max-file-size 1000 at.json
point "file of exactly --max-file-size bytes is analysed" 0 "" "larger"
padded over.json 1001
run -f gcc --max-file-size 1000 over.json
point "file one byte over --max-file-size is refused" 2 \
	"rulecheck: over.json: file is larger than 1000 bytes"
"$RULECHECK" -f gcc --max-file-size 1000 --stdin-filename in.json - \
	<over.json >out 2>err
st=$?
point "standard input one byte over --max-file-size is refused" 2 \
	"rulecheck: in.json: file is larger than 1000 bytes"
padded at.json 8388608
run -f gcc at.json
point "file of 8 MiB is analysed" 0 "" "larger"
padded over.json 8388609
run -f gcc over.json
point "file of 8 MiB and one byte is refused" 2 \
	"file is larger than 8388608 bytes"
rm -f at.json over.json
run -f gcc --max-file-size 0 x.json
point "--max-file-size 0 is a usage error" 2 "positive number"

# --- rule objects -----------------------------------------------------------

# objects N: a collection map of N rule objects.
objects()
{
	awk -v n="$1" 'BEGIN {
		printf "{"
		for (i = 0; i < n; i++)
			printf "%s\n\"c%d\": {\"read\": false}", i ? "," : "", i
		print "}"
	}'
}
objects 3 >three.json
run -f gcc --max-rule-objects 3 three.json
point "file of exactly --max-rule-objects objects is analysed" 0 "" \
	"rule objects"
objects 4 >four.json
run -f gcc --max-rule-objects 3 four.json
point "file one object over --max-rule-objects is refused" 2 \
	"rulecheck: four.json: 4 rule objects, more than the limit of 3"
objects 10000 >at.json
run -f gcc --disable all --enable unknown-key at.json
point "file of 10000 rule objects is analysed" 0 "" "rule objects"
objects 10001 >over.json
run -f gcc --disable all --enable unknown-key over.json
point "file of 10001 rule objects is refused" 2 \
	"10001 rule objects, more than the limit of 10000"
rm -f at.json over.json

# --- JSON nesting -------------------------------------------------------------

# nested DEPTH: a rule object whose extra key holds arrays to DEPTH levels,
# counting the object itself.
nested()
{
	printf '{"read": true, "x": '
	repeat $(($1 - 1)) '['
	repeat $(($1 - 1)) ']'
	echo '}'
}
nested 512 >at.json
run -f gcc --disable all --enable json-syntax at.json
point "JSON nested 512 levels is read" 0 "" "json-syntax"
nested 513 >over.json
run -f gcc --disable all --enable json-syntax over.json
point "JSON nested 513 levels is a json-syntax error at the bracket" 1 \
	"over.json:1:532: error: nesting deeper than 512 levels [json-syntax]"

# --- expression nesting -------------------------------------------------------

# parens DEPTH: a rule nested DEPTH levels in parentheses.
parens()
{
	printf '{"read": "'
	repeat "$1" '('
	printf 'auth != null'
	repeat "$1" ')'
	echo '", "write": false}'
}
parens 256 >at.json
run -f gcc --disable all --enable expr-syntax at.json
point "expression nested 256 levels is compiled" 0 "" "expr-syntax"
parens 257 >over.json
run -f gcc --disable all --enable expr-syntax over.json
point "expression nested 257 levels is an expr-syntax error" 1 \
	"over.json:1:267: error: expression nested deeper than 256 levels [expr-syntax]"

# --- expression length ------------------------------------------------------

# long LENGTH: a rule whose expression is LENGTH characters long.
long()
{
	printf '{"read": "auth != null'
	repeat $(($1 - 12)) ' '
	echo '", "write": false}'
}
long 1024 >at.json
run -f gcc --disable all --enable expr-too-long at.json
point "expression of 1024 characters is within the platform's limit" 0 \
	"" "expr-too-long"
long 1025 >over.json
run -f gcc --disable all --enable expr-too-long over.json
point "expression of 1025 characters is expr-too-long" 1 \
	"over.json:1:11: error: expression of 1025 characters is over the platform's limit of 1024 [expr-too-long]"
long 16384 >at.json
run -f gcc --disable expr-too-long at.json
point "expression of 16384 bytes is compiled and checked" 0 \
	"[any-user-read]" "not analysed"
long 16385 >over.json
run -f gcc over.json
point "expression of 16385 bytes is not compiled" 1 \
	"over.json:1:11: error: expression of 16385 characters is over the platform's limit of 1024; not analysed [expr-too-long]" \
	"[any-user-read]"

# --- engine budget ----------------------------------------------------------

# The least budget under which every question about budget.json is
# decided; it depends on the engine, so it is searched for, and one less
# must leave a question undecided.
printf '{"posts": {"read": "doc.a == doc.b && doc.b == doc.c && doc.c != doc.a", "write": false}}\n' \
	>budget.json
incomplete()
{
	"$RULECHECK" -f gcc --disable all --enable analysis-incomplete \
		--max-evaluations "$1" budget.json >out 2>err
	st=$?
	grep -q 'analysis-incomplete' out
}
lo=1
hi=200000
if incomplete $hi || ! incomplete $lo; then
	echo "Bail out! budget.json does not bracket the budget"
	exit 99
fi
while [ $((hi - lo)) -gt 1 ]; do
	mid=$(((lo + hi) / 2))
	if incomplete $mid; then lo=$mid; else hi=$mid; fi
done
incomplete $hi
point "budget of $hi evaluations decides every question" 0 "" \
	"analysis-incomplete"
incomplete $lo
point "budget of $lo evaluations is analysis-incomplete" 1 \
	"budget.json:1:21: warning: the engine could not decide every question about this rule within its budget"
# The file as a whole gets 500 times the budget of one question, each
# evaluation weighted by the size of the rule: under the least budget that
# decides one copy of the rule, fifty copies run out, and the last ones
# (not the first) are left undecided.
awk '{ for (i = 1; i <= 50; i++) printf "%s\n", $0 }' budget.json |
	sed -e '1s/^/[/' -e '2,$s/^/,/' -e '$s/$/]/' >fifty.json
"$RULECHECK" -f gcc --disable all --enable analysis-incomplete \
	--max-evaluations $hi fifty.json >out 2>err
st=$?
point "fifty rules under that budget exhaust the file's work" 1 \
	"fifty.json:50:" "fifty.json:1:"

run -f gcc --max-evaluations 0 budget.json
point "--max-evaluations 0 is a usage error" 2 "positive number"

echo "1..$n"
exit 0
