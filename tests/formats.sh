#!/bin/sh
# Output formats: the sarif, checkstyle and github formats on ordinary,
# hostile and real-world inputs, each checked by what consumes it: the
# SARIF validator of the SARIF SDK (npm package @microsoft/sarif-multitool,
# installed once into tests/npm-cache under the build tree, or into
# $RULECHECK_NPM_CACHE), xmllint for checkstyle, and a strict pattern for
# GitHub workflow commands.  A point whose tool is missing, or that needs
# the npm registry when it cannot be reached, is skipped.

LC_ALL=C
export LC_ALL
srcdir=${abs_top_srcdir:-${srcdir:-.}}
builddir=${abs_top_builddir:-$PWD}
: "${RULECHECK:=$PWD/rulecheck}"
timeout_s=${RULECHECK_TIMEOUT:-60}
npm_cache=${RULECHECK_NPM_CACHE:-$builddir/tests/npm-cache}
multitool=@microsoft/sarif-multitool@5.7.0

if [ ! -x "$RULECHECK" ]; then
	echo "Bail out! no program at $RULECHECK"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/formats.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM
cd "$tmp" || exit 99

have()
{
	command -v "$1" >/dev/null 2>&1
}

# ---- inputs ------------------------------------------------------------------

mkdir samples hostile clean a b || exit 99
cat >'samples/my rules, v2.json' <<'EOF'
{
  "posts": {
    "read": true,
    "writ<&>%": "auth != null",
    "write": "auth.openid == doc._openid % 2"
  }
}
EOF
printf '{ "read": true, "write": true }\n' >samples/orders.json
cat >samples/sym.json <<'EOF'
{
  "guestbook": { "read": true, "write": "doc.kind == 'note'" },
  "likes": { "read": true, "create": true, "update": false, "delete": false }
}
EOF
# Control characters, a non-character and markup in keys and file names.
evil=$(printf 'evil\tname\n<&>"%%:,.json')
printf '{\n  "posts": {\n    "read": true,\n    "a\\u0001b\\nc\177": 1,\n' \
	>"hostile/$evil"
printf '    "x\357\277\276y\\ud800": true,\n    "\303\251 \\"q\\" <&>": 2\n' \
	>>"hostile/$evil"
printf '  }\n}\n' >>"hostile/$evil"
printf '{ "posts": { "read": "doc._openid == auth.openid", "write": false } }\n' \
	>clean/rules.json
# The same rules, the second copy three lines further down.
cp samples/sym.json a/sym.json
{ printf '\n\n\n'; cat samples/sym.json; } >b/sym.json

# ---- runs --------------------------------------------------------------------

# produce OUT DIR FORMAT ARG...: run rulecheck in DIR; a run that ends
# with status 0 or 1 and says nothing on standard error leaves OUT.
produce()
{
	out=$1 dir=$2 fmt=$3
	shift 3
	(cd "$dir" && timeout "$timeout_s" "$RULECHECK" -f "$fmt" "$@") \
		</dev/null >"$tmp/$out" 2>"$tmp/$out.err"
	st=$?
	if [ $st -gt 1 ] || [ -s "$tmp/$out.err" ]; then
		echo "# $fmt in $dir: exit status $st" >>"$tmp/trouble"
		sed 's/^/# /' "$tmp/$out.err" | head -n 5 >>"$tmp/trouble"
		rm -f "$tmp/$out"
	fi
}

for fmt in sarif checkstyle github gcc; do
	produce "samples.$fmt" samples "$fmt" 'my rules, v2.json' sym.json \
		orders.json
	produce "hostile.$fmt" hostile "$fmt" "$evil"
	produce "clean.$fmt" clean "$fmt" rules.json
	produce "corpus.$fmt" "$srcdir" "$fmt" corpus
done
produce a.sarif a sarif sym.json
produce b.sarif b sarif sym.json
# The corpus again, its files created in reverse order: the order of the
# output is that of the names, not of the directory entries.
(cd "$srcdir" && find corpus -type d) | sort -r | while read -r d; do
	mkdir -p "order/$d"
done
(cd "$srcdir" && find corpus -type f) | sort -r | while read -r f; do
	cp "$srcdir/$f" "order/$f"
done
produce order.sarif order sarif corpus
"$RULECHECK" --list-checks | awk '{ print $1 }' >checks

n=0
# point WHY DESCRIPTION: one TAP point, failing when WHY is not empty.
point()
{
	n=$((n + 1))
	if [ -z "$1" ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		echo "$1" | sed 's/^/# /'
	fi
}

skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# findings SET: how many findings the gcc format reports for SET.
findings()
{
	grep -c -v '^ ' "$1.gcc"
}

sets='samples hostile clean corpus'
echo "1..21"
if [ -f trouble ]; then
	point "$(cat trouble)" "every run ends with status 0 or 1 and is quiet"
else
	point "" "every run ends with status 0 or 1 and is quiet"
fi

if [ -f corpus.sarif ] && [ -f order.sarif ] &&
	cmp -s corpus.sarif order.sarif; then
	point "" "the same files created in another order give the same log"
else
	point "corpus.sarif and order.sarif differ" \
		"the same files created in another order give the same log"
fi

# ---- SARIF: structure, with node --------------------------------------------

# The rules are the checks in table order, each with its help and page;
# every result names its rule both ways, has a well-formed fingerprint of
# its own and a region that ends after it starts; an access finding has
# a logical location, and one that lets a class perform an operation
# has its witness.
cat >structure.js <<'EOF'
const fs = require('fs');
const [log, checks, count] = process.argv.slice(2);
const doc = JSON.parse(fs.readFileSync(log, 'utf8'));
const run = doc.runs[0], rules = run.tool.driver.rules;
const ids = fs.readFileSync(checks, 'utf8').trim().split('\n');
const why = [];
if (doc.version !== '2.1.0' || doc.runs.length !== 1)
	why.push('not one SARIF 2.1.0 run');
if (rules.map(r => r.id).join() !== ids.join())
	why.push('the rules are not the checks of --list-checks');
for (const r of rules) {
	const sec = (r.properties.tags || []).includes('security');
	if (sec !== ('security-severity' in r.properties))
		why.push(r.id + ': security tag without severity or back');
	if (!/^https?:\/\/.*\/doc\/checks\/[a-z-]+\.md$/.test(r.helpUri) ||
	    !r.help || !r.fullDescription || !r.defaultConfiguration)
		why.push(r.id + ': help, helpUri or description missing');
}
if (run.results.length !== Number(count))
	why.push(run.results.length + ' results for ' + count + ' findings');
const seen = new Set();
run.results.forEach((res, i) => {
	const fp = res.partialFingerprints['rulecheck/v1'];
	if (rules[res.ruleIndex].id !== res.ruleId)
		why.push('result ' + i + ': ruleIndex and ruleId disagree');
	if (!/^[0-9a-f]{16}:[1-9][0-9]*$/.test(fp) || seen.has(fp))
		why.push('result ' + i + ': fingerprint ' + fp);
	seen.add(fp);
	const loc = res.locations[0], reg = loc.physicalLocation.region;
	if (!(reg.endLine > reg.startLine || (reg.endLine === reg.startLine &&
	      reg.endColumn >= reg.startColumn)))
		why.push('result ' + i + ': region ends before it starts');
	if (rules[res.ruleIndex].properties.tags.includes('security') &&
	    !(loc.logicalLocations && typeof
	      loc.logicalLocations[0].fullyQualifiedName === 'string'))
		why.push('result ' + i + ': no logical location');
	const pr = res.properties || {};
	if (pr.class && pr.operation && !pr.witness)
		why.push('result ' + i + ': a class gets in, without witness');
});
console.log(why.join('\n'));
EOF

# Moving the rules three lines down changes every line, no fingerprint.
cat >moved.js <<'EOF'
const fs = require('fs');
const read = f => JSON.parse(fs.readFileSync(f, 'utf8')).runs[0].results;
const [a, b] = process.argv.slice(2).map(read);
const fp = r => r.map(x => x.partialFingerprints['rulecheck/v1']).join();
const line = r => r.map(x => x.locations[0].physicalLocation.region
	.startLine).join();
if (a.length === 0 || fp(a) !== fp(b) || line(a) === line(b))
	console.log('fingerprints moved with the rules:\n' + fp(a) + '\n' +
		fp(b));
EOF

for set in $sets; do
	if ! have node; then
		skip "sarif $set: structure" "node not found"
	elif [ ! -f "$set.sarif" ]; then
		point "no output" "sarif $set: structure"
	else
		why=$(timeout "$timeout_s" node structure.js "$set.sarif" \
			checks "$(findings "$set")" 2>&1)
		point "$why" "sarif $set: structure"
	fi
done
if ! have node; then
	skip "sarif: fingerprints ignore positions" "node not found"
elif [ -f a.sarif ] && [ -f b.sarif ]; then
	point "$(timeout "$timeout_s" node moved.js a.sarif b.sarif 2>&1)" \
		"sarif: fingerprints ignore positions"
else
	point "no output" "sarif: fingerprints ignore positions"
fi

# ---- SARIF: the validator of the SARIF SDK ----------------------------------

# The path of the validator's executable, installed on first use.
find_multitool()
{
	node -e 'process.stdout.write(require(process.argv[1]))' \
		"$npm_cache/node_modules/@microsoft/sarif-multitool" 2>/dev/null
}

install_multitool()
{
	if ! have node || ! have npm; then
		echo "node or npm not found"
		return
	fi
	if ! exe=$(find_multitool) || [ ! -f "$exe" ]; then
		mkdir -p "$npm_cache" &&
		timeout 300 npm install --prefix "$npm_cache" --no-audit \
			--no-fund --ignore-scripts --fetch-retries=1 \
			--fetch-timeout=60000 \
			"$multitool" >npm.log 2>&1
		if ! exe=$(find_multitool) || [ ! -f "$exe" ]; then
			echo "cannot install $multitool (is the npm registry reachable?)"
			return
		fi
	fi
	chmod u+x "$exe" 2>/dev/null
	if ! timeout "$timeout_s" "$exe" --version >/dev/null 2>&1; then
		echo "the SARIF validator does not run on this machine"
	fi
}

# Errors and warnings of the validator, with the rules GitHub code
# scanning applies on upload.  A result without a level is a warning.
cat >verdict.js <<'EOF'
const fs = require('fs');
const res = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
	.runs[0].results || [];
for (const r of res) {
	const level = r.level || 'warning';
	if (level === 'error' || level === 'warning')
		console.log(level + ' ' + r.ruleId + ': ' +
			JSON.stringify(r.message.arguments || r.message.text));
}
EOF

validate()
{
	: >"$1.val"
	DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
	DOTNET_BUNDLE_EXTRACT_BASE_DIR=$npm_cache/extract \
		timeout 300 "$exe" validate "$1" --rule-kind 'Sarif;Gh' \
		-o "$1.val" --log ForceOverwrite >"$1.log" 2>&1
	if [ $? != 0 ] || [ ! -s "$1.val" ]; then
		echo "the validator failed:"
		tail -n 5 "$1.log"
		return
	fi
	timeout "$timeout_s" node verdict.js "$1.val" 2>&1 | head -n 20
}

# A log with a result pointing past the rules: the validator must see it.
cat >broken.js <<'EOF'
const fs = require('fs');
const doc = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
doc.runs[0].results[0].ruleIndex = 999;
fs.writeFileSync(process.argv[3], JSON.stringify(doc));
EOF

install_multitool >skipped
skipped=$(cat skipped)
what="the SARIF SDK validator finds a broken log"
if [ -n "$skipped" ]; then
	skip "$what" "$skipped"
elif ! node broken.js samples.sarif broken.sarif 2>/dev/null; then
	point "cannot write the broken log" "$what"
elif validate broken.sarif | grep -q '^error SARIF1009'; then
	point "" "$what"
else
	point "no error SARIF1009 for a ruleIndex of 999" "$what"
fi
for set in $sets; do
	if [ -n "$skipped" ]; then
		skip "sarif $set: SARIF SDK validator" "$skipped"
	elif [ ! -f "$set.sarif" ]; then
		point "no output" "sarif $set: SARIF SDK validator"
	else
		point "$(validate "$set.sarif")" "sarif $set: SARIF SDK validator"
	fi
done

# ---- checkstyle ---------------------------------------------------------------

for set in $sets; do
	what="checkstyle $set: well-formed, one <error> per finding"
	if ! have xmllint; then
		skip "$what" "xmllint not found (Debian package libxml2-utils)"
		continue
	fi
	if [ ! -f "$set.checkstyle" ]; then
		point "no output" "$what"
		continue
	fi
	why=$(timeout "$timeout_s" xmllint --noout "$set.checkstyle" 2>&1 |
		head -n 10)
	got=$(grep -c '^<error ' "$set.checkstyle")
	[ "$got" = "$(findings "$set")" ] ||
		why="${why:+$why
}$got <error> elements for $(findings "$set") findings"
	point "$why" "$what"
done

# ---- GitHub workflow commands -------------------------------------------------

# Every line one annotation: properties in order, columns both or none,
# '%' only in escapes, ':' and ',' escaped in the file name.
cat >github.awk <<'EOF'
BEGIN {
	esc = "%(25|0D|0A)"
	prop = "([^%,:\r]|" esc "|%(3A|2C))+"
	num = "[1-9][0-9]*"
	head = "^::(error|warning|notice) file=" prop ",line=" num
	cols = ",col=" num ",endLine=" num ",endColumn=" num
	nocols = ",endLine=" num
	tail = ",title=rulecheck [a-z-]+::([^%\r]|" esc ")*$"
}
$0 ~ (head cols tail) || $0 ~ (head nocols tail) { next }
{ print "bad line " NR ": " $0 }
EOF

for set in $sets; do
	what="github $set: one well-formed command per finding"
	if [ ! -f "$set.github" ]; then
		point "no output" "$what"
		continue
	fi
	why=$(awk -f github.awk "$set.github" | head -n 10)
	got=$(wc -l <"$set.github" | tr -d ' ')
	[ "$got" = "$(findings "$set")" ] ||
		why="${why:+$why
}$got lines for $(findings "$set") findings"
	point "$why" "$what"
done

want=$(printf 'file=evil\tname%%0A<&>"%%25%%3A%%2C.json,')
if [ -f hostile.github ] && grep -q -F -e "$want" hostile.github; then
	point "" "github: a file name keeps its bytes, escaped"
else
	point "no line names the file as '$want'" \
		"github: a file name keeps its bytes, escaped"
fi
exit 0
