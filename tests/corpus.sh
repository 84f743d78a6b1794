#!/bin/sh
# Corpus test: rulecheck runs over every file of the bundled corpus/, one
# TAP point per file.  Each run must end with status 0 or 1 (never 2 nor a
# signal) in both the gcc and the json formats, and the json output must
# parse (checked with jq when it is installed).

LC_ALL=C
export LC_ALL
srcdir=${abs_top_srcdir:-${srcdir:-.}}
: "${RULECHECK:=$PWD/rulecheck}"
timeout_s=${RULECHECK_TIMEOUT:-60}

if [ ! -x "$RULECHECK" ]; then
	echo "Bail out! no program at $RULECHECK"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corpus.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

have_jq=no
command -v jq >/dev/null 2>&1 && have_jq=yes

# check_run FORMAT FILE: run one format; print why it failed, if it did.
check_run()
{
	timeout "$timeout_s" "$RULECHECK" -f "$1" "$2" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	case $st in
	0 | 1) ;;
	124) echo "# -f $1: timed out" ;;
	*) echo "# -f $1: exit status $st" ;;
	esac
	if grep -q -E 'Sanitizer|runtime error:' "$tmp/err"; then
		echo "# -f $1: memory or undefined-behaviour error"
	fi
	if [ "$1" = json ] && [ $have_jq = yes ] && [ $st -le 1 ] &&
	   ! jq empty <"$tmp/out" >/dev/null 2>"$tmp/jq"; then
		echo "# -f json: the output is not JSON: $(head -n 1 "$tmp/jq")"
	fi
}

cd "$srcdir" || exit 99
files=$(find corpus -type f 2>/dev/null | sort)
if [ -z "$files" ]; then
	echo "1..0 # SKIP no corpus"
	exit 0
fi

echo "1..$(echo "$files" | wc -l | tr -d ' ')"
[ $have_jq = no ] && echo "# jq not found: json output not parsed"
n=0
echo "$files" | while IFS= read -r f; do
	n=$((n + 1))
	why=$(check_run gcc "$f"; check_run json "$f")
	if [ -z "$why" ]; then
		echo "ok $n - $f"
	else
		echo "not ok $n - $f"
		echo "$why"
		sed 's/^/# stderr: /' "$tmp/err" | head -n 5
	fi
done
exit 0
