#!/bin/sh
# Style test: every C file must match .clang-format, and no line of C,
# bison or re2c source may pass the 90-column ceiling.  TAP output, one
# point per file and check; the clang-format points skip without it.
#
# clang-format cannot align trailing comments on tab stops nor keep a
# table wrapped by hand, so a file that --dry-run rejects still passes
# when it differs from clang-format's output only in the whitespace
# inside lines (alignment, and the space just inside braces, which the
# code writes both ways) and in where continued lines are broken.

LC_ALL=C
export LC_ALL
srcdir=${abs_top_srcdir:-${srcdir:-.}}
max_columns=90

# Collapse runs of blanks inside a line and join continued lines, so that
# alignment and wrapping choices compare equal.  Indentation is kept.
normalize()
{
	awk '
	function joinable(s)
	{
		if (s ~ /\*\/$/)
			return 0
		if (s ~ /\{$/)
			return s !~ /(^[ \t]*|\)|else|do) ?\{$/
		if (s ~ /^__attribute__\(\(.*\)\)$/)
			return 1
		return s ~ /([,(\[?:=+*%&|^<>!~"\\-])$/
	}
	function continues(s)
	{
		return s ~ /^(}[;,]$|&&|\|\||[=!]=|[<>?:|[])/
	}
	# Brackets opened minus brackets closed in S, outside literals and
	# comments: a line that leaves one open continues on the next.
	function opened(s,	t)
	{
		t = s
		if (in_comment) {
			if (!sub(/.*\*\//, "", t))
				return 0
			in_comment = 0
		}
		gsub(/"([^"\\]|\\.)*"/, "", t)
		gsub(/\047([^\047\\]|\\.)*\047/, "", t)
		gsub(/\/\*([^*]|\*[^\/])*\*\//, "", t)
		sub(/\/\/.*/, "", t)
		if (sub(/\/\*.*/, "", t))
			in_comment = 1
		return gsub(/[([]/, "", t) - gsub(/[)\]]/, "", t)
	}
	{
		line = $0
		lead = ""
		if (match(line, /^[ \t]+/)) {
			lead = substr(line, 1, RLENGTH)
			line = substr(line, RLENGTH + 1)
		}
		gsub(/[ \t]+/, " ", line)
		gsub(/\{ /, "{", line)
		gsub(/ \}/, "}", line)
		if (have && (depth > 0 || joinable(cur) || continues(line) ||
			     (cur ~ /^[ \t]*(case |default:)/ &&
			      line !~ /^(case |default:|})/))) {
			sep = " "
			sub(/ ?\\$/, "", cur)
			if (cur ~ /[(\[{]$/ || line ~ /^[)\]},;]/ ||
			    (line ~ /^\[/ && cur ~ /[]a-zA-Z0-9_)]$/) ||
			    (depth > 0 && cur ~ /\)$/ && line ~ /^[A-Za-z_(]/))
				sep = ""
			cur = cur sep line
			depth += opened(line)
			next
		}
		if (have)
			print cur
		cur = lead line
		depth = opened(line)
		have = 1
	}
	END {
		if (have)
			print cur
	}' "$1"
}

# Print the width of every line of FILE over the ceiling, tabs counting to
# the next multiple of 8 and a UTF-8 character counting as one column.
long_lines()
{
	awk -v max="$max_columns" '
	{
		line = $0
		gsub(/[\200-\277]/, "", line)
		width = length(line)
		if (index(line, "\t")) {
			width = 0
			for (i = 1; i <= length(line); i++) {
				if (substr(line, i, 1) == "\t")
					width += 8 - width % 8
				else
					width++
			}
		}
		if (width > max)
			printf "%s:%d: %d columns\n", FILENAME, FNR, width
	}' "$1"
}

check_format()
{
	file=$1
	tmp=${TMPDIR:-/tmp}/style.$$

	if clang-format --dry-run -Werror "$file" >/dev/null 2>&1; then
		return 0
	fi
	clang-format "$file" >"$tmp.fmt" || return 1
	normalize "$file" >"$tmp.a"
	normalize "$tmp.fmt" >"$tmp.b"
	if cmp -s "$tmp.a" "$tmp.b"; then
		rm -f "$tmp.fmt" "$tmp.a" "$tmp.b"
		return 0
	fi
	echo "# $file differs from clang-format (lines joined as compared):"
	diff -u "$tmp.a" "$tmp.b" | sed '1,2d; s/^/# /' | head -n 40
	echo "# see: clang-format $file | diff -u $file -"
	rm -f "$tmp.fmt" "$tmp.a" "$tmp.b"
	return 1
}

cd "$srcdir" || exit 99

format_files=$(ls src/*.[ch] tests/unit/*.[ch] tests/diff/*.[ch] 2>/dev/null)
column_files=$(ls src/*.[ch] grammar/*.y grammar/*.re \
	tests/unit/*.[ch] tests/diff/*.[ch] 2>/dev/null)

nformat=$(echo "$format_files" | grep -c .)
ncolumn=$(echo "$column_files" | grep -c .)
echo "1..$((nformat + ncolumn))"

have_clang_format=no
if command -v clang-format >/dev/null 2>&1; then
	have_clang_format=yes
	echo "# $(clang-format --version)"
fi

n=0
for f in $format_files; do
	n=$((n + 1))
	if [ $have_clang_format = no ]; then
		echo "ok $n - clang-format $f # SKIP clang-format not found"
	elif check_format "$f"; then
		echo "ok $n - clang-format $f"
	else
		echo "not ok $n - clang-format $f"
	fi
done

for f in $column_files; do
	n=$((n + 1))
	over=$(long_lines "$f")
	if [ -z "$over" ]; then
		echo "ok $n - at most $max_columns columns: $f"
	else
		echo "not ok $n - at most $max_columns columns: $f"
		echo "$over" | sed 's/^/# /'
	fi
done
exit 0
