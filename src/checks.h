/* The table of checks: one row per check id drives the [id] suffix,
 * --list-checks, --enable/--disable and the documentation index. */
#ifndef RULECHECK_CHECKS_H
#define RULECHECK_CHECKS_H

enum severity {
	SEV_NOTE,
	SEV_WARNING,
	SEV_ERROR
};

enum check_category {
	CAT_STRUCTURE,
	CAT_EXPRESSION,
	CAT_ACCESS,
	CAT_LOGIC
};

enum check_id {
	CHECK_JSON_SYNTAX,
	CHECK_JSON_COMMENT,
	CHECK_TRAILING_COMMA,
	CHECK_DUPLICATE_KEY,
	CHECK_UNKNOWN_KEY,
	CHECK_FIREBASE_SYNTAX,
	CHECK_INVALID_VALUE,
	CHECK_MISSING_WILDCARD,
	CHECK_UNSUPPORTED_FUNCTION_RULE,
	CHECK_NO_RULE_OBJECT,
	CHECK_EXPR_SYNTAX,
	CHECK_EXPR_TOO_LONG,
	CHECK_UNKNOWN_VARIABLE,
	CHECK_UNKNOWN_FIELD,
	CHECK_UNKNOWN_LOGIN_TYPE,
	CHECK_UNSUPPORTED_CONSTRUCT,
	CHECK_REQUEST_DATA_MISUSE,
	CHECK_GET_LIMITS,
	CHECK_TEMPLATE_IN_QUOTES,
	CHECK_STRICT_EQUALITY,
	CHECK_TYPE_MISMATCH,
	CHECK_REGEX_TEST_NOT_COMPARED,
	CHECK_COUNT
};

struct check_info {
	const char *id;
	enum severity severity;
	enum check_category category;
	const char *summary;	/* one line, lower case */
};

extern const struct check_info check_table[CHECK_COUNT];

/* The check named ID, or -1. */
int check_by_name(const char *id);

const char *check_severity_name(enum severity sev);
const char *check_category_name(enum check_category cat);

#endif
