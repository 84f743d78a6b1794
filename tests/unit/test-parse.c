/* Unit tests of the expression compiler: the trees of precedence and of
 * every literal kind, each syntax-error message with its exact span, the
 * nesting and size limits, and expressions taken from real rule files.
 * Output is TAP. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "tap.h"

/* The TAP description of TEXT: one line, no '#', not too long. */
static void describe(char *out, size_t size, const char *what,
		     const char *text, size_t len)
{
	size_t n = snprintf(out, size, "%s: ", what), i;

	for (i = 0; i < len && n + 4 < size && i < 60; i++)
		out[n++] = (unsigned char)text[i] < 0x20 || text[i] == '#'
			? '?' : text[i];
	if (i < len)
		n += snprintf(out + n, size - n, "...");
	out[n] = '\0';
}

static void report(int pass, const char *desc, const char *got,
		   const char *want)
{
	if (!ok(pass, "%s", desc))
		printf("# expected:\n# %s\n# got:\n# %s\n", want, got);
}

/* The dump of TEXT, or "error @start-end: message"; caller frees. */
static char *compile(const char *text, size_t len, unsigned max_depth)
{
	struct ast_arena *arena = ast_arena_new();
	struct expr_error err;
	struct ast_node *root;
	char *out = NULL;
	size_t size;
	FILE *f = open_memstream(&out, &size);

	root = expr_parse(arena, text, len, max_depth, &err);
	if (root)
		ast_dump(f, root, 0);
	else
		fprintf(f, "error @%zu-%zu: %s\n", err.start, err.end, err.msg);
	fclose(f);
	ast_arena_free(arena);
	return out;
}

static void tree_n(const char *text, size_t len, const char *want)
{
	char desc[100], *got = compile(text, len, 0);

	describe(desc, sizeof(desc), "tree", text, len);
	report(strcmp(got, want) == 0, desc, got, want);
	free(got);
}

static void tree(const char *text, const char *want)
{
	tree_n(text, strlen(text), want);
}

static void fault_n(const char *text, size_t len, unsigned max_depth,
		    size_t start, size_t end, const char *msg)
{
	char desc[100], want[400], *got = compile(text, len, max_depth);

	snprintf(want, sizeof(want), "error @%zu-%zu: %s\n", start, end, msg);
	describe(desc, sizeof(desc), "fault", text, len);
	report(strcmp(got, want) == 0, desc, got, want);
	free(got);
}

static void fault(const char *text, size_t start, size_t end,
		  const char *msg)
{
	fault_n(text, strlen(text), 0, start, end, msg);
}

/* Only that TEXT compiles, for long real-world expressions. */
static void compiles(const char *text)
{
	char desc[100], *got = compile(text, strlen(text), 0);

	describe(desc, sizeof(desc), "compiles", text, strlen(text));
	report(strncmp(got, "error", 5) != 0, desc, got, "a tree");
	free(got);
}

static void test_precedence(void)
{
	tree("a || b && c",
	     "binary || @0-11\n"
	     "  ident a @0-1\n"
	     "  binary && @5-11\n"
	     "    ident b @5-6\n"
	     "    ident c @10-11\n");
	tree("!a == b",
	     "binary == @0-7\n"
	     "  unary ! @0-2\n"
	     "    ident a @1-2\n"
	     "  ident b @6-7\n");
	tree("a + b == c",
	     "binary == @0-10\n"
	     "  binary + @0-5\n"
	     "    ident a @0-1\n"
	     "    ident b @4-5\n"
	     "  ident c @9-10\n");
	tree("x in [1,2] && y",
	     "binary && @0-15\n"
	     "  binary in @0-10\n"
	     "    ident x @0-1\n"
	     "    array @5-10\n"
	     "      number 1 @6-7\n"
	     "      number 2 @8-9\n"
	     "  ident y @14-15\n");
	tree("a == b != c",
	     "binary != @0-11\n"
	     "  binary == @0-6\n"
	     "    ident a @0-1\n"
	     "    ident b @5-6\n"
	     "  ident c @10-11\n");
	tree("a < b == c < d",
	     "binary == @0-14\n"
	     "  binary < @0-5\n"
	     "    ident a @0-1\n"
	     "    ident b @4-5\n"
	     "  binary < @9-14\n"
	     "    ident c @9-10\n"
	     "    ident d @13-14\n");
	tree("a - b - c",
	     "binary - @0-9\n"
	     "  binary - @0-5\n"
	     "    ident a @0-1\n"
	     "    ident b @4-5\n"
	     "  ident c @8-9\n");
	tree("a * b + c % d",
	     "binary + @0-13\n"
	     "  binary * @0-5\n"
	     "    ident a @0-1\n"
	     "    ident b @4-5\n"
	     "  binary % @8-13\n"
	     "    ident c @8-9\n"
	     "    ident d @12-13\n");
	tree("!a.b(c)[d]",
	     "unary ! @0-10\n"
	     "  index @1-10\n"
	     "    call @1-7\n"
	     "      member b @1-4\n"
	     "        ident a @1-2\n"
	     "      ident c @5-6\n"
	     "    ident d @8-9\n");
	tree("-a + +b",
	     "binary + @0-7\n"
	     "  unary - @0-2\n"
	     "    ident a @1-2\n"
	     "  unary + @5-7\n"
	     "    ident b @6-7\n");
	tree("(a || b) && c",
	     "binary && @0-13\n"
	     "  binary || @1-7\n"
	     "    ident a @1-2\n"
	     "    ident b @6-7\n"
	     "  ident c @12-13\n");
	tree("a === b && c !== d",
	     "binary && @0-18\n"
	     "  binary === @0-7\n"
	     "    ident a @0-1\n"
	     "    ident b @6-7\n"
	     "  binary !== @11-18\n"
	     "    ident c @11-12\n"
	     "    ident d @17-18\n");
	tree("a ? b : c ? d : e",
	     "cond @0-17\n"
	     "  ident a @0-1\n"
	     "  ident b @4-5\n"
	     "  cond @8-17\n"
	     "    ident c @8-9\n"
	     "    ident d @12-13\n"
	     "    ident e @16-17\n");
	tree("a || b ? c : d",
	     "cond @0-14\n"
	     "  binary || @0-6\n"
	     "    ident a @0-1\n"
	     "    ident b @5-6\n"
	     "  ident c @9-10\n"
	     "  ident d @13-14\n");
}

static void test_literals(void)
{
	tree("'ANONYMOUS'", "string \"ANONYMOUS\" @0-11\n");
	tree("\"d\\\"q\" + 'it\\'s'",
	     "binary + @0-16\n"
	     "  string \"d\\\"q\" @0-6\n"
	     "  string \"it's\" @9-16\n");
	tree("'\\x41\\u00e9\\u{1F600}\\uD83D\\uDE00\\n\\t\\0\\101\\q'",
	     "string \"A\xc3\xa9\xf0\x9f\x98\x80\xf0\x9f\x98\x80\\n\\t\\000Aq\""
	     " @0-45\n");
	tree("'a\\\nb\\\r\nc'", "string \"abc\" @0-10\n");
	tree("'${auth.uid}'", "string \"${auth.uid}\" @0-13\n");
	tree("10 + 1.5 + .5 + 1.5e3 + 2E-3 + 0x1F + 1e21 + 1e-7",
	     "binary + @0-49\n"
	     "  binary + @0-42\n"
	     "    binary + @0-35\n"
	     "      binary + @0-28\n"
	     "        binary + @0-21\n"
	     "          binary + @0-13\n"
	     "            binary + @0-8\n"
	     "              number 10 @0-2\n"
	     "              number 1.5 @5-8\n"
	     "            number 0.5 @11-13\n"
	     "          number 1500 @16-21\n"
	     "        number 0.002 @24-28\n"
	     "      number 31 @31-35\n"
	     "    number 1e+21 @38-42\n"
	     "  number 1e-7 @45-49\n");
	tree("[0.1, 123456789012345680000, 1e400, 0.000001]",
	     "array @0-45\n"
	     "  number 0.1 @1-4\n"
	     "  number 123456789012345680000 @6-27\n"
	     "  number Infinity @29-34\n"
	     "  number 0.000001 @36-44\n");
	tree("[true, false, null, undefined]",
	     "array @0-30\n"
	     "  bool true @1-5\n"
	     "  bool false @7-12\n"
	     "  null @14-18\n"
	     "  undefined @20-29\n");
	tree("[]", "array @0-2\n");
	tree("['a', 'b',]",
	     "array @0-11\n"
	     "  string \"a\" @1-4\n"
	     "  string \"b\" @6-9\n");
	tree("/^public\\//i",
	     "regex \"^public\\\\/\" \"i\" @0-12\n");
	tree("/[/]\\d+/gu", "regex \"[/]\\\\d+\" \"gu\" @0-10\n");
	tree("{a: 1, 'b c': x, 2: y, z,}",
	     "object @0-26\n"
	     "  pair \"a\" @1-5\n"
	     "    number 1 @4-5\n"
	     "  pair \"b c\" @7-15\n"
	     "    ident x @14-15\n"
	     "  pair \"2\" @17-21\n"
	     "    ident y @20-21\n"
	     "  pair \"z\" @23-24\n"
	     "    ident z @23-24\n");
	tree("{}", "object @0-2\n");
	tree("x => x.a",
	     "arrow @0-8\n"
	     "  ident x @0-1\n"
	     "  member a @5-8\n"
	     "    ident x @5-6\n");
	tree("(a, b) => a + b",
	     "arrow @0-15\n"
	     "  ident a @1-2\n"
	     "  ident b @4-5\n"
	     "  binary + @10-15\n"
	     "    ident a @10-11\n"
	     "    ident b @14-15\n");
	tree("() => (y) => 1",
	     "arrow @0-14\n"
	     "  arrow @6-14\n"
	     "    ident y @7-8\n"
	     "    number 1 @13-14\n");
	tree("$a_1.\xe7\x94\xa8\xe6\x88\xb7 == _",
	     "binary == @0-16\n"
	     "  member \xe7\x94\xa8\xe6\x88\xb7 @0-11\n"
	     "    ident $a_1 @0-4\n"
	     "  ident _ @15-16\n");
	tree("a.in.null.true",
	     "member true @0-14\n"
	     "  member null @0-9\n"
	     "    member in @0-4\n"
	     "      ident a @0-1\n");
	tree("a\xc2\xa0&&\xe3\x80\x80" "b\n",
	     "binary && @0-9\n"
	     "  ident a @0-1\n"
	     "  ident b @8-9\n");
}

static void test_templates(void)
{
	tree("`database.room.${doc.roomId}`",
	     "template @0-29\n"
	     "  string \"database.room.\" @1-15\n"
	     "  member roomId @17-27\n"
	     "    ident doc @17-20\n"
	     "  string \"\" @28-28\n");
	tree("`a${b}c${d}`",
	     "template @0-12\n"
	     "  string \"a\" @1-2\n"
	     "  ident b @4-5\n"
	     "  string \"c\" @6-7\n"
	     "  ident d @9-10\n"
	     "  string \"\" @11-11\n");
	tree("``", "template @0-2\n  string \"\" @1-1\n");
	tree("`\\`$\\n{x}`", "template @0-10\n  string \"`$\\n{x}\" @1-9\n");
	tree("`${ {a: `${b}`} }`",
	     "template @0-18\n"
	     "  string \"\" @1-1\n"
	     "  object @4-15\n"
	     "    pair \"a\" @5-14\n"
	     "      template @8-14\n"
	     "        string \"\" @9-9\n"
	     "        ident b @11-12\n"
	     "        string \"\" @13-13\n"
	     "  string \"\" @17-17\n");
}

static void test_regex_division(void)
{
	tree("a / b / c",
	     "binary / @0-9\n"
	     "  binary / @0-5\n"
	     "    ident a @0-1\n"
	     "    ident b @4-5\n"
	     "  ident c @8-9\n");
	tree("/a/.source / 2",
	     "binary / @0-14\n"
	     "  member source @0-10\n"
	     "    regex \"a\" \"\" @0-3\n"
	     "  number 2 @13-14\n");
	tree("(x) / 2 + f()[0] / y",
	     "binary + @0-20\n"
	     "  binary / @0-7\n"
	     "    ident x @1-2\n"
	     "    number 2 @6-7\n"
	     "  binary / @10-20\n"
	     "    index @10-16\n"
	     "      call @10-13\n"
	     "        ident f @10-11\n"
	     "      number 0 @14-15\n"
	     "    ident y @19-20\n");
	tree("x in /a/ && f(/b/g, [/c/])",
	     "binary && @0-26\n"
	     "  binary in @0-8\n"
	     "    ident x @0-1\n"
	     "    regex \"a\" \"\" @5-8\n"
	     "  call @12-26\n"
	     "    ident f @12-13\n"
	     "    regex \"b\" \"g\" @14-18\n"
	     "    array @20-25\n"
	     "      regex \"c\" \"\" @21-24\n");
	tree("/^public\\//.test(resource.path) == true",
	     "binary == @0-39\n"
	     "  call @0-31\n"
	     "    member test @0-16\n"
	     "      regex \"^public\\\\/\" \"\" @0-11\n"
	     "    member path @17-30\n"
	     "      ident resource @17-25\n"
	     "  bool true @35-39\n");
}

static void test_faults(void)
{
	fault("", 0, 0, "unexpected end of expression");
	fault("  \n", 3, 3, "unexpected end of expression");
	fault(")", 0, 1, "unexpected ')'");
	fault("a b", 2, 3, "unexpected 'b'");
	fault("auth.uid == doc.u)", 17, 18, "unexpected ')'");
	fault("a &&", 4, 4,
	      "expected an operand after '&&', found end of expression");
	fault("(a &&)", 5, 6, "expected an operand after '&&', found ')'");
	fault("a && && b", 5, 7, "expected an operand after '&&', found '&&'");
	fault("!", 1, 1,
	      "expected an operand after '!', found end of expression");
	fault("x in", 4, 4,
	      "expected an operand after 'in', found end of expression");
	fault("[1,,2]", 3, 4, "expected an operand after ',', found ','");
	fault("a == 'x' 'y'", 9, 12, "unexpected string 'y'");
	fault("(a", 2, 2, "expected ')' to close '(', found end of expression");
	fault("get('x'", 7, 7,
	      "expected ')' to close '(', found end of expression");
	fault("f(a b)", 4, 5, "expected ')' to close '(', found 'b'");
	fault("[a)", 2, 3, "expected ']' to close '[', found ')'");
	fault("{a 1}", 3, 4, "expected '}' to close '{', found '1'");
	fault("`a${b c}`", 6, 7, "expected '}' to close '${', found 'c'");
	fault("`${}`", 3, 5, "expected an operand after '${', found '}'");
	fault("a ? b", 5, 5, "expected ':', found end of expression");
	fault("(a, b) + 1", 7, 8, "expected '=>', found '+'");
	fault("(a.b) => c", 1, 4, "expected a parameter name before '=>'");
	fault("(a, 1) => 2", 4, 5,
	      "expected a parameter name after ',', found '1'");
	fault("a.", 2, 2,
	      "expected a property name after '.', found end of expression");
	fault("{a: 1, &&}", 7, 9,
	      "expected a property name after ',', found '&&'");
	fault("doc.a == 'abc", 9, 13, "unterminated string starting here");
	fault("\"abc\\", 0, 5, "unterminated string starting here");
	fault("'ab\ncd'", 0, 3, "unterminated string starting here");
	fault("`abc", 0, 4, "unterminated template");
	fault("x + `a${b}c", 4, 11, "unterminated template");
	fault("a # b", 2, 3, "invalid character '#'");
	fault("a && /abc", 5, 9, "unterminated regular expression");
	fault("/a[/", 0, 4, "unterminated regular expression");
	fault("/a/x", 3, 4, "invalid regular expression flag 'x'");
	fault("/a/gig", 5, 6, "invalid regular expression flag 'g'");
	fault("'\\x4g'", 1, 5, "invalid escape sequence '\\x4g'");
	fault("'\\u{110000}'", 1, 11,
	      "invalid escape sequence '\\u{110000}'");
	fault("`\\u12`", 1, 5, "invalid escape sequence '\\u12'");
	fault("a = b", 2, 3, "invalid operator '=', did you mean '=='");
	fault("a & b", 2, 3, "invalid operator '&', did you mean '&&'");
	fault("1in x", 0, 3, "invalid number '1in'");
	fault("a \x7f", 2, 3, "invalid character '\\x7f'");
	fault("a \xff", 2, 3, "invalid character '\\xff'");
	fault("a('\\q', 'a long string literal that will be cut short')b",
	      55, 56, "unexpected 'b'");
	fault("f('x', 'a long string literal that will be cut short' 'y')",
	      54, 57, "expected ')' to close '(', found string 'y'");
	fault("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbb", 41, 45,
	      "unexpected 'bbbb'");
	fault("a bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	      "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	      2, 66, "unexpected 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...'");
}

static void test_nul_bytes(void)
{
	fault_n("a\0b", 3, 0, 1, 2, "invalid character '\\x00'");
	fault_n("a\0", 2, 0, 1, 2, "invalid character '\\x00'");
	fault_n("'a\0", 3, 0, 0, 3, "unterminated string starting here");
	tree_n("'a\0b' + `\0`", 11,
	       "binary + @0-11\n"
	       "  string \"a\\000b\" @0-5\n"
	       "  template @8-11\n"
	       "    string \"\\000\" @9-10\n");
	tree_n("/\0/", 3, "regex \"\\000\" \"\" @0-3\n");
	fault_n("a &&\0", 4, 0, 4, 4,
		"expected an operand after '&&', found end of expression");
}

/* TEXT made of PRE, UNIT N times, MID, UNIT2 N times. */
static char *repeat(const char *pre, const char *unit, size_t n,
		    const char *mid, const char *unit2, size_t *len)
{
	size_t a = strlen(unit), b = strlen(unit2), i;
	char *s = malloc(strlen(pre) + n * (a + b) + strlen(mid) + 1), *p = s;

	p += sprintf(p, "%s", pre);
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s", unit);
	p += sprintf(p, "%s", mid);
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s", unit2);
	*len = p - s;
	return s;
}

static void deep(const char *unit, size_t n, const char *mid,
		 const char *unit2, size_t start, size_t end)
{
	size_t len;
	char *s = repeat("", unit, n, mid, unit2, &len);
	char msg[64];

	snprintf(msg, sizeof(msg), "expression nested deeper than %d levels",
		 EXPR_MAX_DEPTH_DEFAULT);
	fault_n(s, len, 0, start, end, msg);
	free(s);
}

/* The root's left spine of a long chain, without recursing. */
static size_t spine(const struct ast_node *n)
{
	size_t d = 0;

	for (; n; n = n->a)
		d++;
	return d;
}

static void test_limits(void)
{
	struct ast_arena *arena = ast_arena_new();
	struct expr_error err;
	struct ast_node *root;
	size_t len;
	char *s;

	deep("(", 100000, "a", ")", 256, 257);
	deep("[", 100000, "a", "]", 256, 257);
	deep("f(", 100000, "a", ")", 513, 514);
	deep("{a:", 100000, "a", "}", 768, 769);
	deep("`${", 100000, "a", "}`", 768, 771);
	deep("!", 100000, "a", "", 256, 257);
	deep("-", 100000, "a", "", 256, 257);
	deep("!(", 100000, "a", ")", 256, 257);
	deep("a ? b : ", 100000, "c", "", 2050, 2051);
	deep("x => ", 100000, "c", "", 1282, 1284);

	s = repeat("", "(", 256, "a", ")", &len);
	root = expr_parse(arena, s, len, 0, &err);
	ok(root && root->kind == AST_IDENT, "256 parentheses are allowed");
	free(s);
	s = repeat("", "!", 256, "a", "", &len);
	ok(expr_parse(arena, s, len, 0, &err) != NULL, "256 '!' are allowed");
	free(s);
	s = repeat("", "!a && ", 3000, "a", "", &len);
	ok(expr_parse(arena, s, len, 0, &err) != NULL,
	   "prefix operators end with their operand");
	free(s);
	s = repeat("[", "a ? b : c, ", 3000, "a]", "", &len);
	ok(expr_parse(arena, s, len, 0, &err) != NULL,
	   "a comma ends the pending '?'");
	free(s);
	ok(expr_parse(arena, "((a))", 5, 2, &err) != NULL,
	   "two levels within a limit of 2");
	fault_n("(((a)))", 7, 2, 2, 3,
		"expression nested deeper than 2 levels");

	s = repeat("a", "&&a", (EXPR_MAX_LENGTH_DEFAULT - 1) / 3, "", "", &len);
	root = expr_parse(arena, s, len, 0, &err);
	ok(root && len == EXPR_MAX_LENGTH_DEFAULT && spine(root) == len / 3 + 1
	   && root->op == AST_OP_AND && root->end == len,
	   "a chain of %zu bytes of '&&' is left-associative", len);
	free(s);
	s = repeat("a", ".b", EXPR_MAX_LENGTH_DEFAULT / 2 - 1, "", "", &len);
	root = expr_parse(arena, s, len, 0, &err);
	ok(root && spine(root) == len / 2 + 1, "a chain of %zu bytes of '.b'",
	   len);
	free(s);
	ast_arena_free(arena);
}

/* Expressions of the rule files in corpus/wild, by file number. */
static void test_wild(void)
{
	/* 014: regex literal, get() with templates, parentheses. */
	compiles("auth != null && auth.loginType != 'ANONYMOUS' && "
		 "resource.openid == auth.uid && /^staging\\//.test("
		 "resource.path) && get(`database.quest_roles.${auth.uid}`)"
		 ".active == true && (get(`database.quest_roles.${auth.uid}`)"
		 ".role == 'hero' || get(`database.quest_roles.${auth.uid}`)"
		 ".role == 'admin')");
	/* 042: 'in' against a get() result. */
	tree("auth.openid in get('database.admin_whitelist.records')",
	     "binary in @0-54\n"
	     "  member openid @0-11\n"
	     "    ident auth @0-4\n"
	     "  call @15-54\n"
	     "    ident get @15-18\n"
	     "    string \"database.admin_whitelist.records\" @19-53\n");
	compiles("doc.openid_hash == auth.openid || auth.openid in "
		 "get('database.admin_whitelist.records')");
	/* 070 */
	tree("auth.uid != null && doc.authorUid == auth.uid",
	     "binary && @0-45\n"
	     "  binary != @0-16\n"
	     "    member uid @0-8\n"
	     "      ident auth @0-4\n"
	     "    null @12-16\n"
	     "  binary == @20-45\n"
	     "    member authorUid @20-33\n"
	     "      ident doc @20-23\n"
	     "    member uid @37-45\n"
	     "      ident auth @37-41\n");
	/* 053 and 056: a method call other than get(), compiled so that the
	 * checks can name it. */
	compiles("auth.openid != null && get(`database.couples.${doc.coupleId}`)"
		 ".memberOpenids.includes(auth.openid)");
	compiles("doc.memberOpenids.includes(auth.openid)");
	/* 092 and 093: "$(...)" inside quotes is plain text. */
	tree("get('database.students.$(auth.openid)').role in "
	     "['admin', 'seat_manager']",
	     "binary in @0-73\n"
	     "  member role @0-44\n"
	     "    call @0-39\n"
	     "      ident get @0-3\n"
	     "      string \"database.students.$(auth.openid)\" @4-38\n"
	     "  array @48-73\n"
	     "    string \"admin\" @49-56\n"
	     "    string \"seat_manager\" @58-72\n");
	compiles("get('database.admins.$(auth.openid)').permissions"
		 ".indexOf('write_data') >= 0");
	/* 065: the expression spans several lines. */
	compiles("auth != null && (\n"
		 "    resource.path.matches('users/avatars/' + auth.uid + "
		 "'_.*') ||\n"
		 "    resource.path.matches('feedbacks/images/.*') ||\n"
		 "    (auth.role == 'admin' && resource.path.matches("
		 "'admin/.*'))\n  )");
	/* 087 ($expr), 094 (two regular expressions), 060 (object literal) */
	compiles("get('database.users.$(auth.openid)').data.role == 'admin'");
	compiles("auth != null && auth.loginType != 'ANONYMOUS' && "
		 "resource.openid == auth.openid && resource.size <= 8388608 && "
		 "(/^temporary-cards\\//.test(resource.path) || "
		 "/^storage-scenes\\//.test(resource.path))");
	compiles("get('database.users').where({ _openid: auth.openid, "
		 "familyId: doc.familyId, role: 'chef', registered: true })"
		 ".count() > 0");
	compiles("get('system_users').where({openid: auth.openid, role: "
		 "['admin', 'super_admin']}).count() > 0");
	compiles("get('database.family_members.m_' + doc._id + '_' + "
		 "auth.openid) != null");
	compiles("newData.hasAll(['momentId','content','createdAt'])");
	compiles("auth.uid == doc.uid && (request.data.uid == undefined || "
		 "request.data.uid == auth.uid)");
	/* No value in the corpus is a syntax error: descriptions written
	 * where a rule belongs compile to a name, which the checks report
	 * as an unknown variable. */
	tree("\xe4\xbb\x85\xe4\xba\x91\xe5\x87\xbd\xe6\x95\xb0\xe5\x8f\xaf"
	     "\xe5\x86\x99",
	     "ident \xe4\xbb\x85\xe4\xba\x91\xe5\x87\xbd\xe6\x95\xb0\xe5\x8f"
	     "\xaf\xe5\x86\x99 @0-18\n");
	/* Near misses of those files that are genuinely not expressions. */
	fault("auth.openid == doc._openid ||", 29, 29,
	      "expected an operand after '||', found end of expression");
	fault("get(`database.couples.${doc.coupleId`).a", 36, 40,
	      "unterminated template");
}

static void test_names(void)
{
	ok(strcmp(ast_op_name(AST_OP_SEQ), "===") == 0
	   && strcmp(ast_op_name(AST_OP_IN), "in") == 0
	   && strcmp(ast_op_name(AST_OP_NOT), "!") == 0
	   && strcmp(ast_op_name(AST_OP_NEG), "-") == 0, "operator names");
}

int main(void)
{
	test_precedence();
	test_literals();
	test_templates();
	test_regex_division();
	test_faults();
	test_nul_bytes();
	test_limits();
	test_wild();
	test_names();
	return tap_done();
}
