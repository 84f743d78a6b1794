#!/bin/sh
# Hostile inputs: rulecheck must answer every one of them with exit status
# 1 (findings) or 2 (error) and a message naming the file, with a position
# where the fault has one; never a crash, a hang or unbounded memory.
# Each run has a time limit and a 1 GiB address-space cap (not under the
# sanitizers, which reserve far more address space than they use).

LC_ALL=C
export LC_ALL
: "${RULECHECK:=$PWD/rulecheck}"
mem_kb=1048576
scale=1
capped=yes
if [ -n "${RULECHECK_SANITIZERS-}" ]; then
	scale=4
	capped=no
fi

if [ ! -x "$RULECHECK" ]; then
	echo "Bail out! no program at $RULECHECK"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hostile.XXXXXX") || exit 99
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM
cd "$tmp" || exit 99

n=0
also=
todo=

# run SECONDS ARG...: run rulecheck on standard input $input (default
# empty); leaves the status in $st, the output in out and err.
run()
{
	secs=$(($1 * scale))
	shift
	(
		if [ $capped = yes ]; then
			ulimit -v $mem_kb || exit 98
		fi
		exec timeout -k 5 "$secs" "$RULECHECK" "$@"
	) <"${input:-/dev/null}" >out 2>err
	st=$?
	input=
}

# verdict DESCRIPTION STATUSES [NAME [position|position-if-1|LINE]]:
# one TAP point on the last run and on $also, a fault the caller found;
# setting $todo before the call marks the point as a known bug.
# NAME must appear in the output; with `position' a finding
# NAME:line:col: is required, with a number it must be on that line, with
# `position-if-1' only when the status is 1.
verdict()
{
	what=$1 ok_status=$2 name=${3-} pos=${4-}
	why=$also
	also=

	case $st in
	124) why="${why:+$why; }timed out" ;;
	98) why="${why:+$why; }could not set the memory cap" ;;
	*)
		if [ "$st" -ge 128 ]; then
			why="${why:+$why; }killed by signal $((st - 128))"
		fi
		case " $ok_status " in
		*" $st "*) ;;
		*) why="${why:+$why; }exit status $st, expected one of: $ok_status" ;;
		esac
		;;
	esac
	if grep -q -E 'Sanitizer|runtime error:' err; then
		why="${why:+$why; }memory or undefined-behaviour error"
	fi
	if [ -n "$name" ] && ! grep -q -F -- "$name" out err; then
		why="${why:+$why; }no message names '$name'"
	fi
	[ "$pos" = position-if-1 ] && { [ "$st" = 1 ] && pos=position || pos=; }
	case $pos in
	'') ;;
	position)
		if ! cat out err | grep -F -- "$name:" |
		   grep -q -E ':[0-9]+:[0-9]+:'; then
			why="${why:+$why; }no position $name:line:col:"
		fi
		;;
	*)
		if ! cat out err | grep -q -F -- "$name:$pos:"; then
			why="${why:+$why; }no position on line $pos ($name:$pos:col:)"
		fi
		;;
	esac

	n=$((n + 1))
	[ -n "$todo" ] && what="$what # TODO $todo"
	todo=
	if [ -z "$why" ]; then
		echo "ok $n - $what"
		return
	fi
	echo "not ok $n - $what"
	echo "# $why"
	head -c 2000 out | head -n 10 | sed 's/^/# stdout: /'
	head -c 2000 err | head -n 10 | sed 's/^/# stderr: /'
}

skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# repeat N TEXT: TEXT N times, no newline.
repeat()
{
	awk -v n="$1" -v s="$2" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "%s", s
	}'
}

# --- small malformed files ----------------------------------------------

: >empty.json
run 20 -f gcc empty.json
verdict "empty file" "1 2" empty.json position-if-1

input=empty.json
run 20 -f gcc --stdin-filename stdin.json -
verdict "empty standard input" "1 2" stdin.json position-if-1

printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\003\000' \
	>binary.json
printf '>\000\001\000\000\000\300\020\000\000\000\000\000\000@\000' \
	>>binary.json
head -c 4096 /dev/zero >>binary.json
run 20 -f gcc binary.json
verdict "binary bytes with NUL" "1 2" binary.json position-if-1

printf '{\n  "read": "auth != null\000 || true",\n  "write": false\n}\n' \
	>nul-in-rule.json
run 20 -f gcc nul-in-rule.json
verdict "NUL byte inside a rule string" "1 2" nul-in-rule.json position

printf '{"read": "auth != null \377\376\300", "write": tru }\n' \
	>bad-utf8.json
run 20 -f gcc bad-utf8.json
verdict "invalid UTF-8 before a syntax error" "1 2" bad-utf8.json 1

printf '{\n  "read": "auth != null,\n  "write": false\n}' >unterminated.json
run 20 -f gcc unterminated.json
verdict "unterminated string" "1 2" unterminated.json position

printf '{\n  "read": "auth != null",\n  "write": "doc._openid == %s\n' \
	auth.openid >unterminated-eof.json
run 20 -f gcc unterminated-eof.json
verdict "string open at end of file" "1 2" unterminated-eof.json position

printf '{\n  "read": "get(`database.users.${auth.openid}).admin == true"\n}\n' \
	>template.json
run 20 -f gcc template.json
verdict "unterminated template in an expression" "1 2" template.json 2

printf '{\n  "read": "get(`database.users.${auth.openid`).admin"\n}\n' \
	>template-subst.json
run 20 -f gcc template-subst.json
verdict "unterminated \${ in a template" "1 2" template-subst.json 2

# --- deep nesting ----------------------------------------------------------

{ repeat 100000 '['; repeat 100000 ']'; } >deep-array.json
run 20 -f gcc deep-array.json
verdict "JSON arrays nested 100000 deep" "1 2" deep-array.json position

{ repeat 100000 '{"a":'; echo 'true'; } >deep-object.json
run 20 -f gcc deep-object.json
verdict "JSON objects nested 100000 deep, unclosed" "1 2" deep-object.json \
	position

{
	printf '{\n  "read": "'
	repeat 100000 '('
	printf 'auth != null'
	repeat 100000 ')'
	printf '"\n}\n'
} >deep-parens.json
run 20 -f gcc deep-parens.json
verdict "100000 nested parentheses in a rule" "1 2" deep-parens.json 2

{
	printf '{\n  "read": "'
	repeat 400 '('
	printf 'auth != null'
	repeat 400 ')'
	printf '"\n}\n'
} >nested-parens.json
run 20 -f gcc nested-parens.json
verdict "400 nested parentheses (under 1024 characters)" "1 2" \
	nested-parens.json 2

{
	printf '{\n  "read": "'
	repeat 1000 '!'
	printf 'auth"\n}\n'
} >deep-not.json
run 20 -f gcc deep-not.json
verdict "1000 chained negations" "0 1 2"

# --- expensive rules ------------------------------------------------------

# Sixteen groups of comparisons whose questions each exhaust the engine's
# budget: the file as a whole must still be done in seconds.
awk 'BEGIN {
	printf "{\"create\": \""
	for (i = 0; i < 16; i++)
		printf "%s(now + %d > request.data.e%d.b > 0 && doc.i%d %% 2 == 0)",
		       i ? " && " : "", i, i, i
	print "\"}"
}' >expensive.json
run 20 -f gcc expensive.json
verdict "910-character rule over the budget of every question" "1" \
	analysis-incomplete

# --- 50 MiB files ----------------------------------------------------------

awk 'BEGIN {
	print "{"
	for (i = 0; i < 680000; i++)
		printf "  \"c%d\": {\"read\": \"auth != null\", \"write\": " \
		       "\"doc._openid == auth.openid\"},\n", i
	print "  \"last\": {\"read\": true, \"write\": false}"
	print "}"
}' >big.json
run 60 -f gcc big.json
verdict "50 MiB valid collection map: over the size limit" "2" big.json
run 60 -f gcc --max-file-size 60000000 big.json
verdict "50 MiB valid collection map: too many rule objects" "2" \
	"rule objects"
rm -f big.json

awk 'BEGIN {
	srand(7)
	for (i = 0; i < 1048576; i++)
		printf "%c", int(rand() * 256)
}' >garbage.1
i=0
while [ $i -lt 50 ]; do
	cat garbage.1
	i=$((i + 1))
done >garbage.json
rm -f garbage.1
run 60 -f gcc garbage.json
verdict "50 MiB of random bytes" "1 2" garbage.json position-if-1
rm -f garbage.json

awk 'BEGIN {
	print "{"
	for (i = 0; i < 1300000; i++)
		printf "  \"c%d\": {\"read\": \"auth != null\"},\n", i
	printf "  \"last\": {\"read\": tru"
}' >truncated.json
last=$(($(wc -l <truncated.json) + 1))
run 60 -f gcc --max-file-size 60000000 truncated.json
verdict "50 MiB map with a fault on its last line" "1 2" truncated.json \
	"$last"
rm -f truncated.json

# --- the file system ------------------------------------------------------

mkdir -p loop/rules
ln -s .. loop/rules/up
printf '{\n  "read": "auth != null &&",\n  "write": false\n}\n' \
	>loop/rules/database-rules.json
run 20 -f gcc loop
if [ "$(grep -c -F 'database-rules.json' out)" -gt 20 ]; then
	also="the file was reported over and over"
fi
verdict "directory symlink loop" "1 2" database-rules.json position

if command -v mkfifo >/dev/null 2>&1; then
	mkdir fifo
	mkfifo fifo/pipe.json
	cp loop/rules/database-rules.json fifo/
	run 20 -f gcc fifo
	verdict "directory holding a FIFO" "1 2"
else
	skip "directory holding a FIFO" "mkfifo not found"
fi

printf '{"read": true}\n' >unreadable.json
chmod 000 unreadable.json
if [ "$(id -u)" = 0 ]; then
	skip "unreadable file" "running as root, which reads any file"
else
	run 20 -f gcc unreadable.json
	verdict "unreadable file" "2" unreadable.json
fi

run 20 -f gcc does-not-exist.json
verdict "nonexistent path" "2" does-not-exist.json

echo "1..$n"
exit 0
