# Sourced by the shell tests: the program under test, a temporary
# directory removed on exit, and TAP output.  The caller sets NAME first.
LC_ALL=C
export LC_ALL
srcdir=${abs_top_srcdir:-${srcdir:-.}}
: "${RULECHECK:=$PWD/rulecheck}"
timeout_s=${RULECHECK_TIMEOUT:-300}

if [ ! -x "$RULECHECK" ]; then
	echo "Bail out! no program at $RULECHECK"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || exit 99
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

n=0

ok()
{
	n=$((n + 1))
	echo "ok $n - $1"
}

# not_ok DESCRIPTION [DETAILS]
not_ok()
{
	n=$((n + 1))
	echo "not ok $n - $1"
	[ -n "${2-}" ] && echo "$2" | sed 's/^/# /'
}

# skip DESCRIPTION REASON
skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# check DESCRIPTION EXPECTED ACTUAL: the two files are the same.
same_files()
{
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "$(diff "$2" "$3" | head -n 10)"
	fi
}

# The program, with a time limit and no standard input.
rc()
{
	timeout "$timeout_s" "$RULECHECK" "$@" </dev/null
}

# peak COMMAND...: the peak resident set of COMMAND, in KiB, its output
# discarded.  Needs python3.
peak()
{
	python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}

plan()
{
	echo "1..$n"
}
