/* A generator of rule repositories shaped like the public ones the wild
 * corpus comes from: projects with cloudbaserc.json, rule files in the
 * layouts and paths seen there, expressions drawn from the ones seen
 * there, with the same spread of sizes.  The same seed gives the same
 * corpus.
 *
 * usage: bench/gencorpus [-n FILES] [-s SEED] DIR
 * Writes DIR/pNNNNN/..., then DIR/rule-files.txt (every rule file) and
 * DIR/strict-files.txt (the rule files that strict JSON parsers accept). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t state;

static uint32_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint32_t)(state >> 16);
}

static unsigned below(unsigned n)
{
	return next() % n;
}

static const char *pick(const char *const *v, size_t n)
{
	return v[below((unsigned)n)];
}

#define PICK(v) pick(v, COUNT(v))

/* Database expressions, weighted by repetition as in the corpus. */
static const char *const db_exprs[] = {
	"auth != null",
	"auth != null",
	"auth.uid != null",
	"auth.uid != null && doc.uid == auth.uid",
	"auth.uid != null && doc.uid == auth.uid",
	"doc._openid == auth.openid",
	"doc._openid == auth.openid",
	"auth.openid == doc._openid",
	"auth != null && auth.loginType != 'ANONYMOUS'",
	"auth.loginType != 'ANONYMOUS' && auth != null",
	"doc._openid == auth.openid || doc.user_openid == auth.openid",
	"auth.uid != null && doc.authorUid == auth.uid",
	"auth != null && auth.uid == doc.ownerId",
	"auth.openid == doc.userId",
	"doc.user_id == auth.uid",
	"request.data.user_openid == auth.openid",
	"auth != null && auth.uid == request.data.ownerId",
	"auth != null && auth.uid == doc.ownerId && "
	"auth.uid == request.data.ownerId",
	"doc.status == 'published' || doc._openid == auth.openid",
	"auth.openid != null && doc.expireAt > now",
	"doc.visibility in ['public', 'team'] || doc._openid == auth.openid",
	"get('database.roles.' + auth.uid).role == 'admin'",
	"get(`database.members.${auth.openid}`).level >= 2 || "
	"doc._openid == auth.openid",
	"auth.openid in get('database.admin_whitelist.records').ids",
	"auth.uid == doc.employee_id || auth.role in ['hr', 'gm']",
	"doc._openid === auth.openid",
};

static const char *const storage_exprs[] = {
	"auth != null",
	"resource.openid == auth.openid",
	"auth != null && resource.openid == auth.openid",
	"/^public\\\\//.test(resource.path) == true",
	"auth != null && /^avatars\\\\//.test(resource.path) == true && "
	"resource.openid == auth.openid",
	"auth.loginType != 'ANONYMOUS' && auth != null",
};

static const char *const invoke_values[] = {
	"\"auth != null\"",
	"true",
	"false",
	"\"auth.loginType != 'ANONYMOUS' && auth != null\"",
	"\"auth.uid != null\"",
};

static const char *const collections[] = {
	"users",    "orders",	"posts",     "comments", "products",  "roles",
	"trips",    "messages", "favorites", "carts",	 "addresses", "coupons",
	"feedback", "notices",	"teams",     "members",	 "records",   "logs",
	"config",   "photos",	"recipes",   "bookings", "payments",  "reviews",
	"settings", "tasks",
};

static const char *const functions[] = {
	"login", "getOpenId",	  "pay",	 "sendMessage", "upload",
	"admin", "getPublicData", "createOrder", "sync",	"report",
};

/* ---- writing ------------------------------------------------------------ */

struct out {
	FILE *f;
	int lenient; /* comments and trailing commas allowed */
};

static void mkdirs(const char *path)
{
	char buf[4096], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST) {
			perror(buf);
			exit(2);
		}
		*p = '/';
	}
}

static FILE *create(const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	mkdirs(path);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	return f;
}

static const char *db_value(void)
{
	switch (below(6)) {
	case 0: return "false";
	case 1: return "true";
	default: return NULL;
	}
}

static void db_rule(struct out *o, const char *indent)
{
	const char *v = db_value(), *w = db_value();

	fprintf(o->f, "{\n%s  \"read\": ", indent);
	fprintf(o->f, v ? "%s" : "\"%s\"", v ? v : PICK(db_exprs));
	if (below(4) == 0) {
		fprintf(o->f, ",\n%s  \"create\": \"%s\"", indent,
			PICK(db_exprs));
		fprintf(o->f, ",\n%s  \"update\": \"%s\"", indent,
			PICK(db_exprs));
		fprintf(o->f, ",\n%s  \"delete\": false", indent);
	} else {
		fprintf(o->f, ",\n%s  \"write\": ", indent);
		fprintf(o->f, w ? "%s" : "\"%s\"", w ? w : PICK(db_exprs));
	}
	if (below(8) == 0)
		fprintf(o->f, ",\n%s  \"_comment\": \"仅创建者可写\"", indent);
	if (o->lenient && below(2))
		fputc(',', o->f);
	fprintf(o->f, "\n%s}", indent);
}

static void storage_rule(struct out *o)
{
	fprintf(o->f, "{\n  \"read\": \"%s\",\n  \"write\": \"%s\"\n}\n",
		PICK(storage_exprs), PICK(storage_exprs));
}

static void function_rules(struct out *o)
{
	unsigned n = below(4), i;

	fprintf(o->f, "{\n  \"*\": { \"invoke\": %s }", PICK(invoke_values));
	for (i = 0; i < n; i++)
		fprintf(o->f, ",\n  \"%s%u\": { \"invoke\": %s }",
			PICK(functions), i, PICK(invoke_values));
	fputs("\n}\n", o->f);
}

static void collection_map(struct out *o, unsigned n)
{
	unsigned i, k, start = below(COUNT(collections));

	if (o->lenient)
		fputs("// rules of every collection\n", o->f);
	fputs("{\n", o->f);
	for (i = 0; i < n; i++) {
		k = (unsigned)((start + i) % COUNT(collections));
		if (i < COUNT(collections))
			fprintf(o->f, "  \"%s\": ", collections[k]);
		else
			fprintf(o->f, "  \"%s_%u\": ", collections[k], i);
		db_rule(o, "  ");
		fputs(i + 1 < n ? ",\n" : "\n", o->f);
	}
	fputs("}\n", o->f);
}

static void wrapped(struct out *o)
{
	unsigned i, n = 1 + below(5);

	switch (below(3)) {
	case 0:
		fputs("{\n  \"version\": \"1.0\",\n  \"collections\": {\n",
		      o->f);
		for (i = 0; i < n; i++) {
			fprintf(o->f,
				"    \"%s%u\": {\n      \"permission\": "
				"\"CUSTOM\",\n      \"securityRule\": ",
				PICK(collections), i);
			db_rule(o, "      ");
			fputs(i + 1 < n ? "\n    },\n" : "\n    }\n", o->f);
		}
		fputs("  }\n}\n", o->f);
		break;
	case 1:
		fputs("{\n  \"permissions\": [\n", o->f);
		for (i = 0; i < n; i++)
			fprintf(o->f,
				"    { \"collectionName\": \"%s%u\", "
				"\"read\": \"%s\", \"write\": \"%s\" }%s\n",
				PICK(collections), i, PICK(db_exprs),
				PICK(db_exprs), i + 1 < n ? "," : "");
		fputs("  ]\n}\n", o->f);
		break;
	default:
		fputs("{\n  \"database\": ", o->f);
		db_rule(o, "  ");
		fprintf(o->f,
			",\n  \"storage\": { \"read\": \"%s\", "
			"\"write\": \"%s\" }\n}\n",
			PICK(storage_exprs), PICK(storage_exprs));
		break;
	}
}

/* ---- projects ----------------------------------------------------------- */

struct corpus {
	const char *dir;
	FILE *all, *strict;
	unsigned files, want;
};

static void record(struct corpus *c, const char *path, int lenient)
{
	fprintf(c->all, "%s/%s\n", c->dir, path);
	if (!lenient)
		fprintf(c->strict, "%s/%s\n", c->dir, path);
	c->files++;
}

/* One rule file of project P at the path REL. */
static void rule_file(struct corpus *c, unsigned p, const char *rel, int kind)
{
	char path[512];
	struct out o;

	snprintf(path, sizeof(path), "p%05u/%s", p, rel);
	o.f = create("%s/%s", c->dir, path);
	o.lenient = kind < 2 && below(20) == 0;
	switch (kind) {
	case 0:
		db_rule(&o, "");
		fputc('\n', o.f);
		break;
	case 1: collection_map(&o, 1 + below(below(4) ? 6 : 40)); break;
	case 2: function_rules(&o); break;
	case 3: storage_rule(&o); break;
	default: wrapped(&o); break;
	}
	fclose(o.f);
	record(c, path, o.lenient);
}

static void project_files(struct corpus *c, unsigned p)
{
	static const char *const db_paths[] = {
		"cloudbase/database.rules.json",
		"cloudbase/database-rules.json",
		"database/security-rules.json",
		"cloudbase-security-rules.json",
		"cloudbase/security-rules.json",
		"database.rules.json",
	};
	FILE *f;
	unsigned i, n;
	char rel[256];

	f = create("%s/p%05u/cloudbaserc.json", c->dir, p);
	fprintf(f,
		"{\n  \"version\": \"2.0\",\n  \"envId\": \"env-%05u\",\n"
		"  \"functionRoot\": \"cloudfunctions\"\n}\n",
		p);
	fclose(f);
	f = create("%s/p%05u/package.json", c->dir, p);
	fprintf(f,
		"{\n  \"name\": \"app-%05u\",\n  \"private\": true,\n"
		"  \"scripts\": { \"deploy\": \"tcb fn deploy\" }\n}\n",
		p);
	fclose(f);

	rule_file(c, p, PICK(db_paths), below(3) ? 1 : 0);
	if (c->files < c->want && below(2))
		rule_file(c, p, "cloudbase/storage.rules.json", 3);
	if (c->files < c->want && below(3) == 0)
		rule_file(c, p, "cloudbase/function.rules.json", 2);
	if (c->files < c->want && below(8) == 0)
		rule_file(c, p, "config/security-rules.json", 4);
	if (c->files < c->want && below(10) == 0) {
		n = 1 + below(4);
		for (i = 0; i < n && c->files < c->want; i++) {
			snprintf(rel, sizeof(rel),
				 "docs/deployment/security-rules/%s.json",
				 collections[(p + i) % COUNT(collections)]);
			rule_file(c, p, rel, 0);
		}
	}
}

int main(int argc, char **argv)
{
	struct corpus c = {0};
	char path[4096];
	unsigned p = 0;
	int ch;

	c.want = 10000;
	state = 1;
	while ((ch = getopt(argc, argv, "n:s:")) != -1) {
		switch (ch) {
		case 'n': c.want = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's':
			state = strtoull(optarg, NULL, 10) * 2654435761u + 1;
			break;
		default:
			fprintf(stderr, "usage: gencorpus [-n FILES] [-s SEED] "
					"DIR\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: gencorpus [-n FILES] [-s SEED] DIR\n");
		return 2;
	}
	c.dir = argv[optind];
	snprintf(path, sizeof(path), "%s/", c.dir);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/rule-files.txt", c.dir);
	c.all = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/strict-files.txt", c.dir);
	c.strict = fopen(path, "w");
	if (!c.all || !c.strict) {
		perror(path);
		return 2;
	}
	while (c.files < c.want)
		project_files(&c, p++);
	fclose(c.all);
	fclose(c.strict);
	printf("%u rule files in %u projects under %s\n", c.files, p, c.dir);
	return 0;
}
