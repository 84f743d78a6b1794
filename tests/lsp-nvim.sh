#!/bin/sh
# The language server in a real editor: headless Neovim opens a rule file
# with a bad rule on a line of Chinese and emoji characters, starts
# `rulecheck lsp' through its built-in client, waits for the diagnostics
# and writes them out; Neovim turns the UTF-16 ranges back into byte
# columns, which must land on the faulty bytes.  TAP; skips without nvim.

LC_ALL=C
export LC_ALL
: "${RULECHECK:=$PWD/rulecheck}"
timeout_s=${RULECHECK_TIMEOUT:-120}

if ! command -v nvim >/dev/null 2>&1; then
	echo "1..0 # SKIP nvim not found"
	exit 0
fi
if [ ! -x "$RULECHECK" ]; then
	echo "Bail out! no program at $RULECHECK"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lsp-nvim.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

# Neovim keeps its logs and state under these.
XDG_CACHE_HOME=$tmp/cache
XDG_STATE_HOME=$tmp/state
XDG_DATA_HOME=$tmp/data
XDG_CONFIG_HOME=$tmp/config
export XDG_CACHE_HOME XDG_STATE_HOME XDG_DATA_HOME XDG_CONFIG_HOME

mkdir "$tmp/project" || exit 99
printf '%s\n' '{' \
	"  \"read\": \"auth.openid == '中文😀' && doc.x ==== 1\"," \
	'  "读😀": true,' \
	'  "write": false' \
	'}' >"$tmp/project/database-rules.json"

cat >"$tmp/test.lua" <<'EOF'
-- Attach rulecheck lsp to the current buffer, wait for its diagnostics,
-- stop it, and write one line per diagnostic and the exit status.
local out = assert(io.open(os.getenv('LSP_OUT'), 'w'))
local cmd = vim.fn.split(os.getenv('LSP_WRAPPER') or '')
local status

table.insert(cmd, os.getenv('RULECHECK'))
table.insert(cmd, 'lsp')

local function run()
  local buf = vim.api.nvim_get_current_buf()
  local config = {
    name = 'rulecheck',
    cmd = cmd,
    root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':h'),
    on_exit = function(code) status = code end,
  }
  local id
  if vim.lsp.start then
    id = vim.lsp.start(config)
  else
    id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, id)
  end

  local got = vim.wait(30000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 50)
  out:write(got and 'diagnostics\n' or 'timeout\n')
  local diags = vim.diagnostic.get(buf)
  table.sort(diags, function(a, b)
    if a.lnum ~= b.lnum then return a.lnum < b.lnum end
    return a.col < b.col
  end)
  for _, d in ipairs(diags) do
    out:write(string.format('%s %d:%d-%d:%d severity %d\n',
      tostring(d.code), d.lnum, d.col, d.end_lnum, d.end_col, d.severity))
  end

  vim.lsp.stop_client(id)
  vim.wait(30000, function() return status ~= nil end, 50)
  out:write('exit ' .. tostring(status) .. '\n')
end

local ok, err = pcall(run)
if not ok then
  out:write('error ' .. tostring(err) .. '\n')
end
out:close()
vim.cmd('qa!')
EOF

limit()
{
	if command -v timeout >/dev/null 2>&1; then
		timeout "$timeout_s" "$@"
	else
		"$@"
	fi
}

echo "1..4"
LSP_OUT=$tmp/out LSP_WRAPPER=${RULECHECK_WRAPPER-} RULECHECK=$RULECHECK \
	limit nvim --headless --clean -n \
	-c "luafile $tmp/test.lua" "$tmp/project/database-rules.json" \
	</dev/null >"$tmp/nvim.log" 2>&1
status=$?

if [ $status -eq 0 ] && [ -f "$tmp/out" ]; then
	echo "ok 1 - neovim ran the script"
else
	echo "not ok 1 - neovim ran the script (status $status)"
	sed 's/^/# /' "$tmp/nvim.log" "$tmp/out" 2>/dev/null
fi

# Byte columns: the fourth '=' follows 2 + 6 + 3 + 16 bytes, then two
# 3-byte Chinese characters, a 4-byte emoji and 14 more bytes.
cat >"$tmp/expected" <<'EOF'
expr-syntax 1:51-1:52 severity 1
unknown-key 2:2-2:11 severity 1
EOF
grep -E '^(expr-syntax|unknown-key) ' "$tmp/out" >"$tmp/got" 2>/dev/null
if head -n 1 "$tmp/out" 2>/dev/null | grep -qx diagnostics; then
	echo "ok 2 - diagnostics arrived"
else
	echo "not ok 2 - diagnostics arrived"
	sed 's/^/# /' "$tmp/out" 2>/dev/null
fi
if diff -u "$tmp/expected" "$tmp/got" >"$tmp/diff"; then
	echo "ok 3 - codes and ranges"
else
	echo "not ok 3 - codes and ranges"
	sed 's/^/# /' "$tmp/diff" "$tmp/out"
fi
if grep -qx 'exit 0' "$tmp/out" 2>/dev/null; then
	echo "ok 4 - the server exits with status 0 after shutdown"
else
	echo "not ok 4 - the server exits with status 0 after shutdown"
	sed 's/^/# /' "$tmp/out" 2>/dev/null
fi
exit 0
