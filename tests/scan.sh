#!/bin/sh
# Batch scans: a parallel run prints exactly what a serial one prints, in
# every format; the summary and the progress bar appear on a terminal and
# never on a pipe; a file that cannot be read is reported and the scan
# goes on to exit 2.  The terminal cases run under script(1).

NAME=scan
. "${abs_top_srcdir:-${srcdir:-.}}/tests/tap.sh"

# A tree of many projects: the corpus, and copies of the two-project
# case, whose rules read the roles of their own project through get().
tree=$tmp/tree
mkdir -p "$tree" || exit 99
cp -R "$srcdir/corpus" "$tree/corpus"
i=0
while [ $i -lt 60 ]; do
	cp -R "$srcdir/tests/golden/scan-two-projects/scan" "$tree/group$i"
	i=$((i + 1))
done

# same_output FORMAT: -j1 and -j4 over the tree, byte for byte.
same_output()
{
	rc -j1 -f "$1" --no-config "$tree" >"$tmp/serial.$1" 2>"$tmp/serr"
	s1=$?
	rc -j4 -f "$1" --no-config "$tree" >"$tmp/par.$1" 2>"$tmp/perr"
	s4=$?
	if [ $s1 != 1 ] || [ $s4 != 1 ]; then
		not_ok "-j4 and -j1 agree, format $1" \
			"exit statuses $s1 and $s4, expected 1"
	elif ! cmp -s "$tmp/serial.$1" "$tmp/par.$1"; then
		not_ok "-j4 and -j1 agree, format $1" \
			"$(diff "$tmp/serial.$1" "$tmp/par.$1" | head -n 10)"
	elif ! cmp -s "$tmp/serr" "$tmp/perr" || [ ! -s "$tmp/par.$1" ]; then
		not_ok "-j4 and -j1 agree, format $1" "standard error differs"
	else
		ok "-j4 and -j1 agree, format $1"
	fi
}

for f in gcc tty json sarif checkstyle github; do
	same_output $f
done

# Each project sees its own roles only: one finding per copy of the case.
count=$(grep -c '/group[0-9]*/shop/.*role-doc-writable' "$tmp/serial.gcc")
others=$(grep -c '/group[0-9]*/[bf].*role-doc-writable' "$tmp/serial.gcc")
if [ "$count" = 60 ] && [ "$others" = 0 ]; then
	ok "role-doc-writable once in each of 60 copies of the shop project"
else
	not_ok "role-doc-writable once in each of 60 copies of the shop project" \
		"$count in shop, $others in blog and forum"
fi

# Named files, as a hook or a CI job lists them: enough that their
# projects are looked up ahead on several threads, with a directory and
# a missing file among them.  The threads' answers are the serial ones,
# and the files of group3, named again through its directory, are read
# once.  In the copies of the shop project under pairs/, the roles
# collection lies beside the rules that read it, so that two named files
# of one directory must share its project.
i=0
while [ $i -lt 40 ]; do
	shop=$tree/pairs/shop$i
	mkdir -p "$shop" || exit 99
	cp -R "$srcdir/tests/golden/scan-two-projects/scan/shop/." "$shop" &&
	mv "$shop/database/roles.json" "$shop/cloudbase/roles.json" ||
		exit 99
	i=$((i + 1))
done
find "$tree" -name '*.json' | LC_ALL=C sort >"$tmp/named" || exit 99
set -- $(cat "$tmp/named")
named=$#
set -- "$@" "$tree/group3" "$tree/absent.json"
rc -j1 -f gcc --no-config "$@" >"$tmp/named.serial" 2>"$tmp/named.serr"
s1=$?
rc -j4 -f gcc --no-config "$@" >"$tmp/named.par" 2>"$tmp/named.perr"
s4=$?
groups=$(grep -c '/group[0-9]*/shop/.*role-doc-writable' "$tmp/named.par")
pairs=$(grep -c '/pairs/shop[0-9]*/.*role-doc-writable' "$tmp/named.par")
if [ "$named" -lt 200 ] || [ $s1 != 2 ] || [ $s4 != 2 ]; then
	not_ok "$named named files: -j4 and -j1 agree" \
		"exit statuses $s1 and $s4, expected 2"
elif ! cmp -s "$tmp/named.serial" "$tmp/named.par" ||
     ! cmp -s "$tmp/named.serr" "$tmp/named.perr"; then
	not_ok "$named named files: -j4 and -j1 agree" \
		"$(diff "$tmp/named.serial" "$tmp/named.par" | head -n 10)"
elif ! grep -q 'absent.json' "$tmp/named.perr" || [ "$groups" != 60 ] ||
     [ "$pairs" != 40 ]; then
	not_ok "$named named files: -j4 and -j1 agree" \
		"role-doc-writable $groups and $pairs times, expected 60 and 40"
else
	ok "$named named files: -j4 and -j1 agree"
fi
rm -rf "$tree/pairs"

# Nothing but the report on a pipe: no summary, no progress bar.
rc -f gcc --no-config "$tree" >/dev/null 2>"$tmp/err"
if [ -s "$tmp/err" ]; then
	not_ok "a pipe gets no summary and no progress bar" \
		"$(head -n 5 "$tmp/err")"
else
	ok "a pipe gets no summary and no progress bar"
fi

# on_tty OUTPUT ARG...: run under a pseudo-terminal (stdout and stderr).
on_tty()
{
	out=$1
	shift
	cmd="\"$RULECHECK\""
	for a in "$@"; do
		cmd="$cmd \"$a\""
	done
	timeout "$timeout_s" script -qec "$cmd" /dev/null </dev/null >"$out" \
		2>/dev/null
}

if ! command -v script >/dev/null 2>&1 ||
   ! script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	skip "summary on a terminal" "script(1) cannot run"
	skip "progress bar on a terminal" "script(1) cannot run"
else
	on_tty "$tmp/tty" --no-config "$srcdir/corpus/examples"
	if grep -q 'files read, .* with rules, .* rule objects; .* findings' \
		"$tmp/tty" && grep -q "$(printf '\033')\\[" "$tmp/tty"; then
		ok "summary on a terminal, after the coloured tty report"
	else
		not_ok "summary on a terminal, after the coloured tty report" \
			"$(tail -n 5 "$tmp/tty")"
	fi

	many=$tmp/many
	mkdir -p "$many"
	i=0
	while [ $i -lt 40 ]; do
		cp -R "$srcdir/corpus" "$many/c$i"
		i=$((i + 1))
	done
	RULECHECK_PROGRESS_DELAY=0
	export RULECHECK_PROGRESS_DELAY
	on_tty "$tmp/bar" -j1 -f gcc --no-config "$many"
	unset RULECHECK_PROGRESS_DELAY
	cr=$(printf '\r')
	if grep -q "${cr}\\[[=> ]*\\] [0-9]*/[0-9]* files" "$tmp/bar" &&
	   grep -q "$(printf '\033')\\[K" "$tmp/bar"; then
		ok "progress bar on a terminal during a long scan, then erased"
	else
		not_ok "progress bar on a terminal during a long scan, then erased" \
			"no bar in $(wc -c <"$tmp/bar") bytes of output"
	fi
fi

# An unreadable file amid readable ones: reported, the others checked.
mkdir -p "$tmp/locked"
printf '{\n  "read": "auth != null &&",\n  "write": false\n}\n' \
	>"$tmp/locked/a.json"
cp "$tmp/locked/a.json" "$tmp/locked/c.json"
printf '{"read": true}\n' >"$tmp/locked/b.json"
chmod 000 "$tmp/locked/b.json"
if [ "$(id -u)" = 0 ]; then
	skip "unreadable file in a directory scan" "running as root"
else
	rc -f gcc --no-config "$tmp/locked" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ $st = 2 ] && grep -q 'locked/b.json: ' "$tmp/err" &&
	   [ "$(grep -c 'expr-syntax' "$tmp/out")" = 2 ]; then
		ok "unreadable file in a directory scan"
	else
		not_ok "unreadable file in a directory scan" \
			"status $st; $(cat "$tmp/err")"
	fi
fi

# A directory named twice, and reached again through a link, is read
# once: its findings appear once.
mkdir -p "$tmp/twice/rules"
cp "$tmp/locked/a.json" "$tmp/twice/rules/a.json"
ln -s rules "$tmp/twice/again"
rc -f gcc --no-config "$tmp/twice" "$tmp/twice" "$tmp/twice/rules" \
	>"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st = 1 ] && [ "$(grep -c 'expr-syntax' "$tmp/out")" = 1 ] &&
   [ ! -s "$tmp/err" ]; then
	ok "a directory named twice and linked once is read once"
else
	not_ok "a directory named twice and linked once is read once" \
		"status $st; $(cat "$tmp/out" "$tmp/err")"
fi

# Links met in a walk: a directory and a file reached twice are read once;
# a .json link to nothing is reported, the rest checked, exit status 2.
links=$tmp/links
mkdir -p "$links/rules"
cp "$tmp/locked/a.json" "$links/rules/database.rules.json"
ln -s rules "$links/alias"
ln -s ../rules/database.rules.json "$links/rules/copy.json"
ln -s ../gone/storage.rules.json "$links/rules/storage.rules.json"
ln -s nowhere "$links/rules/notes.txt"
rc -f gcc --no-config "$links" >"$tmp/out" 2>"$tmp/err"
st=$?
want="rulecheck: $links/alias/storage.rules.json: No such file or directory (a symbolic link to nothing)"
if [ $st = 2 ] && [ "$(cat "$tmp/err")" = "$want" ] &&
   [ "$(grep -c 'expr-syntax' "$tmp/out")" = 1 ]; then
	ok "links in a walk: read once; a link to nothing reported, exit 2"
else
	not_ok "links in a walk: read once; a link to nothing reported, exit 2" \
		"status $st; $(cat "$tmp/out" "$tmp/err")"
fi

# Memory does not grow with the number of files: peak resident sets of
# scans of 60 and of 240 copies of the project group.

if [ -n "${RULECHECK_SANITIZERS-}" ] || ! command -v python3 >/dev/null 2>&1
then
	skip "memory does not grow with the number of files" \
		"sanitizers, or no python3"
else
	big=$tmp/big
	mkdir -p "$big"
	i=0
	while [ $i -lt 240 ]; do
		cp -R "$srcdir/tests/golden/scan-two-projects/scan" "$big/g$i"
		i=$((i + 1))
	done
	small_kb=$(peak "$RULECHECK" -j2 -f gcc --no-config "$tree")
	big_kb=$(peak "$RULECHECK" -j2 -f gcc --no-config "$tree" "$big")
	if [ -n "$small_kb" ] && [ -n "$big_kb" ] &&
	   [ "$big_kb" -lt $((small_kb * 3 / 2)) ]; then
		ok "memory does not grow with the number of files"
	else
		not_ok "memory does not grow with the number of files" \
			"peak ${small_kb} KiB for $(find "$tree" -name '*.json' |
			wc -l) files, ${big_kb} KiB with 960 more"
	fi
fi

plan
exit 0
