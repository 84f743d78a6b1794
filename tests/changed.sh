#!/bin/sh
# --changed-since REV in a real git repository: files committed since REV,
# staged, changed in the working tree and untracked are checked; files
# unchanged, ignored or deleted are not; bad revisions and a directory
# outside git are errors (status 2).  TAP; skips without git.

LC_ALL=C
export LC_ALL
srcdir=${abs_top_srcdir:-${srcdir:-.}}
: "${RULECHECK:=$PWD/rulecheck}"
timeout_s=${RULECHECK_TIMEOUT:-60}

if ! command -v git >/dev/null 2>&1; then
	echo "1..0 # SKIP git not found"
	exit 0
fi
if [ ! -x "$RULECHECK" ]; then
	echo "Bail out! no program at $RULECHECK"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/changed.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

. "$srcdir/tests/git-env.sh"

n=0
fails=0
# check NAME EXPECTED-STATUS: compare $tmp/out with $tmp/want.
check()
{
	n=$((n + 1))
	if [ "$status" = "$2" ] && cmp -s "$tmp/want" "$tmp/out"; then
		echo "ok $n - $1"
	else
		fails=$((fails + 1))
		echo "not ok $n - $1"
		echo "# status $status, expected $2; output, then expected:"
		sed 's/^/# /' "$tmp/out" "$tmp/want"
	fi
}
run()
{
	timeout "$timeout_s" ${RULECHECK_WRAPPER-} "$RULECHECK" --format gcc \
		--disable all --enable public-write "$@" >"$tmp/out" 2>&1
	status=$?
}
bad='{ "read": false, "write": true }'
good='{ "read": false, "write": false }'

echo "1..10"

repo=$tmp/repo
mkdir -p "$repo/db" "$repo/old" || exit 99
cd "$repo" || exit 99
git init -q || exit 99
for f in db/committed db/staged db/unstaged db/same old/deleted; do
	echo "$good" >"$f.json" || exit 99
done
echo "$bad" >db/bad-before.json
printf 'db/ignored.json\n' >.gitignore
git add . && git commit -q -m base || exit 99
git tag base || exit 99

echo "$bad" >db/committed.json
git commit -q -am later || exit 99
echo "$bad" >db/staged.json
git add db/staged.json || exit 99
echo "$bad" >db/unstaged.json
echo "$bad" >db/untracked.json
echo "$bad" >db/ignored.json
git rm -q old/deleted.json || exit 99

run --changed-since base .
cat >"$tmp/want" <<'EOF'
./db/committed.json:1:27: error: unauthenticated callers may create, update and delete [public-write]
    witness (public): {"auth":null,"doc":{},"data":null,"now":0,"get":{}}
./db/staged.json:1:27: error: unauthenticated callers may create, update and delete [public-write]
    witness (public): {"auth":null,"doc":{},"data":null,"now":0,"get":{}}
./db/unstaged.json:1:27: error: unauthenticated callers may create, update and delete [public-write]
    witness (public): {"auth":null,"doc":{},"data":null,"now":0,"get":{}}
./db/untracked.json:1:27: error: unauthenticated callers may create, update and delete [public-write]
    witness (public): {"auth":null,"doc":{},"data":null,"now":0,"get":{}}
EOF
check "committed, staged, unstaged and untracked files; not the unchanged, ignored or deleted" 1

(cd db && timeout "$timeout_s" "$RULECHECK" --format gcc --disable all \
	--enable public-write --changed-since base staged.json same.json \
	bad-before.json) >"$tmp/out" 2>&1
status=$?
cat >"$tmp/want" <<'EOF'
staged.json:1:27: error: unauthenticated callers may create, update and delete [public-write]
    witness (public): {"auth":null,"doc":{},"data":null,"now":0,"get":{}}
EOF
check "from a subdirectory, named files are kept as named or dropped" 1

run --changed-since HEAD db/committed.json db/bad-before.json
: >"$tmp/want"
check "nothing changed since HEAD among the files named: clean" 0

run --changed-since HEAD~1 db/committed.json
grep -q '^db/committed.json:1:27: error' "$tmp/out" && cp "$tmp/out" "$tmp/want"
check "a revision expression" 1

run --changed-since no-such-rev .
echo "rulecheck: --changed-since no-such-rev: git knows no such commit" \
	>"$tmp/want"
check "an unknown revision is an error" 2

run --changed-since --output=x .
echo "rulecheck: --changed-since --output=x: not a revision" >"$tmp/want"
check "a revision that looks like an option is refused" 2

echo "$bad" | (timeout "$timeout_s" "$RULECHECK" --format gcc --disable all \
	--enable public-write --changed-since HEAD -) >"$tmp/out" 2>&1
status=$?
grep -q '^<stdin>:1:27: error' "$tmp/out" && cp "$tmp/out" "$tmp/want"
check "standard input is always checked" 1

# A changed rule that trusts an unchanged role collection is judged
# against it: the checks across files read every file found.
git commit -q -m more || exit 99
printf '%s\n' '{ "roles": { "read": "doc._id == auth.uid",' \
	'"write": "doc._id == auth.uid" } }' >db/roles.json
git add db/roles.json && git commit -q -m roles || exit 99
printf '%s\n' '{ "orders": { "read":' \
	'"get(`database.roles.${auth.uid}`).staff == true", "write": false } }' \
	>db/orders.json
timeout "$timeout_s" ${RULECHECK_WRAPPER-} "$RULECHECK" --format gcc \
	--disable all --enable role-doc-writable --changed-since HEAD db \
	>"$tmp/out" 2>&1
status=$?
echo "db/orders.json:2:2: error: this rule trusts documents of 'roles'," \
	"which ordinary users may write [role-doc-writable]" >"$tmp/want"
check "a changed file is judged against the unchanged files it trusts" 1

run --changed-since HEAD --write-baseline "$tmp/baseline.json" db
{
	echo "rulecheck: --write-baseline records every file; it cannot be" \
		"combined with --changed-since"
	echo "Try 'rulecheck --help' for more information."
} >"$tmp/want"
[ -e "$tmp/baseline.json" ] && echo "a baseline was written" >>"$tmp/out"
check "no baseline is written from the changed files alone" 2

mkdir "$tmp/plain" && echo "$bad" >"$tmp/plain/r.json" || exit 99
cd "$tmp/plain" || exit 99
GIT_CEILING_DIRECTORIES=$tmp
export GIT_CEILING_DIRECTORIES
run --changed-since HEAD r.json
echo "rulecheck: --changed-since HEAD: the working directory is not in a" \
	"git working tree (or git cannot be run)" >"$tmp/want"
check "outside a git working tree it is an error" 2

[ "$fails" -eq 0 ]
