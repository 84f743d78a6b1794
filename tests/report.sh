#!/bin/sh
# The evidence report against the rest of the tool: its matrix is the
# matrix of `rulecheck matrix', its findings and witnesses those of a
# scan, its digests those of sha256sum, over the whole corpus.  Then
# -o: atomic replacement, no loss of an existing file on error, no
# temporary file left behind; and SOURCE_DATE_EPOCH.  Prints TAP.

LC_ALL=C
export LC_ALL
srcdir=${abs_top_srcdir:-${srcdir:-.}}
: "${RULECHECK:=$PWD/rulecheck}"
run() { ${RULECHECK_WRAPPER-} "$RULECHECK" "$@"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/report.XXXXXX") || exit 99
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
n=0
failed=0

ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

skip()
{
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}

# Undo the Markdown escapes of a text cell.
unescape='s/\\\([][\\`*_<>|&~#]\)/\1/g'

cd "$srcdir" || exit 99
run report --no-config corpus/ >"$tmp/corpus.md" 2>"$tmp/err"
status=$?
[ "$status" = 0 ] || [ "$status" = 1 ]
ok $? "report of the corpus (status $status)"

# Digests: the files table against sha256sum.
awk '/^## Files analysed/ { on = 1; next } /^## / { on = 0 }
     on && /^\| / && !/^\| file / { print }' "$tmp/corpus.md" |
	sed "$unescape" |
	awk -F ' \\| ' '{ sub(/^\| /, "", $1); gsub(/[` |]/, "", $5);
			   print $5 "  " $1 }' >"$tmp/sums"
if command -v sha256sum >/dev/null 2>&1; then
	test -s "$tmp/sums" && sha256sum -c --quiet "$tmp/sums" >"$tmp/log" 2>&1
	ok $? "the $(wc -l <"$tmp/sums" | tr -d ' ') digests agree with sha256sum"
	sed 's/^/# /' "$tmp/log" | head -n 5
else
	skip "sha256sum is missing"
fi

if ! command -v jq >/dev/null 2>&1; then
	skip "jq is missing: matrix and findings not compared"
	skip "jq is missing"
	echo "1..$n"
	exit $failed
fi

# The matrix: every row of every kind, name, classes and file.
run matrix --format json corpus/ 2>/dev/null |
	jq -r '.matrix[] | [(.name // (if .pointer == "" then .file
		else .pointer end)), .read, .create, .update, .delete,
		.write, .invoke, .file] | map(select(. != null)) | join(" ")' \
	>"$tmp/matrix.want"
awk '/^## Permission matrix/ { on = 1; next } /^## / { on = 0 }
     /^\| name \| operation/ { rules = 1 } /^$/ { rules = 0 }
     on && !rules && /^\| / && !/^\|---/ &&
     !/^\| (collection|bucket|function) \|/ { print }' "$tmp/corpus.md" |
	sed "$unescape" |
	awk -F ' \\| ' '{ sub(/^\| /, "", $1); line = $1
			   for (i = 2; i < NF; i++) line = line " " $i
			   print line }' >"$tmp/matrix.got"
test -s "$tmp/matrix.want" && cmp -s "$tmp/matrix.want" "$tmp/matrix.got"
ok $? "the matrix is that of rulecheck matrix ($(wc -l <"$tmp/matrix.want" |
	tr -d ' ') rows)"
diff "$tmp/matrix.want" "$tmp/matrix.got" | head -n 10 | sed 's/^/# /'

# The findings: check, position and witness of each, against a scan.
run --format json --no-config corpus/ 2>/dev/null |
	jq -r '.findings[] | "\(.check) \(.file):\(.line):\(.column) " +
		(if .witness then (.witness | tojson) else "-" end)' |
	sort >"$tmp/findings.want"
awk '/^## Findings by control/ { on = 1; next } /^## / { on = 0 }
     on && /^\| / && !/^\|---/ && !/^\| severity \|/ { print }' \
	"$tmp/corpus.md" |
	awk -F ' \\| ' '{ w = $NF; sub(/ \|$/, "", w); gsub(/`/, "", w)
			   gsub(/\\\|/, "|", w); sub(/^ +/, "", w)
			   sub(/ +$/, "", w); if (w == "") w = "-"
			   pos = $3; gsub(/\\/, "", pos)
			   print $2 " " pos " " w }' |
	sort >"$tmp/findings.got"
test -s "$tmp/findings.want" && cmp -s "$tmp/findings.want" "$tmp/findings.got"
ok $? "the findings and witnesses are those of a scan ($(wc -l \
	<"$tmp/findings.want" | tr -d ' ') findings)"
diff "$tmp/findings.want" "$tmp/findings.got" | head -n 10 | sed 's/^/# /'

# The category of every check, in doc/report.md and in the program.
awk '/^\| category \| level 2/ { on = 1; next } /^$/ { on = 0 }
     on && !/^\|---/ { print }' doc/report.md |
	awk -F ' \\| ' '{ sub(/^\| /, "", $1); n = split($4, c, ", ")
			   for (i = 1; i <= n; i++) { gsub(/[` |]/, "", c[i])
				print c[i] " " $1 } }' | sort >"$tmp/doc.cat"
awk '/^## Checks and control categories/ { on = 1; next }
     on && /^\| / && !/^\|---/ && !/^\| check \|/ { print }' \
	"$tmp/corpus.md" |
	awk -F ' \\| ' '{ sub(/^\| /, "", $1); print $1 " " $2 }' |
	sort >"$tmp/prog.cat"
test -s "$tmp/doc.cat" && cmp -s "$tmp/doc.cat" "$tmp/prog.cat"
ok $? "doc/report.md gives every check the category the program does"
diff "$tmp/doc.cat" "$tmp/prog.cat" | head -n 10 | sed 's/^/# /'

# ---- -o and the date ----------------------------------------------------

cp -R tests/golden/report-pass-level3 "$tmp/in" || exit 99
cd "$tmp/in" || exit 99
rm -f cmd expected status
run report --level 3 . >"$tmp/stdout.md"
status=$?
run report --level 3 -o "$tmp/out.md" .
[ $? = "$status" ] && cmp -s "$tmp/stdout.md" "$tmp/out.md"
ok $? "-o FILE writes what standard output gets, with the same status"

printf 'old report\n' >"$tmp/keep.md"
chmod 640 "$tmp/keep.md"
run report -o "$tmp/keep.md" . missing-file.json 2>"$tmp/err"
[ $? = 2 ] && [ "$(cat "$tmp/keep.md")" = "old report" ]
ok $? "an input error leaves the existing output file as it was"

run report --level 3 -o "$tmp/keep.md" . && cmp -s "$tmp/stdout.md" "$tmp/keep.md" &&
	[ "$(stat -c %a "$tmp/keep.md")" = 640 ]
ok $? "a replaced output file keeps its mode"

[ -z "$(ls -A "$tmp" | grep '^\.')" ]
ok $? "no temporary file is left beside the output"

run report -o "$tmp/no/such/dir/r.md" . 2>"$tmp/err"
[ $? = 2 ] && grep -q 'cannot write the report' "$tmp/err" &&
	[ ! -e "$tmp/no" ]
ok $? "an output directory that does not exist: status 2 and a message"

cp database.rules.json "$tmp/db.json"
run report -o database.rules.json . 2>"$tmp/err"
[ $? = 2 ] && cmp -s database.rules.json "$tmp/db.json"
ok $? "the report is not written over a file it analyses"

if [ "$(id -u)" != 0 ]; then
	mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
	run report -o "$tmp/ro/r.md" . 2>/dev/null
	[ $? = 2 ] && [ -z "$(ls -A "$tmp/ro")" ]
	ok $? "a read-only directory: status 2, nothing left in it"
else
	skip "running as root: directory permissions do not apply"
fi

SOURCE_DATE_EPOCH=86400 run report . | grep -q '^| date | 1970-01-02T00:00:00Z |$'
ok $? "SOURCE_DATE_EPOCH gives the date"
year=$(date -u +%Y)
(unset SOURCE_DATE_EPOCH; run report .) |
	grep -q "^| date | $year-[0-9][0-9]-[0-9][0-9]T[0-9:]*Z |\$"
ok $? "without SOURCE_DATE_EPOCH the date is today's"
SOURCE_DATE_EPOCH=yesterday run report . >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && [ ! -s "$tmp/out" ] && grep -q SOURCE_DATE_EPOCH "$tmp/err"
ok $? "an invalid SOURCE_DATE_EPOCH is an error"

echo "1..$n"
exit $failed
