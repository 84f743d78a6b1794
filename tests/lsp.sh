#!/bin/sh
# The language server: tests/lsp-client.py starts `rulecheck lsp' once per
# test (behind RULECHECK_WRAPPER when set) and drives it as an editor
# would, printing TAP.  Skips when python3 is missing.

LC_ALL=C
export LC_ALL
srcdir=${abs_top_srcdir:-${srcdir:-.}}
: "${RULECHECK:=$PWD/rulecheck}"
timeout_s=${RULECHECK_LSP_TOTAL_TIMEOUT:-900}

if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not found"
	exit 0
fi
if [ ! -x "$RULECHECK" ]; then
	echo "Bail out! no program at $RULECHECK"
	exit 99
fi

# The client reads and writes UTF-8 whatever the locale.
PYTHONIOENCODING=utf-8
PYTHONDONTWRITEBYTECODE=1
export PYTHONIOENCODING PYTHONDONTWRITEBYTECODE

if command -v timeout >/dev/null 2>&1; then
	exec timeout "$timeout_s" python3 "$srcdir/tests/lsp-client.py" \
		"$RULECHECK" "$srcdir"
fi
exec python3 "$srcdir/tests/lsp-client.py" "$RULECHECK" "$srcdir"
