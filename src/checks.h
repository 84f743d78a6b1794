/* The table of checks: one row per check id drives the [id] suffix,
 * --list-checks, --enable/--disable and the documentation index. */
#ifndef RULECHECK_CHECKS_H
#define RULECHECK_CHECKS_H

enum severity { SEV_NOTE, SEV_WARNING, SEV_ERROR };

enum check_category { CAT_STRUCTURE, CAT_EXPRESSION, CAT_ACCESS, CAT_LOGIC };

/* The MLPS control that a finding gives evidence about (GB/T 22239-2019,
 * security computing environment); the evidence report groups by it. */
enum check_control {
	CONTROL_IDENT,	/* identification and authentication */
	CONTROL_ACCESS, /* access control */
	CONTROL_LEAST_PRIVILEGE,
	CONTROL_MARKING,   /* security marking */
	CONTROL_INTEGRITY, /* data integrity */
	CONTROL_COUNT
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
	CHECK_PUBLIC_READ,
	CHECK_PUBLIC_WRITE,
	CHECK_ANONYMOUS_WRITE,
	CHECK_ANY_USER_WRITE,
	CHECK_ANY_USER_READ,
	CHECK_CREATE_OWNER_UNBOUND,
	CHECK_OWNER_REASSIGNABLE,
	CHECK_NULL_IDENTITY_MATCH,
	CHECK_PLATFORM_MISMATCH,
	CHECK_IDENTITY_LITERAL,
	CHECK_ROLE_DOC_WRITABLE,
	CHECK_PUBLIC_INVOKE,
	CHECK_ALWAYS_TRUE,
	CHECK_ALWAYS_FALSE,
	CHECK_REDUNDANT_CONDITION,
	CHECK_DELETE_INHERITS_WRITE,
	CHECK_WRITE_EXCEEDS_READ,
	CHECK_ANALYSIS_INCOMPLETE,
	CHECK_UNUSED_SUPPRESSION,
	CHECK_COUNT
};

struct check_info {
	const char *id;
	enum severity severity;
	enum check_category category;
	enum check_control control;
	const char *summary; /* one line, lower case */
};

extern const struct check_info check_table[CHECK_COUNT];

/* The check named ID, or -1. */
int check_by_name(const char *id);

const char *check_severity_name(enum severity sev);
const char *check_category_name(enum check_category cat);
const char *check_control_name(enum check_control ctl);

#endif
