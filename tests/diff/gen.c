/* Random rule expressions for the differential tests: a seeded
 * generator that writes expression text from a small grammar of what
 * real rules say (ownership, login types, roles read through get(),
 * membership, storage paths), with the operators mixed at random. */
#include <string.h>

#include "gen.h"

#define GEN_MAX_DEPTH 4
#define GEN_MAX_GETS 3

/* Precedence of what was written, loosest first, as the parser sees it. */
enum gen_prec {
	GEN_PREC_OR = 1,
	GEN_PREC_AND,
	GEN_PREC_CMP,
	GEN_PREC_UNARY,
	GEN_PREC_PRIMARY
};

enum gen_atom {
	GEN_ATOM_COMPARE,
	GEN_ATOM_AUTH,
	GEN_ATOM_IN,
	GEN_ATOM_BARE,
	GEN_ATOM_NOT_BARE,
	GEN_ATOM_BOOL,
	GEN_ATOM_REGEX,
	GEN_ATOM_REGEX_BARE
};

static const char *const gen_numbers[] = {
	"0", "1", "2", "10", "1.5", "100"
};

static const char *const gen_strings[] = {
	"'a'", "'b'", "''", "'ANONYMOUS'", "'EMAIL'", "'WECHAT_OPEN'",
	"'WECHAT_PUBLIC'", "'CUSTOM'", "'1'", "'01'", "' 2 '", "'admin'",
	"'x y'"
};

static const char *const gen_login_types[] = {
	"'ANONYMOUS'", "'EMAIL'", "'WECHAT_OPEN'", "'WECHAT_PUBLIC'",
	"'CUSTOM'", "'a'"
};

static const char *const gen_doc_fields[] = {
	"doc.f1", "doc.f2", "doc.f3", "doc.f4", "doc.o.f", "doc._openid"
};

static const char *const gen_data_fields[] = {
	"request.data.f1", "request.data.f2"
};

static const char *const gen_get_paths[] = {
	"get('database.cfg.main')",
	"get('database.roles.x')",
	"get('database.roles.' + auth.uid)",
	"get(`database.roles.${auth.uid}`)",
	"get(`database.users.${auth.openid}`)",
	"get('database.roles.' + auth.openid)",
	"get('database.cfg.' + doc.f1)",
	"get(`database.items.${doc.f2}`)",
	"get('database.cfg.' + request.data.f1)"
};

static const char *const gen_get_fields[] = {
	".admin", ".open", ".role"
};

static const char *const gen_regexes[] = {
	"/^public\\//", "/^users\\//", "/\\.png$/", "/^a/", "/^[a-z]+\\//",
	"/b$/", "/^avatars\\/.*\\.jpg$/"
};

static const char *const gen_compare_ops[] = {
	" == ", " == ", " == ", " == ", " == ", " != ", " != ", " != ",
	" === ", " !== ", " < ", " <= ", " > ", " >= "
};

static const char *const gen_auth_tests[] = {
	"auth != null", "auth == null", "null != auth", "auth === undefined",
	"auth.uid != null", "auth.openid == undefined",
	"auth.loginType != 'ANONYMOUS'"
};

#define GEN_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void gen_expr_at(struct gen *g, unsigned depth, enum gen_prec ctx);

/* splitmix64: small, fast, and the same on every platform. */
static uint64_t gen_next(struct gen *g)
{
	uint64_t z = (g->state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A number in [0, N). */
static unsigned gen_below(struct gen *g, unsigned n)
{
	return n ? (unsigned)(gen_next(g) % n) : 0;
}

static int gen_chance(struct gen *g, unsigned percent)
{
	return gen_below(g, 100) < percent;
}

static const char *gen_pick(struct gen *g, const char *const *list,
			    size_t n)
{
	return list[gen_below(g, (unsigned)n)];
}

void gen_init(struct gen *g, uint64_t seed, enum rule_kind kind)
{
	memset(g, 0, sizeof(*g));
	g->state = seed;
	g->kind = kind;
}

static void gen_put(struct gen *g, const char *s)
{
	size_t n = strlen(s);

	if (g->full || g->len + n + 1 > g->size) {
		g->full = 1;
		return;
	}
	memcpy(g->out + g->len, s, n);
	g->len += n;
	g->out[g->len] = '\0';
}

static void gen_literal(struct gen *g)
{
	unsigned r = gen_below(g, 100);

	if (r < 35)
		gen_put(g, gen_pick(g, gen_numbers, GEN_COUNT(gen_numbers)));
	else if (r < 80)
		gen_put(g, gen_pick(g, gen_strings, GEN_COUNT(gen_strings)));
	else if (r < 88)
		gen_put(g, gen_chance(g, 50) ? "true" : "false");
	else if (r < 95)
		gen_put(g, "null");
	else
		gen_put(g, "undefined");
}

static void gen_get(struct gen *g)
{
	g->gets++;
	gen_put(g, gen_pick(g, gen_get_paths, GEN_COUNT(gen_get_paths)));
	gen_put(g, gen_pick(g, gen_get_fields, GEN_COUNT(gen_get_fields)));
}

static void gen_database_term(struct gen *g)
{
	unsigned r = gen_below(g, 100);

	if (r < 10)
		gen_put(g, "auth.uid");
	else if (r < 20)
		gen_put(g, "auth.openid");
	else if (r < 25)
		gen_put(g, "auth.loginType");
	else if (r < 63)
		gen_put(g, gen_pick(g, gen_doc_fields,
				    GEN_COUNT(gen_doc_fields)));
	else if (r < 71)
		gen_put(g, gen_pick(g, gen_data_fields,
				    GEN_COUNT(gen_data_fields)));
	else if (r < 80 || g->gets >= GEN_MAX_GETS)
		gen_put(g, "now");
	else
		gen_get(g);
}

static void gen_storage_term(struct gen *g)
{
	unsigned r = gen_below(g, 100);

	if (r < 12)
		gen_put(g, "auth.uid");
	else if (r < 30)
		gen_put(g, "auth.openid");
	else if (r < 36)
		gen_put(g, "auth.loginType");
	else if (r < 66)
		gen_put(g, "resource.openid");
	else
		gen_put(g, "resource.path");
}

/* A value read from the request: a field, now, or a get() field. */
static void gen_term(struct gen *g)
{
	if (g->kind == RULE_KIND_STORAGE)
		gen_storage_term(g);
	else
		gen_database_term(g);
}

static void gen_operand(struct gen *g, unsigned literal_percent)
{
	if (gen_chance(g, literal_percent))
		gen_literal(g);
	else
		gen_term(g);
}

/* The right side of a storage comparison may build a path. */
static void gen_storage_rhs(struct gen *g)
{
	if (g->kind == RULE_KIND_STORAGE && gen_chance(g, 10)) {
		gen_put(g, gen_chance(g, 50) ? "'users/' + " : "'public/' + ");
		gen_put(g, gen_chance(g, 50) ? "auth.openid" : "auth.uid");
		return;
	}
	gen_operand(g, 45);
}

static void gen_compare(struct gen *g)
{
	const char *op = gen_pick(g, gen_compare_ops,
				  GEN_COUNT(gen_compare_ops));

	if (gen_chance(g, 12)) {
		gen_put(g, "auth.loginType");
		gen_put(g, gen_chance(g, 70) ? " == " : " != ");
		gen_put(g, gen_pick(g, gen_login_types,
				    GEN_COUNT(gen_login_types)));
		return;
	}
	if (gen_chance(g, 12)) {
		gen_literal(g);
		gen_put(g, op);
		gen_term(g);
		return;
	}
	gen_term(g);
	gen_put(g, op);
	gen_storage_rhs(g);
}

static void gen_array(struct gen *g)
{
	unsigned n = 1 + gen_below(g, 3), i;

	gen_put(g, "[");
	for (i = 0; i < n; i++) {
		if (i)
			gen_put(g, ", ");
		gen_operand(g, 70);
	}
	gen_put(g, "]");
}

static void gen_in(struct gen *g)
{
	gen_operand(g, 30);
	gen_put(g, " in ");
	if (g->kind == RULE_KIND_DATABASE && gen_chance(g, 45))
		gen_put(g, "doc.arr");
	else
		gen_array(g);
}

static void gen_bare(struct gen *g)
{
	if (gen_chance(g, 15))
		gen_put(g, "auth");
	else
		gen_term(g);
}

static void gen_regex(struct gen *g, int compared)
{
	gen_put(g, gen_pick(g, gen_regexes, GEN_COUNT(gen_regexes)));
	gen_put(g, ".test(");
	gen_put(g, gen_chance(g, 80) ? "resource.path" : "resource.openid");
	gen_put(g, ")");
	if (compared)
		gen_put(g, gen_chance(g, 80) ? " == true" : " === true");
}

static enum gen_atom gen_choose_atom(struct gen *g)
{
	unsigned r = gen_below(g, 100);

	if (g->kind == RULE_KIND_STORAGE && r < 25)
		return r < 18 ? GEN_ATOM_REGEX : GEN_ATOM_REGEX_BARE;
	if (r < 55)
		return GEN_ATOM_COMPARE;
	if (r < 65)
		return GEN_ATOM_AUTH;
	if (r < 79)
		return GEN_ATOM_IN;
	if (r < 91)
		return GEN_ATOM_BARE;
	if (r < 96)
		return GEN_ATOM_NOT_BARE;
	return GEN_ATOM_BOOL;
}

static enum gen_prec gen_atom_prec(enum gen_atom a)
{
	switch (a) {
	case GEN_ATOM_BARE:
	case GEN_ATOM_BOOL:
	case GEN_ATOM_REGEX_BARE:
		return GEN_PREC_PRIMARY;
	case GEN_ATOM_NOT_BARE:
		return GEN_PREC_UNARY;
	default:
		return GEN_PREC_CMP;
	}
}

static void gen_atom_text(struct gen *g, enum gen_atom a)
{
	switch (a) {
	case GEN_ATOM_COMPARE:
		gen_compare(g);
		break;
	case GEN_ATOM_AUTH:
		gen_put(g, gen_pick(g, gen_auth_tests,
				    GEN_COUNT(gen_auth_tests)));
		break;
	case GEN_ATOM_IN:
		gen_in(g);
		break;
	case GEN_ATOM_BARE:
		gen_bare(g);
		break;
	case GEN_ATOM_NOT_BARE:
		gen_put(g, "!");
		gen_bare(g);
		break;
	case GEN_ATOM_BOOL:
		gen_put(g, gen_chance(g, 50) ? "true" : "false");
		break;
	case GEN_ATOM_REGEX:
	case GEN_ATOM_REGEX_BARE:
		gen_regex(g, a == GEN_ATOM_REGEX);
		break;
	}
}

/* Write TEXT'S form in parentheses when it binds looser than CTX. */
static void gen_open(struct gen *g, enum gen_prec prec, enum gen_prec ctx)
{
	if (prec < ctx)
		gen_put(g, "(");
}

static void gen_close(struct gen *g, enum gen_prec prec, enum gen_prec ctx)
{
	if (prec < ctx)
		gen_put(g, ")");
}

static void gen_atom(struct gen *g, enum gen_prec ctx)
{
	enum gen_atom a = gen_choose_atom(g);
	enum gen_prec prec = gen_atom_prec(a);

	gen_open(g, prec, ctx);
	gen_atom_text(g, a);
	gen_close(g, prec, ctx);
}

static void gen_logical(struct gen *g, unsigned depth, enum gen_prec ctx,
			enum gen_prec prec)
{
	gen_open(g, prec, ctx);
	gen_expr_at(g, depth - 1, prec);
	gen_put(g, prec == GEN_PREC_AND ? " && " : " || ");
	gen_expr_at(g, depth - 1, prec + 1);
	gen_close(g, prec, ctx);
}

static void gen_expr_at(struct gen *g, unsigned depth, enum gen_prec ctx)
{
	unsigned r = gen_below(g, 100);

	if (depth == 0 || r < 30) {
		gen_atom(g, ctx);
	} else if (r < 62) {
		gen_logical(g, depth, ctx, GEN_PREC_AND);
	} else if (r < 85) {
		gen_logical(g, depth, ctx, GEN_PREC_OR);
	} else if (r < 95) {
		gen_put(g, "!");
		gen_expr_at(g, depth - 1, GEN_PREC_UNARY);
	} else {
		gen_put(g, "(");
		gen_expr_at(g, depth - 1, GEN_PREC_OR);
		gen_put(g, ")");
	}
}

size_t gen_expr(struct gen *g, char buf[GEN_MAX_TEXT])
{
	do {
		g->out = buf;
		g->size = GEN_MAX_TEXT;
		g->len = 0;
		g->full = 0;
		g->gets = 0;
		buf[0] = '\0';
		gen_expr_at(g, 1 + gen_below(g, GEN_MAX_DEPTH), GEN_PREC_OR);
	} while (g->full);
	return g->len;
}
