#!/bin/sh
# The HTML evidence report in a real browser: headless Chromium loads it,
# its DOM must hold the matrix tables with the expected rows and cells,
# hostile names must stay text, and printing must give one page or more
# per section.  Skips without chromium.  Prints TAP.

LC_ALL=C
export LC_ALL
srcdir=${abs_top_srcdir:-${srcdir:-.}}
: "${RULECHECK:=$PWD/rulecheck}"
golden=$srcdir/tests/golden

browser=
for b in chromium chromium-browser; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$b
		break
	fi
done
if [ -z "$browser" ]; then
	echo "1..0 # SKIP chromium is not installed"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/report-html.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
HOME=$tmp
export HOME
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

# chrome ARGS...: headless Chromium with a profile of its own.
chrome()
{
	profile=$(mktemp -d "$tmp/profile.XXXXXX")
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$profile" "$@" 2>>"$tmp/chrome.log"
}

# The first cell of each body row of table ID in the DOM file $2.
first_cells()
{
	awk -v id="$1" 'index($0, "<table id=\"" id "\"") { on = 1 }
		on && /<\/table>/ { on = 0 }
		on { print }' "$2" |
		grep -o '<tr><td[^>]*>[^<]*</td>' |
		sed 's/^<tr><td[^>]*>//; s/<\/td>$//'
}

# The report of the matrix example, in the DOM Chromium builds of it.
mkdir "$tmp/case" && cp "$golden"/report-html/*.json "$tmp/case/" || exit 99
(cd "$tmp/case" && "$RULECHECK" report --level 3 --format html \
	-o "$tmp/report.html" .)
[ $? = 1 ] && [ -s "$tmp/report.html" ]
ok $? "rulecheck report --format html wrote the report"

chrome --dump-dom "file://$tmp/report.html" >"$tmp/dom.html"
ok $? "chromium loaded the report"

printf '%s\n' posts orders roles reports >"$tmp/want"
first_cells matrix-database "$tmp/dom.html" >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got"
ok $? "the database matrix holds posts, orders, roles and reports"
sed 's/^/# got: /' "$tmp/got"

printf '%s\n' ./storage.rules.json >"$tmp/want"
first_cells matrix-storage "$tmp/dom.html" >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got"
ok $? "the storage matrix holds the bucket"

printf '%s\n' '*' getNotice >"$tmp/want"
first_cells matrix-function "$tmp/dom.html" >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got"
ok $? "the function matrix holds * and getNotice"

grep -q '<tr><td>roles</td><td class="anonymous">anonymous</td><td class="anonymous">anonymous</td><td class="anonymous">anonymous</td><td class="anonymous">anonymous</td>' "$tmp/dom.html"
ok $? "the roles row gives the class of every operation"

grep -q '<td class="fail">fail</td>' "$tmp/dom.html"
ok $? "the checklist shows a failing item"

! grep -E -i -q '<script|<link|<img|<iframe|src=|href=|url\(|@import' \
	"$tmp/report.html"
ok $? "the page loads nothing from outside"

chrome --no-pdf-header-footer --print-to-pdf="$tmp/report.pdf" \
	"file://$tmp/report.html" >/dev/null
pages=$(grep -a -c '/Type /Page\b' "$tmp/report.pdf" 2>/dev/null)
[ "$(head -c 5 "$tmp/report.pdf" 2>/dev/null)" = "%PDF-" ] &&
	[ "${pages:-0}" -ge 6 ]
ok $? "it prints: a PDF of ${pages:-0} pages, a page break per section"

# Hostile names and expressions stay text.
mkdir "$tmp/esc" && cp "$golden"/report-escape-html/*.json "$tmp/esc/" ||
	exit 99
(cd "$tmp/esc" && "$RULECHECK" report --format html -o "$tmp/esc.html" .)
chrome --dump-dom "file://$tmp/esc.html" >"$tmp/esc-dom.html"
first_cells matrix-database "$tmp/esc-dom.html" | head -n 1 >"$tmp/got"
printf '%s\n' '&lt;b&gt;&amp;"x'"'" >"$tmp/want"
cmp -s "$tmp/want" "$tmp/got"
ok $? "a collection named <b>&\"x' is text in the DOM"
sed 's/^/# got: /' "$tmp/got"

! grep -E -q '<(b|i)>' "$tmp/esc-dom.html" &&
	grep -q '<code>doc.title == '"'"'a|b&lt;i&gt;&amp;amp;'"'"' &amp;&amp; auth != null</code>' \
		"$tmp/esc-dom.html"
ok $? "markup in names and expressions creates no element"

if [ $failed != 0 ] && [ -s "$tmp/chrome.log" ]; then
	tail -n 5 "$tmp/chrome.log" | sed 's/^/# chromium: /'
fi
echo "1..$n"
exit $failed
