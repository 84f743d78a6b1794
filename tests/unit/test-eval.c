/* Unit tests of the concrete evaluator: every example rule of the rule
 * language with requests it allows and requests it denies, JavaScript's
 * conversions and comparisons, errors, the deciding sub-expression and
 * its reason, and hostile trees.  Needs no files; prints TAP. */

#include "ast.h"
#include "eval.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum want {
	DENY,
	ALLOW,
	ERROR			/* denied by an evaluation error */
};

/* A request, every part as JSON text; NULL leaves the part out. */
struct req {
	const char *auth, *doc, *data, *resource;
	double now;
	const char *get1, *doc1, *get2, *doc2;
};

struct eval_case {
	const char *expr;
	struct req req;
	enum want want;
	const char *decider;	/* source text of the decider, or NULL */
	const char *reason;	/* a part of the reason, or NULL */
};

static cJSON *json(const char *text)
{
	cJSON *v;

	if (!text)
		return NULL;
	v = cJSON_Parse(text);
	if (!v) {
		printf("# test bug: bad JSON '%s'\n", text);
		exit(99);
	}
	return v;
}

static const char *want_name(enum want w)
{
	return w == ALLOW ? "allow" : w == DENY ? "deny" : "error";
}

static enum want got_of(const struct eval_outcome *out)
{
	if (out->error)
		return ERROR;
	return out->verdict == EVAL_ALLOW ? ALLOW : DENY;
}

/* The request part of a test's name: " with auth={...} doc={...}". */
static void describe_req(const struct req *r, char *out, size_t size)
{
	int n = 0;

	out[0] = '\0';
	if (r->auth || r->doc || r->data || r->resource || r->get1 || r->now)
		n += snprintf(out, size, " with");
	if (r->auth)
		n += snprintf(out + n, size - n, " auth=%s", r->auth);
	if (r->doc && (size_t)n < size)
		n += snprintf(out + n, size - n, " doc=%s", r->doc);
	if (r->data && (size_t)n < size)
		n += snprintf(out + n, size - n, " data=%s", r->data);
	if (r->resource && (size_t)n < size)
		n += snprintf(out + n, size - n, " resource=%s", r->resource);
	if (r->get1 && (size_t)n < size)
		n += snprintf(out + n, size - n, " get %s", r->get1);
	if (r->now && (size_t)n < size)
		snprintf(out + n, size - n, " now=%g", r->now);
}

static int outcome_matches(const struct eval_case *c, const char *text,
			   const struct eval_outcome *out)
{
	const struct ast_node *d = out->decider;
	int good = got_of(out) == c->want;

	if (c->decider && (!d || d->end - d->start != strlen(c->decider) ||
			   memcmp(text + d->start, c->decider,
				  strlen(c->decider)) != 0))
		good = 0;
	if (c->reason && !strstr(out->reason, c->reason))
		good = 0;
	if (!d || d->end > strlen(text) || d->start > d->end)
		good = 0;
	return good;
}

static void show_outcome(const char *text, const struct eval_outcome *out)
{
	const struct ast_node *d = out->decider;

	printf("#   got: %s, decider '%.*s', reason \"%s\"\n",
	       want_name(got_of(out)), d ? (int)(d->end - d->start) : 0,
	       d ? text + d->start : "", out->reason);
}

static void eval_text(const char *text, const struct req *r,
		      struct eval_outcome *out, struct ast_arena *arena)
{
	struct eval_get gets[2];
	struct eval_request req;
	struct expr_error err;
	struct ast_node *e;
	cJSON *auth = json(r->auth), *doc = json(r->doc);
	cJSON *data = json(r->data), *res = json(r->resource);
	cJSON *doc1 = json(r->doc1), *doc2 = json(r->doc2);

	e = expr_parse(arena, text, strlen(text), 0, &err);
	if (!e) {
		printf("# test bug: '%s' does not parse: %s\n", text, err.msg);
		exit(99);
	}
	memset(&req, 0, sizeof(req));
	req.op = "read";
	req.auth = auth;
	req.doc = doc;
	req.data = data;
	req.resource = res;
	req.now = r->now;
	gets[0].path = r->get1;
	gets[0].doc = doc1;
	gets[1].path = r->get2;
	gets[1].doc = doc2;
	req.gets = gets;
	req.ngets = r->get2 ? 2 : r->get1 ? 1 : 0;
	eval_expr(e, &req, out);
	cJSON_Delete(auth);
	cJSON_Delete(doc);
	cJSON_Delete(data);
	cJSON_Delete(res);
	cJSON_Delete(doc1);
	cJSON_Delete(doc2);
}

static void run_case(const struct eval_case *c)
{
	struct ast_arena *arena = ast_arena_new();
	struct eval_outcome out;
	char what[512];

	eval_text(c->expr, &c->req, &out, arena);
	describe_req(&c->req, what, sizeof(what));
	if (!ok(outcome_matches(c, c->expr, &out), "%s%s -> %s", c->expr,
		what, want_name(c->want)))
		show_outcome(c->expr, &out);
	ast_arena_free(arena);
}

static void run_cases(const struct eval_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		run_case(&cases[i]);
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

/* ---- the example rules of the rule language ---------------------------- */

#define MINI "{\"openid\":\"o1\"}"
#define WEB "{\"uid\":\"u1\",\"loginType\":\"EMAIL\"}"
#define WECHAT_WEB "{\"uid\":\"u1\",\"openid\":\"o1\"," \
	"\"loginType\":\"WECHAT_OPEN\"}"
#define ANON "{\"uid\":\"u9\",\"loginType\":\"ANONYMOUS\"}"

/* READONLY and PRIVATE write with "doc._openid == auth.openid";
 * ADMINWRITE and ADMINONLY are the literals. */
static const struct eval_case preset_cases[] = {
	{ "doc._openid == auth.openid", { .auth = MINI,
	  .doc = "{\"_openid\":\"o1\"}" }, ALLOW,
	  "doc._openid == auth.openid", "'o1' == 'o1' is true" },
	{ "doc._openid == auth.openid", { .auth = MINI,
	  .doc = "{\"_openid\":\"o2\"}" }, DENY,
	  "doc._openid == auth.openid", "'o2' == 'o1' is false" },
	{ "doc._openid == auth.openid", { .auth = "null",
	  .doc = "{\"_openid\":\"o1\"}" }, ERROR, "auth.openid",
	  "member access 'openid' on null" },
	{ "doc._openid == auth.openid", { .doc = "{\"_openid\":\"o1\"}" },
	  ERROR, "auth.openid", "on null" },
	/* a web caller has no openid: undefined == undefined */
	{ "doc._openid == auth.openid", { .auth = WEB, .doc = "{}" }, ALLOW,
	  NULL, "undefined == undefined is true" },
	{ "doc._openid == auth.openid", { .auth = WEB,
	  .doc = "{\"_openid\":\"o1\"}" }, DENY, NULL, NULL },
	{ "resource.openid == auth.openid", { .auth = MINI,
	  .resource = "{\"openid\":\"o1\",\"path\":\"a/b.png\"}" }, ALLOW,
	  NULL, NULL },
	{ "resource.openid == auth.openid", { .auth = MINI,
	  .resource = "{\"openid\":\"o2\"}" }, DENY, NULL, NULL },
	{ "true", { .auth = "null" }, ALLOW, "true", "the literal is true" },
	{ "false", { .auth = MINI }, DENY, "false", "the literal is false" },
};

static const struct eval_case function_cases[] = {
	{ "auth != null", { .auth = MINI }, ALLOW, "auth != null",
	  "an object != null is true" },
	{ "auth != null", { .auth = ANON }, ALLOW, NULL, NULL },
	{ "auth != null", { .auth = "null" }, DENY, "auth != null",
	  "null != null is false" },
	{ "auth != null", { 0 }, DENY, "auth != null", NULL },
	{ "auth.loginType != 'ANONYMOUS' && auth != null", { .auth = WEB },
	  ALLOW, "auth.loginType != 'ANONYMOUS' && auth != null",
	  "every operand of '&&' is true" },
	{ "auth.loginType != 'ANONYMOUS' && auth != null", { .auth = MINI },
	  ALLOW, NULL, NULL },
	{ "auth.loginType != 'ANONYMOUS' && auth != null", { .auth = ANON },
	  DENY, "auth.loginType != 'ANONYMOUS'",
	  "'ANONYMOUS' != 'ANONYMOUS' is false" },
	/* the vendor's own rule reads auth.loginType before testing auth */
	{ "auth.loginType != 'ANONYMOUS' && auth != null", { .auth = "null" },
	  ERROR, "auth.loginType", "member access 'loginType' on null" },
	{ "auth != null && auth.loginType != 'ANONYMOUS'", { .auth = "null" },
	  DENY, "auth != null", NULL },
};

static const struct eval_case get_cases[] = {
	{ "get('database.roles.' + auth.uid).isAdmin == true",
	  { .auth = WEB, .get1 = "database.roles.u1",
	    .doc1 = "{\"isAdmin\":true}" }, ALLOW, NULL, "true == true" },
	{ "get('database.roles.' + auth.uid).isAdmin == true",
	  { .auth = WEB, .get1 = "database.roles.u1",
	    .doc1 = "{\"isAdmin\":false}" }, DENY, NULL, "false == true" },
	{ "get('database.roles.' + auth.uid).isAdmin == true",
	  { .auth = WEB }, ERROR,
	  "get('database.roles.' + auth.uid).isAdmin",
	  "member access 'isAdmin' on null: get('database.roles.u1') "
	  "returned null" },
	{ "get('database.roles.' + auth.uid).isAdmin == true",
	  { .auth = WEB, .get1 = "database.roles.u2",
	    .doc1 = "{\"isAdmin\":true}" }, ERROR, NULL, "on null" },
	{ "get('database.roles.' + auth.uid).isAdmin == true",
	  { .auth = WEB, .get1 = "database.roles.u1", .doc1 = "null" },
	  ERROR, NULL, "on null" },
	{ "get('database.roles.' + auth.uid)", { .auth = WEB }, DENY,
	  "get('database.roles.' + auth.uid)",
	  "get('database.roles.u1') returned null" },
	{ "get('database.roles.' + auth.uid)", { .auth = WEB,
	  .get1 = "database.roles.u1", .doc1 = "{}" }, ALLOW, NULL,
	  "returned an object" },
	/* a mini-program caller has no uid: the path ends in 'undefined' */
	{ "get('database.roles.' + auth.uid) != null", { .auth = MINI,
	  .get1 = "database.roles.undefined", .doc1 = "{}" }, ALLOW, NULL,
	  "an object != null is true" },
	{ "get('database.roles.' + auth.uid) != null", { .auth = MINI },
	  DENY, "get('database.roles.' + auth.uid) != null",
	  "null != null is false" },
	{ "get(`database.room.${doc.roomId}`).owner == auth.uid",
	  { .auth = WEB, .doc = "{\"roomId\":\"r1\"}",
	    .get1 = "database.room.r1", .doc1 = "{\"owner\":\"u1\"}" },
	  ALLOW, "get(`database.room.${doc.roomId}`).owner == auth.uid",
	  "'u1' == 'u1' is true" },
	{ "get(`database.room.${doc.roomId}`).owner == auth.uid",
	  { .auth = WEB, .doc = "{\"roomId\":\"r2\"}",
	    .get1 = "database.room.r1", .doc1 = "{\"owner\":\"u1\"}" },
	  ERROR, "get(`database.room.${doc.roomId}`).owner",
	  "get('database.room.r2') returned null" },
	{ "auth.openid in get(`database.room.${doc.roomId}`).members",
	  { .auth = MINI, .doc = "{\"roomId\":7}",
	    .get1 = "database.room.7", .doc1 = "{\"members\":[\"o1\"]}" },
	  ALLOW, NULL, "'o1' is in an array of length 1" },
	{ "get('database.a.' + doc.x).v == 1 && get('database.b.1').v == 2",
	  { .get1 = "database.b.1", .doc1 = "{\"v\":2}",
	    .get2 = "database.a.undefined", .doc2 = "{\"v\":1}" },
	  ALLOW, NULL, NULL },
	{ "get(1)", { 0 }, ERROR, "get(1)",
	  "get() needs a string path, found a number" },
	{ "get('database.a.b', 1)", { 0 }, ERROR, NULL,
	  "get() takes one argument, found 2" },
	{ "get('roles.u1')", { 0 }, ERROR, NULL,
	  "get() path 'roles.u1' is not database.<collection>.<id>" },
	{ "get('database.roles.u1.admin')", { 0 }, ERROR, NULL, "is not" },
	{ "get('database.roles.')", { 0 }, ERROR, NULL, "is not" },
	{ "get", { 0 }, ERROR, "get", "call it as get(path)" },
};

static const struct eval_case storage_cases[] = {
	{ "/^public\\//.test(resource.path) == true",
	  { .resource = "{\"path\":\"public/a.png\"}" }, ALLOW, NULL,
	  "true == true is true" },
	{ "/^public\\//.test(resource.path) == true",
	  { .resource = "{\"path\":\"private/public/a.png\"}" }, DENY, NULL,
	  "false == true is false" },
	{ "/^public\\//.test(resource.path) == true", { .resource = "{}" },
	  DENY, NULL, NULL },
	{ "/^public\\//.test(resource.path)",
	  { .resource = "{\"path\":\"public/x\"}" }, ALLOW,
	  "/^public\\//.test(resource.path)",
	  "'public/x' matches the regular expression" },
	{ "/^public\\//.test(resource.path)",
	  { .resource = "{\"path\":\"x\"}" }, DENY, NULL,
	  "'x' does not match the regular expression" },
	{ "resource.openid == auth.openid || "
	  "/^public\\//.test(resource.path) == true",
	  { .auth = MINI, .resource = "{\"openid\":\"o2\","
				     "\"path\":\"public/a\"}" },
	  ALLOW, "/^public\\//.test(resource.path) == true", NULL },
	{ "resource.openid == auth.openid || "
	  "/^public\\//.test(resource.path) == true",
	  { .auth = MINI, .resource = "{\"openid\":\"o2\",\"path\":\"p/a\"}" },
	  DENY, NULL, "every operand of '||' is false" },
	{ "resource.openid == auth.openid || "
	  "/^public\\//.test(resource.path) == true",
	  { .auth = MINI, .resource = "{\"openid\":\"o1\",\"path\":\"p/a\"}" },
	  ALLOW, "resource.openid == auth.openid", NULL },
};

/* ---- JavaScript semantics ---------------------------------------------- */

static const struct eval_case null_cases[] = {
	{ "undefined == null", { 0 }, ALLOW, "undefined == null",
	  "undefined == null is true" },
	{ "undefined === null", { 0 }, ALLOW, NULL, NULL },
	{ "doc.missing == null", { .doc = "{}" }, ALLOW, NULL, NULL },
	{ "doc.n == null", { .doc = "{\"n\":null}" }, ALLOW, NULL, NULL },
	{ "null == 0", { 0 }, DENY, NULL, "null == 0 is false" },
	{ "null == false", { 0 }, DENY, NULL, NULL },
	{ "undefined == ''", { 0 }, DENY, NULL, NULL },
	{ "auth.uid == doc.u", { .auth = "null", .doc = "{\"u\":\"u1\"}" },
	  ERROR, "auth.uid", "member access 'uid' on null" },
	{ "auth != null && auth.uid == doc.u",
	  { .auth = "null", .doc = "{\"u\":\"u1\"}" }, DENY, "auth != null",
	  "null != null is false" },
	{ "auth != null && auth.uid == doc.u",
	  { .auth = WEB, .doc = "{\"u\":\"u1\"}" }, ALLOW, NULL, NULL },
	{ "auth != null && auth.uid == doc.u",
	  { .auth = WEB, .doc = "{\"u\":\"u2\"}" }, DENY, "auth.uid == doc.u",
	  "'u1' == 'u2' is false" },
	{ "!(auth == null)", { .auth = WEB }, ALLOW, "!(auth == null)",
	  "'!' of a falsy value is true" },
	{ "!(auth == null)", { .auth = "null" }, DENY, NULL, NULL },
	{ "doc.a.b == 1", { .doc = "{}" }, ERROR, "doc.a.b",
	  "member access 'b' on undefined" },
	{ "doc.a['b'] == 1", { .doc = "{}" }, ERROR, "doc.a['b']",
	  "member access 'b' on undefined" },
	{ "doc.n.x == null", { .doc = "{\"n\":5}" }, ALLOW, NULL, NULL },
	{ "request.data.owner == auth.uid",
	  { .auth = WEB, .data = "{\"owner\":\"u1\"}" }, ALLOW, NULL, NULL },
	{ "request.data.owner == auth.uid", { .auth = WEB }, ERROR,
	  "request.data.owner", "on undefined" },
	{ "request.auth == null", { .auth = WEB }, ALLOW, NULL, NULL },
	{ "foo == 1", { 0 }, ERROR, "foo", "unknown variable 'foo'" },
};

static const struct eval_case equality_cases[] = {
	{ "doc.n == '1'", { .doc = "{\"n\":1}" }, ALLOW, NULL,
	  "1 == '1' is true" },
	{ "doc.n === '1'", { .doc = "{\"n\":1}" }, ALLOW, "doc.n === '1'",
	  "1 === '1' is true" },
	{ "doc.n !== '1'", { .doc = "{\"n\":1}" }, DENY, NULL, NULL },
	{ "doc.s == 12", { .doc = "{\"s\":\"  12\\n\"}" }, ALLOW, NULL,
	  NULL },
	{ "doc.s == 0", { .doc = "{\"s\":\"\"}" }, ALLOW, NULL, NULL },
	{ "doc.s == 16", { .doc = "{\"s\":\"0x10\"}" }, ALLOW, NULL, NULL },
	{ "doc.s == 1000", { .doc = "{\"s\":\"1e3\"}" }, ALLOW, NULL, NULL },
	{ "doc.s == 0", { .doc = "{\"s\":\"abc\"}" }, DENY, NULL, NULL },
	{ "doc.b == 1", { .doc = "{\"b\":true}" }, ALLOW, NULL, NULL },
	{ "doc.b == '1'", { .doc = "{\"b\":true}" }, ALLOW, NULL, NULL },
	{ "doc.b == 'true'", { .doc = "{\"b\":true}" }, DENY, NULL, NULL },
	{ "doc.t == 'a,b'", { .doc = "{\"t\":[\"a\",\"b\"]}" }, ALLOW, NULL,
	  "an array of length 2 == 'a,b' is true" },
	{ "[1, [2, 3]] == '1,2,3'", { 0 }, ALLOW, NULL, NULL },
	{ "[null] == ''", { 0 }, ALLOW, NULL, NULL },
	{ "[] == false", { 0 }, ALLOW, NULL, NULL },
	{ "[1] == [1]", { 0 }, DENY, NULL, NULL },
	{ "doc.o == '[object Object]'", { .doc = "{\"o\":{}}" }, ALLOW, NULL,
	  NULL },
	{ "doc.o == doc.o", { .doc = "{\"o\":{\"a\":1}}" }, ALLOW, NULL,
	  NULL },
	{ "doc.o == doc.p", { .doc = "{\"o\":{\"a\":1},\"p\":{\"a\":1}}" },
	  DENY, NULL, NULL },
	{ "doc.x == 1", { .doc = "{\"x\":0,\"x\":1}" }, ALLOW, NULL, NULL },
};

static const struct eval_case in_cases[] = {
	{ "auth.openid in ['o1', 'o2']", { .auth = MINI }, ALLOW, NULL,
	  "'o1' is in an array of length 2" },
	{ "auth.openid in ['o3', 'o2']", { .auth = MINI }, DENY,
	  "auth.openid in ['o3', 'o2']",
	  "'o1' is not in an array of length 2" },
	{ "auth.openid in [doc.a, doc.b]", { .auth = MINI,
	  .doc = "{\"b\":\"o1\"}" }, ALLOW, NULL, NULL },
	{ "auth.openid in doc.members", { .auth = MINI,
	  .doc = "{\"members\":[\"o0\",\"o1\"]}" }, ALLOW,
	  "auth.openid in doc.members", "'o1' is in an array of length 2" },
	{ "auth.openid in doc.members", { .auth = MINI,
	  .doc = "{\"members\":[\"o0\"]}" }, DENY,
	  "auth.openid in doc.members", "is not in an array of length 1" },
	{ "1 in ['1']", { 0 }, DENY, NULL, NULL },
	{ "doc.n in [1, 2]", { .doc = "{\"n\":2}" }, ALLOW, NULL, NULL },
	{ "null in [undefined]", { 0 }, DENY, NULL, NULL },
	{ "!(doc.s in ['a', 'b'])", { .doc = "{\"s\":\"c\"}" }, ALLOW, NULL,
	  NULL },
	{ "auth.openid in doc.members", { .auth = MINI, .doc = "{}" },
	  ERROR, "auth.openid in doc.members",
	  "'in' needs an array on the right, found undefined" },
	{ "'a' in doc.name", { .doc = "{\"name\":\"abc\"}" }, ERROR, NULL,
	  "found a string" },
	{ "'owner' in doc", { .doc = "{\"owner\":null}" }, ALLOW, NULL,
	  "'owner' is a key of the object" },
	{ "'owner' in doc", { .doc = "{}" }, DENY, NULL, NULL },
	{ "'data' in request", { .data = "{}" }, ALLOW, NULL, NULL },
};

static const struct eval_case truth_cases[] = {
	{ "doc.published", { .doc = "{\"published\":true}" }, ALLOW,
	  "doc.published", "the value is true" },
	{ "doc.published", { .doc = "{}" }, DENY, "doc.published",
	  "the value is undefined, which is falsy" },
	{ "doc.published", { .doc = "{\"published\":\"\"}" }, DENY, NULL,
	  "which is falsy" },
	{ "doc.published", { .doc = "{\"published\":0}" }, DENY, NULL, NULL },
	{ "doc.published", { .doc = "{\"published\":\"no\"}" }, ALLOW, NULL,
	  "which is truthy" },
	{ "doc.published", { .doc = "{\"published\":[]}" }, ALLOW, NULL,
	  NULL },
	{ "doc.published", { .doc = "{\"published\":{}}" }, ALLOW, NULL,
	  NULL },
	{ "!doc.published", { .doc = "{}" }, ALLOW, NULL, NULL },
	{ "doc.a || doc.b", { .doc = "{\"b\":1}" }, ALLOW, "doc.b", NULL },
	{ "doc.a || doc.b", { .doc = "{}" }, DENY, "doc.a || doc.b",
	  "every operand of '||' is false" },
	{ "doc.a && doc.b && doc.c", { .doc = "{\"a\":1,\"c\":1}" }, DENY,
	  "doc.b", NULL },
	{ "doc.a && doc.b && doc.c", { .doc = "{\"a\":1,\"b\":1,\"c\":1}" },
	  ALLOW, "doc.a && doc.b && doc.c", NULL },
	{ "(doc.a || doc.b) && doc.c", { .doc = "{\"c\":1}" }, DENY,
	  "doc.a || doc.b", NULL },
	{ "doc.a ? doc.b : doc.c", { .doc = "{\"a\":1,\"b\":\"x\"}" }, ALLOW,
	  "doc.a ? doc.b : doc.c", NULL },
	{ "doc.a ? doc.b : doc.c", { .doc = "{\"b\":\"x\"}" }, DENY, NULL,
	  NULL },
};

static const struct eval_case number_cases[] = {
	{ "now > doc.expires", { .now = 2000, .doc = "{\"expires\":1000}" },
	  ALLOW, "now > doc.expires", "2000 > 1000 is true" },
	{ "now > doc.expires", { .now = 2000, .doc = "{\"expires\":3000}" },
	  DENY, NULL, "2000 > 3000 is false" },
	{ "now > doc.expires", { .now = 2000, .doc = "{}" }, DENY, NULL,
	  "2000 > undefined is false" },
	{ "now > doc.expires", { .now = 2000,
	  .doc = "{\"expires\":\"1500\"}" }, ALLOW, NULL, NULL },
	{ "now <= doc.expires", { .now = 2000, .doc = "{\"expires\":null}" },
	  DENY, NULL, NULL },
	{ "doc.expires >= 0", { .doc = "{\"expires\":null}" }, ALLOW, NULL,
	  NULL },
	{ "'10' < '9'", { 0 }, ALLOW, NULL, NULL },
	{ "'10' < 9", { 0 }, DENY, NULL, NULL },
	{ "'b' > 'a'", { 0 }, ALLOW, NULL, NULL },
	{ "'\\u00e9' > 'z'", { 0 }, ALLOW, NULL, NULL },
	{ "doc.n - 1 == 4", { .doc = "{\"n\":5}" }, ALLOW, NULL, NULL },
	{ "doc.n * 2 / 4 % 2 == 0.5", { .doc = "{\"n\":5}" }, ALLOW, NULL,
	  NULL },
	{ "-doc.n == -5 && +'3' == 3", { .doc = "{\"n\":5}" }, ALLOW, NULL,
	  NULL },
	{ "doc.n + 1 == 6 && null + 1 == 1 && true + 1 == 2",
	  { .doc = "{\"n\":5}" }, ALLOW, NULL, NULL },
	{ "'' + (0.1 + 0.2) == '0.30000000000000004'", { 0 }, ALLOW, NULL,
	  NULL },
	{ "'' + 100 + 1.5 + -0 == '1001.50'", { 0 }, ALLOW, NULL, NULL },
	{ "'' + 1e21 == '1e+21' && '' + 1e20 == '100000000000000000000'",
	  { 0 }, ALLOW, NULL, NULL },
	{ "'' + 0.000001 == '0.000001' && '' + 1.5e-7 == '1.5e-7'", { 0 },
	  ALLOW, NULL, NULL },
	{ "'' + 1 / 0 == 'Infinity' && '' + (0 / 0) == 'NaN'", { 0 }, ALLOW,
	  NULL, NULL },
	{ "doc.n + '' == '5' && doc.f + '' == '2.5'",
	  { .doc = "{\"n\":5.0,\"f\":2.5}" }, ALLOW, NULL, NULL },
};

static const struct eval_case string_cases[] = {
	{ "'database.roles.' + auth.uid == 'database.roles.u1'",
	  { .auth = WEB }, ALLOW, NULL, NULL },
	{ "'x' + doc.a + null + true + [1, 2] == 'xundefinednulltrue1,2'",
	  { .doc = "{}" }, ALLOW, NULL, NULL },
	{ "`a${doc.n}b${doc.t}` == 'a5bx,y'",
	  { .doc = "{\"n\":5,\"t\":[\"x\",\"y\"]}" }, ALLOW, NULL, NULL },
	{ "doc.s.length == 3 && doc.s[1] == 'b' && doc.s['0'] == 'a'",
	  { .doc = "{\"s\":\"abc\"}" }, ALLOW, NULL, NULL },
	{ "doc.s.length == 2 && doc.s[1] == '\\u6587'",
	  { .doc = "{\"s\":\"\\u4e2d\\u6587\"}" }, ALLOW, NULL, NULL },
	{ "doc.t.length == 2 && doc.t[1] == 'y' && doc.t[2] == null",
	  { .doc = "{\"t\":[\"x\",\"y\"]}" }, ALLOW, NULL, NULL },
	{ "doc.t['01'] == null && doc.t[1.5] == null",
	  { .doc = "{\"t\":[\"x\",\"y\"]}" }, ALLOW, NULL, NULL },
	{ "doc[1] == 'one' && doc[doc.k] == 'one'",
	  { .doc = "{\"1\":\"one\",\"k\":1}" }, ALLOW, NULL, NULL },
};

static const struct eval_case regex_cases[] = {
	{ "/^[a-z]+$/i.test('ABC')", { 0 }, ALLOW, NULL, NULL },
	{ "/^[a-z]+$/.test('ABC')", { 0 }, DENY, NULL, NULL },
	{ "/^\\d{3}-\\w+\\s?$/.test(doc.code)",
	  { .doc = "{\"code\":\"123-ab_c \"}" }, ALLOW, NULL, NULL },
	{ "/^images\\/.+\\.(png|jpe?g)$/.test(resource.path)",
	  { .resource = "{\"path\":\"images/a.jpeg\"}" }, ALLOW, NULL, NULL },
	{ "/^images\\/.+\\.(png|jpe?g)$/.test(resource.path)",
	  { .resource = "{\"path\":\"images/a.gif\"}" }, DENY, NULL, NULL },
	{ "/^.$/.test('\\u4e2d')", { 0 }, ALLOW, NULL, NULL },
	{ "/^[^/]+$/.test(doc.p)", { .doc = "{\"p\":\"a/b\"}" }, DENY, NULL,
	  NULL },
	{ "/^user\\//.test(resource.path) && resource.openid == auth.openid",
	  { .auth = MINI, .resource = "{\"path\":\"user/1\","
				      "\"openid\":\"o1\"}" }, ALLOW, NULL,
	  NULL },
	{ "/1/.test(1)", { 0 }, ALLOW, NULL, NULL },
	{ "/(?=a)/.test('a')", { 0 }, ERROR, "/(?=a)/.test('a')",
	  "cannot be translated" },
	{ "/a/m.test('a')", { 0 }, ERROR, NULL,
	  "flag 'm' is not supported" },
	{ "/a{2}{3}/.test('a')", { 0 }, ERROR, NULL, "nothing to repeat" },
	{ "'abc'.test('a')", { 0 }, ERROR, NULL,
	  "'.test' needs a regular expression, found a string" },
};

static const struct eval_case unsupported_cases[] = {
	{ "doc.tags.includes('a')", { .doc = "{\"tags\":[\"a\"]}" }, ERROR,
	  "doc.tags.includes('a')", "unsupported call '.includes'" },
	{ "doc.s.indexOf('a') >= 0", { .doc = "{\"s\":\"a\"}" }, ERROR,
	  NULL, "unsupported call '.indexOf'" },
	{ "doc.x.matches('a')", { .doc = "{}" }, ERROR, "doc.x.matches",
	  "member access 'matches' on undefined" },
	{ "foo(1)", { 0 }, ERROR, "foo(1)",
	  "unsupported construct: call of 'foo'" },
	{ "doc.f(1)(2)", { .doc = "{}" }, ERROR, "doc.f(1)(2)",
	  "unsupported construct: call" },
	{ "x => true", { 0 }, ERROR, NULL, "arrow function" },
	{ "({a: 1}).a == 1", { 0 }, ERROR, NULL, "object literal" },
};

/* ---- hostile trees ----------------------------------------------------- */

static char *repeat(const char *head, const char *unit, size_t count,
		    const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *s = malloc(hl + ul * count + tl + 1), *p = s;

	if (!s)
		exit(99);
	memcpy(p, head, hl);
	p += hl;
	for (i = 0; i < count; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl + 1);
	return s;
}

/* HEAD, N times OPEN, MIDDLE, N times CLOSE, TAIL. */
static char *nested(const char *head, const char *open, size_t n,
		    const char *middle, const char *close, const char *tail)
{
	char *inner = repeat(head, open, n, middle);
	char *s = repeat(inner, close, n, tail);

	free(inner);
	return s;
}

static void hostile(const char *name, char *text, const struct req *r,
		    enum want want, const char *reason)
{
	struct ast_arena *arena = ast_arena_new();
	struct eval_outcome out;

	eval_text(text, r, &out, arena);
	if (!ok(got_of(&out) == want && (!reason ||
					 strstr(out.reason, reason)),
		"%s -> %s", name, want_name(want)))
		show_outcome(text, &out);
	ast_arena_free(arena);
	free(text);
}

static void test_hostile(void)
{
	const struct req none = { 0 };
	const struct req s1k = { .doc = "{\"s\":\"" "0123456789abcdef0123456789"
				 "abcdef0123456789abcdef0123456789abcdef\"}" };
	const struct req auth_null = { .auth = "null" };

	hostile("8000 && operators", repeat("true", " && true", 8000, ""),
		&none, ALLOW, NULL);
	hostile("8000 || operators", repeat("false", " || false", 8000, ""),
		&none, DENY, "every operand of '||' is false");
	hostile("8000 member accesses", repeat("doc", ".a", 8000, ""), &none,
		ERROR, "member access 'a' on undefined");
	hostile("8000 indexes", repeat("[0]", "[0]", 8000, ""), &none, ERROR,
		"member access '0' on undefined");
	hostile("8000 concatenations",
		repeat("(doc.s", " + doc.s", 8000, ").length == 512064"), &s1k,
		ALLOW, NULL);
	hostile("8000 comparisons", repeat("1", " == 1", 8000, ""), &none,
		ALLOW, NULL);
	hostile("8000 additions", repeat("0", " + 1", 8000, " == 8000"),
		&none, ALLOW, NULL);
	hostile("250 nested parentheses",
		nested("", "(", 250, "true", ")", ""), &none,
		ALLOW, NULL);
	hostile("250 negations", repeat("", "!", 250, "true"), &none, ALLOW,
		NULL);
	hostile("250 nested arrays",
		nested("'' + ", "[", 250, "1", "]", " == '1'"),
		&none, ALLOW, NULL);
	hostile("250 nested conditionals",
		nested("", "true ? ", 250, "1", " : 0", ""), &none,
		ALLOW, NULL);
	hostile("a chain that errors early", repeat("auth.uid", " && true",
						    8000, ""),
		&auth_null, ERROR, "on null");
	hostile("a regular expression with a huge expansion",
		strdup("/((a{100}){100}){100}/.test('a')"), &none, ERROR,
		"too large");
}

/* Trees the parser never builds must not crash the evaluator either. */
static void test_malformed(void)
{
	struct ast_node bare[4], *list[1];
	struct eval_request req;
	struct eval_outcome out;

	memset(bare, 0, sizeof(bare));
	memset(&req, 0, sizeof(req));
	eval_expr(NULL, &req, &out);
	ok(out.error && out.verdict == EVAL_DENY && !out.decider,
	   "no expression: an error");

	bare[0].kind = AST_BINARY;
	bare[0].op = AST_OP_EQ;
	eval_expr(&bare[0], &req, &out);
	ok(out.error && out.decider == &bare[0],
	   "a binary node without operands: an error on it");

	bare[1].kind = AST_MEMBER;
	bare[1].a = &bare[2];
	bare[2].kind = AST_IDENT;
	eval_expr(&bare[1], NULL, &out);
	ok(out.error && out.verdict == EVAL_DENY,
	   "a member and an identifier without names, no request");

	list[0] = &bare[2];
	bare[3].kind = AST_CALL;
	bare[3].list = list;
	bare[3].nlist = 1;
	eval_expr(&bare[3], &req, &out);
	ok(out.error && out.decider == &bare[3], "a call without a callee");
}

/* A concatenation whose result would pass the memory bound: denied with
 * an error rather than exhausting memory. */
static void test_memory_bound(void)
{
	const size_t n = 200000;
	char *doc = repeat("{\"s\":\"", "x", n, "\"}");
	struct req r = { .doc = doc };

	hostile("a concatenation over the memory bound",
		repeat("(doc.s", " + doc.s", 600, ").length > 0"), &r, ERROR,
		"memory");
	free(doc);
}

int main(void)
{
	RUN(preset_cases);
	RUN(function_cases);
	RUN(get_cases);
	RUN(storage_cases);
	RUN(null_cases);
	RUN(equality_cases);
	RUN(in_cases);
	RUN(truth_cases);
	RUN(number_cases);
	RUN(string_cases);
	RUN(regex_cases);
	RUN(unsupported_cases);
	test_hostile();
	test_malformed();
	test_memory_bound();

	return tap_done();
}
