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

# The hook runs the rulecheck under test; pre-commit and git keep their
# state in the scratch directory and read no user or system settings.
bindir=$tmp/bin
mkdir "$bindir" || exit 99
ln -s "$RULECHECK" "$bindir/rulecheck" || exit 99
PATH=$bindir:$PATH
HOME=$tmp/home
PRE_COMMIT_HOME=$tmp/cache
GIT_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid
GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
export PATH HOME PRE_COMMIT_HOME GIT_CONFIG_NOSYSTEM GIT_AUTHOR_NAME \
	GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
mkdir "$HOME" || exit 99
git config --global init.defaultBranch main || exit 99

n=0
fails=0
ok()
{
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok()
{
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
	sed 's/^/# /' "$tmp/out"
}

echo "1..7"

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
if timeout "$timeout_s" pre-commit install >"$tmp/out" 2>&1 &&
	[ -x .git/hooks/pre-commit ]; then
	ok "pre-commit install sets up the hook"
else
	not_ok "pre-commit install sets up the hook"
fi

# Files that are JSON but not CloudBase rules pass in silence.
if timeout "$timeout_s" git commit -q -m base >"$tmp/out" 2>&1 &&
	! grep -q '\[no-rule-object\]\|\[firebase-syntax\]' "$tmp/out"; then
	ok "package.json, Firebase rules and the configuration pass"
else
	not_ok "package.json, Firebase rules and the configuration pass"
fi

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
if timeout "$timeout_s" git commit -q -m bad >"$tmp/out" 2>&1; then
	not_ok "a bad rule file blocks the commit"
else
	ok "a bad rule file blocks the commit"
fi
if grep -q 'cloudbase/orders.json:4:[0-9]*: error: .*\[public-write\]' \
	"$tmp/out"; then
	ok "the hook names the file, the line and the check"
else
	not_ok "the hook names the file, the line and the check"
fi
if [ "$(git rev-list --count HEAD)" = 1 ]; then
	ok "nothing was committed"
else
	not_ok "nothing was committed"
fi

sed 's/"write": true/"write": "doc._openid == auth.openid"/' \
	cloudbase/orders.json >"$tmp/fixed" &&
	cp "$tmp/fixed" cloudbase/orders.json || exit 99
git add cloudbase/orders.json || exit 99
if timeout "$timeout_s" git commit -q -m fixed >"$tmp/out" 2>&1 &&
	[ "$(git rev-list --count HEAD)" = 2 ]; then
	ok "the fixed rule file is committed"
else
	not_ok "the fixed rule file is committed"
fi

# An excluded directory is passed over, as by a directory scan.
printf '{ "read": true, "write": true }\n' >legacy/old.json
git add legacy/old.json || exit 99
if timeout "$timeout_s" git commit -q -m legacy >"$tmp/out" 2>&1 &&
	[ "$(git rev-list --count HEAD)" = 3 ]; then
	ok "a file the configuration excludes does not block"
else
	not_ok "a file the configuration excludes does not block"
fi

[ "$fails" -eq 0 ]
