#!/bin/sh
# The pre-commit hook with the real pre-commit tool, offline: a throw-away
# repository holding the .pre-commit-hooks.yaml of the source tree is the
# hook repository, a second one is a project that installs the hook; a
# bad rule file blocks a commit, the fixed file passes, and JSON files that
# are not CloudBase rules (or are excluded) pass silently.  TAP; skips
# without pre-commit or git.

LC_ALL=C
export LC_ALL
srcdir=${abs_top_srcdir:-${srcdir:-.}}
: "${RULECHECK:=$PWD/rulecheck}"
timeout_s=${RULECHECK_TIMEOUT:-120}

for tool in pre-commit git; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not found"
		exit 0
	fi
done
if [ ! -x "$RULECHECK" ]; then
	echo "Bail out! no program at $RULECHECK"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/precommit.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

# The hook runs the rulecheck under test; pre-commit keeps its state in
# the scratch directory.
bindir=$tmp/bin
mkdir "$bindir" || exit 99
ln -s "$RULECHECK" "$bindir/rulecheck" || exit 99
PATH=$bindir:$PATH
PRE_COMMIT_HOME=$tmp/cache
export PATH PRE_COMMIT_HOME
. "$srcdir/tests/git-env.sh"

n=0
fails=0
# point WHY DESCRIPTION: a TAP point that fails when WHY is not empty.
point()
{
	n=$((n + 1))
	if [ -z "$1" ]; then
		echo "ok $n - $2"
		return
	fi
	fails=$((fails + 1))
	echo "not ok $n - $2"
	echo "# $1"
	sed 's/^/# /' "$tmp/out"
}

# commit MESSAGE COMMITS: commit what is staged; says nothing when the
# commit succeeds and leaves COMMITS commits, else why not.
commit()
{
	if ! timeout "$timeout_s" git commit -q -m "$1" >"$tmp/out" 2>&1; then
		echo "the commit was refused"
	elif [ "$(git rev-list --count HEAD)" != "$2" ]; then
		echo "not $2 commits"
	fi
}

# refused MESSAGE COMMITS: the commit is refused, COMMITS remain.
refused()
{
	if timeout "$timeout_s" git commit -q -m "$1" >"$tmp/out" 2>&1; then
		echo "the commit went through"
	elif [ "$(git rev-list --count HEAD 2>/dev/null)" != "$2" ]; then
		echo "not $2 commits"
	fi
}

echo "1..6"

# ---- the hook repository -------------------------------------------------

hooks=$tmp/hooks
mkdir "$hooks" || exit 99
cp "$srcdir/.pre-commit-hooks.yaml" "$hooks/" || exit 99
(cd "$hooks" && git init -q && git add .pre-commit-hooks.yaml &&
	git commit -q -m hooks) || exit 99
rev=$(cd "$hooks" && git rev-parse HEAD) || exit 99

# ---- the project ---------------------------------------------------------

proj=$tmp/project
mkdir -p "$proj/cloudbase" "$proj/legacy" || exit 99
cd "$proj" || exit 99
git init -q || exit 99
cat >.pre-commit-config.yaml <<EOF
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: rulecheck
EOF
printf '{ "exclude": ["legacy"] }\n' >.rulecheck.json
printf '{ "name": "shop", "version": "1.0.0" }\n' >package.json
printf '{ "rules": { ".read": true, ".write": false } }\n' \
	>firebase.rules.json
git add .pre-commit-config.yaml .rulecheck.json package.json \
	firebase.rules.json || exit 99
why=
timeout "$timeout_s" pre-commit install >"$tmp/out" 2>&1 ||
	why="pre-commit install failed"
[ -x .git/hooks/pre-commit ] || why="${why:-no .git/hooks/pre-commit}"
point "$why" "pre-commit install sets up the hook"

# Files that are JSON but not CloudBase rules pass in silence.
why=$(commit base 1)
grep -q '\[no-rule-object\]\|\[firebase-syntax\]' "$tmp/out" &&
	why="${why:-findings in files that are not CloudBase rules}"
point "$why" "package.json, Firebase rules and the configuration pass"

# Everyone may write every order: a public-write error.
cat >cloudbase/orders.json <<'EOF'
{
  "orders": {
    "read": "doc._openid == auth.openid",
    "write": true
  }
}
EOF
git add cloudbase/orders.json || exit 99
why=$(refused bad 1)
grep -q 'cloudbase/orders.json:4:[0-9]*: error: .*\[public-write\]' \
	"$tmp/out" || why="${why:-no public-write error at line 4}"
point "$why" "a bad rule file blocks the commit, with its line and check"

sed 's/"write": true/"write": "doc._openid == auth.openid"/' \
	cloudbase/orders.json >"$tmp/fixed" &&
	cp "$tmp/fixed" cloudbase/orders.json || exit 99
git add cloudbase/orders.json || exit 99
point "$(commit fixed 2)" "the fixed rule file is committed"

# An excluded directory is passed over, as by a directory scan.
printf '{ "read": true, "write": true }\n' >legacy/old.json
git add legacy/old.json || exit 99
point "$(commit legacy 3)" "a file the configuration excludes does not block"

# Many files in one commit: pre-commit passes them on as arguments, in as
# many batches as the length of a command line needs.
for i in $(seq 1 300); do
	printf '{ "read": false, "write": false }\n' >"cloudbase/c$i.json"
done
printf '{ "read": true, "write": true }\n' >cloudbase/c300.json
git add cloudbase || exit 99
why=$(refused many 3)
[ "$(grep -c 'public-write' "$tmp/out")" = 1 ] ||
	why="${why:-not one public-write finding among 300 files}"
point "$why" "one bad file among 300 blocks the commit"

[ "$fails" -eq 0 ]
