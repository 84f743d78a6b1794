#!/bin/sh
# Golden tests: each directory under tests/golden/ is one case, run as one
# TAP point.  A case holds `cmd' (the arguments, split as a shell would),
# its input files, `expected' (exact standard output), `status' (the exit
# status) and optionally `expected-stderr' (exact standard error), `stdin'
# (fed to standard input; otherwise it is empty) and `todo' (a known bug:
# the case is reported as an expected failure, the file says why).
#
# The inputs are copied into a scratch directory, which becomes the
# working directory, so the source tree may be read-only.  RULECHECK names
# the program; RULECHECK_WRAPPER (e.g. valgrind) is put in front of it.

LC_ALL=C
export LC_ALL
srcdir=${abs_top_srcdir:-${srcdir:-.}}
golden=$srcdir/tests/golden
: "${RULECHECK:=$PWD/rulecheck}"
timeout_s=${RULECHECK_TIMEOUT:-60}

if [ ! -x "$RULECHECK" ]; then
	echo "Bail out! no program at $RULECHECK"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || exit 99
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

limit()
{
	if command -v timeout >/dev/null 2>&1; then
		timeout "$timeout_s" "$@"
	else
		"$@"
	fi
}

# Copy the inputs of case $1 (everything but its control files) to $2.
copy_inputs()
{
	mkdir "$2" || return 1
	for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		case ${f##*/} in
		cmd | expected | expected-stderr | status | stdin | todo)
			continue ;;
		esac
		cp -R "$f" "$2"/ || return 1
	done
	chmod -R u+w "$2"
}

# Copy standard input as TAP diagnostics.
diag()
{
	sed 's/^/# /'
}

# Run case $1; print diagnostics and return nonzero when it fails.
run_case()
{
	dir=$golden/$1
	work=$tmp/$1

	for f in cmd expected status; do
		if [ ! -f "$dir/$f" ]; then
			echo "# the case has no '$f' file"
			return 1
		fi
	done
	mkdir "$work" && copy_inputs "$dir" "$work/case" || return 1
	input=/dev/null
	[ -f "$dir/stdin" ] && input=$dir/stdin

	eval "set -- $(cat "$dir/cmd")"
	(cd "$work/case" && limit ${RULECHECK_WRAPPER-} "$RULECHECK" "$@") \
		<"$input" >"$work/stdout" 2>"$work/stderr"
	status=$?
	compare "$dir" "$work" "$status"
}

compare()
{
	fail=0
	want=$(tr -d ' \t\r\n' <"$1/status")

	if [ "$3" != "$want" ]; then
		case $3 in
		124) echo "# timed out after ${timeout_s}s" ;;
		*) echo "# exit status $3, expected $want" ;;
		esac
		fail=1
	fi
	if ! cmp -s "$1/expected" "$2/stdout"; then
		echo "# standard output differs:"
		diff -u -L expected -L stdout "$1/expected" "$2/stdout" |
			head -n 100 | diag
		fail=1
	fi
	if [ -f "$1/expected-stderr" ] &&
	   ! cmp -s "$1/expected-stderr" "$2/stderr"; then
		echo "# standard error differs:"
		diff -u -L expected-stderr -L stderr \
			"$1/expected-stderr" "$2/stderr" | head -n 100 | diag
		fail=1
	elif grep -q -E 'Sanitizer|runtime error:|^==[0-9]+==' "$2/stderr"; then
		echo "# the run reported a memory or undefined-behaviour error:"
		head -n 40 "$2/stderr" | diag
		fail=1
	elif [ $fail = 1 ] && [ -s "$2/stderr" ]; then
		echo "# standard error:"
		head -n 20 "$2/stderr" | diag
	fi
	return $fail
}

cases=
if [ -d "$golden" ]; then
	cases=$(cd "$golden" && for d in *; do
		[ -d "$d" ] && echo "$d"
	done)
fi
if [ -z "$cases" ]; then
	echo "1..0 # SKIP no golden cases"
	exit 0
fi

echo "1..$(echo "$cases" | wc -l | tr -d ' ')"
n=0
for name in $cases; do
	n=$((n + 1))
	todo=
	if [ -f "$golden/$name/todo" ]; then
		todo=" # TODO $(head -n 1 "$golden/$name/todo")"
	fi
	if out=$(run_case "$name"); then
		echo "ok $n - $name$todo"
	else
		echo "not ok $n - $name$todo"
	fi
	[ -n "$out" ] && echo "$out"
done
exit 0
