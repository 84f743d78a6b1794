/* The table of checks and lookups into it.  Ids are stable: they appear
 * in every output format, in configuration and in suppressions. */
#include <string.h>

#include "checks.h"

const struct check_info check_table[CHECK_COUNT] = {
	[CHECK_JSON_SYNTAX] = {"json-syntax", SEV_ERROR, CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"the file is not JSON, even leniently"},
	[CHECK_JSON_COMMENT] = {"json-comment", SEV_NOTE, CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"a comment, which strict JSON tools reject"},
	[CHECK_TRAILING_COMMA] = {"trailing-comma", SEV_NOTE, CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"a trailing comma, which strict JSON tools reject"},
	[CHECK_DUPLICATE_KEY] = {"duplicate-key", SEV_WARNING, CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"a key given twice; the earlier value is dead"},
	[CHECK_UNKNOWN_KEY] = {"unknown-key", SEV_ERROR, CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"a key that is not an operation of this kind of rule"},
	[CHECK_FIREBASE_SYNTAX] = {"firebase-syntax", SEV_ERROR,
		CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"Firebase Realtime Database syntax in a CloudBase rule"},
	[CHECK_INVALID_VALUE] = {"invalid-value", SEV_ERROR, CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"a rule value that is neither a boolean nor a string"},
	[CHECK_MISSING_WILDCARD] = {"missing-wildcard", SEV_ERROR,
		CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"function rules without the \"*\" entry"},
	[CHECK_UNSUPPORTED_FUNCTION_RULE] = {"unsupported-function-rule",
		SEV_ERROR, CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"a function-rule value outside the accepted set"},
	[CHECK_NO_RULE_OBJECT] = {"no-rule-object", SEV_NOTE, CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"a file named explicitly that holds no rule object"},
	[CHECK_EXPR_SYNTAX] = {"expr-syntax", SEV_ERROR, CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"the expression does not parse"},
	[CHECK_EXPR_TOO_LONG] = {"expr-too-long", SEV_ERROR, CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"an expression over 1024 characters"},
	[CHECK_UNKNOWN_VARIABLE] = {"unknown-variable", SEV_ERROR,
		CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"a variable that this kind of rule does not have"},
	[CHECK_UNKNOWN_FIELD] = {"unknown-field", SEV_ERROR, CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"a field that the variable does not have"},
	[CHECK_UNKNOWN_LOGIN_TYPE] = {"unknown-login-type", SEV_WARNING,
		CAT_EXPRESSION,
		CONTROL_IDENT,
		"a login type outside the documented five"},
	[CHECK_UNSUPPORTED_CONSTRUCT] = {"unsupported-construct", SEV_ERROR,
		CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"arithmetic, ternary, arrow functions or other calls"},
	[CHECK_REQUEST_DATA_MISUSE] = {"request-data-misuse", SEV_WARNING,
		CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"request.data in read or delete, where it is undefined"},
	[CHECK_GET_LIMITS] = {"get-limits", SEV_ERROR, CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"a get() call beyond the platform's limits"},
	[CHECK_TEMPLATE_IN_QUOTES] = {"template-in-quotes", SEV_WARNING,
		CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"${ inside a quoted string is not interpolated"},
	[CHECK_STRICT_EQUALITY] = {"strict-equality", SEV_NOTE,
		CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"=== or !==, which the platform treats as == or !="},
	[CHECK_TYPE_MISMATCH] = {"type-mismatch", SEV_WARNING, CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"a comparison that types make impossible"},
	[CHECK_REGEX_TEST_NOT_COMPARED] = {"regex-test-not-compared",
		SEV_WARNING, CAT_EXPRESSION,
		CONTROL_INTEGRITY,
		"a storage .test() used without == true"},
	[CHECK_PUBLIC_READ] = {"public-read", SEV_WARNING, CAT_ACCESS,
		CONTROL_ACCESS,
		"unauthenticated callers may read"},
	[CHECK_PUBLIC_WRITE] = {"public-write", SEV_ERROR, CAT_ACCESS,
		CONTROL_ACCESS,
		"unauthenticated callers may create, update or delete"},
	[CHECK_ANONYMOUS_WRITE] = {"anonymous-write", SEV_WARNING, CAT_ACCESS,
		CONTROL_ACCESS,
		"anonymous-login callers may create, update or delete"},
	[CHECK_ANY_USER_WRITE] = {"any-user-write", SEV_ERROR, CAT_ACCESS,
		CONTROL_ACCESS,
		"any signed-in caller may change documents not theirs"},
	[CHECK_ANY_USER_READ] = {"any-user-read", SEV_NOTE, CAT_ACCESS,
		CONTROL_ACCESS,
		"any signed-in caller may read documents not theirs"},
	[CHECK_CREATE_OWNER_UNBOUND] = {"create-owner-unbound", SEV_WARNING,
		CAT_ACCESS,
		CONTROL_ACCESS,
		"create does not tie the owner field to the caller"},
	[CHECK_OWNER_REASSIGNABLE] = {"owner-reassignable", SEV_WARNING,
		CAT_ACCESS,
		CONTROL_ACCESS,
		"update lets request data change the owner field"},
	[CHECK_NULL_IDENTITY_MATCH] = {"null-identity-match", SEV_WARNING,
		CAT_ACCESS,
		CONTROL_IDENT,
		"access granted because two absent values are equal"},
	[CHECK_PLATFORM_MISMATCH] = {"platform-mismatch", SEV_NOTE,
		CAT_ACCESS,
		CONTROL_IDENT,
		"the rule never allows mini-program callers, or never web"},
	[CHECK_IDENTITY_LITERAL] = {"identity-literal", SEV_NOTE, CAT_ACCESS,
		CONTROL_LEAST_PRIVILEGE,
		"access hinges on a hard-coded identity"},
	[CHECK_ROLE_DOC_WRITABLE] = {"role-doc-writable", SEV_ERROR,
		CAT_ACCESS,
		CONTROL_MARKING,
		"a trusted get() document that users may write"},
	[CHECK_PUBLIC_INVOKE] = {"public-invoke", SEV_ERROR, CAT_ACCESS,
		CONTROL_ACCESS,
		"unauthenticated callers may invoke cloud functions"},
	[CHECK_ALWAYS_TRUE] = {"always-true", SEV_WARNING, CAT_LOGIC,
		CONTROL_ACCESS,
		"an expression that holds whenever it evaluates"},
	[CHECK_ALWAYS_FALSE] = {"always-false", SEV_WARNING, CAT_LOGIC,
		CONTROL_INTEGRITY,
		"an expression that holds for no request"},
	[CHECK_REDUNDANT_CONDITION] = {"redundant-condition", SEV_NOTE,
		CAT_LOGIC,
		CONTROL_INTEGRITY,
		"a sub-expression whose removal changes nothing"},
	[CHECK_DELETE_INHERITS_WRITE] = {"delete-inherits-write", SEV_NOTE,
		CAT_LOGIC,
		CONTROL_LEAST_PRIVILEGE,
		"delete has no rule of its own and gets write's"},
	[CHECK_WRITE_EXCEEDS_READ] = {"write-exceeds-read", SEV_WARNING,
		CAT_LOGIC,
		CONTROL_LEAST_PRIVILEGE,
		"some class may write documents it may not read"},
	[CHECK_ANALYSIS_INCOMPLETE] = {"analysis-incomplete", SEV_WARNING,
		CAT_LOGIC,
		CONTROL_ACCESS,
		"the engine gave up within its budget"},
	[CHECK_UNUSED_SUPPRESSION] = {"unused-suppression", SEV_WARNING,
		CAT_STRUCTURE,
		CONTROL_INTEGRITY,
		"a suppression that suppresses nothing"},
};

int check_by_name(const char *id)
{
	int i;

	for (i = 0; i < CHECK_COUNT; i++)
		if (strcmp(check_table[i].id, id) == 0)
			return i;
	return -1;
}

const char *check_severity_name(enum severity sev)
{
	static const char *const names[] = {"note", "warning", "error"};

	return names[sev];
}

const char *check_category_name(enum check_category cat)
{
	static const char *const names[] = {
		"structure", "expression", "access", "logic"
	};

	return names[cat];
}

const char *check_control_name(enum check_control ctl)
{
	static const char *const names[] = {
		"identification and authentication", "access control",
		"least privilege", "security marking", "data integrity"
	};

	return names[ctl];
}
