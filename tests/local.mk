## The test suite, included by Makefile.am.  Every test speaks TAP and
## runs through automake's parallel harness: `make check', `make -j2
## check', or one test with `make check TESTS=tests/golden.sh'.

## ---- unit tests: C programs linked with the library --------------------

check_PROGRAMS = \
	tests/unit/test-json \
	tests/unit/test-parse \
	tests/unit/test-eval \
	tests/unit/test-sha256 \
	tests/unit/test-diag \
	tests/unit/test-hint

tests_unit_test_json_SOURCES = tests/unit/test-json.c tests/unit/tap.h
tests_unit_test_json_LDADD = librulecheck.a $(CJSON_LIBS)

tests_unit_test_parse_SOURCES = tests/unit/test-parse.c tests/unit/tap.h
tests_unit_test_parse_LDADD = librulecheck.a $(CJSON_LIBS)

tests_unit_test_eval_SOURCES = tests/unit/test-eval.c tests/unit/tap.h
tests_unit_test_eval_LDADD = librulecheck.a $(CJSON_LIBS)

tests_unit_test_sha256_SOURCES = tests/unit/test-sha256.c tests/unit/tap.h
tests_unit_test_sha256_LDADD = librulecheck.a $(CJSON_LIBS)

tests_unit_test_diag_SOURCES = tests/unit/test-diag.c tests/unit/tap.h
tests_unit_test_diag_LDADD = librulecheck.a $(CJSON_LIBS)

tests_unit_test_hint_SOURCES = tests/unit/test-hint.c tests/unit/tap.h
tests_unit_test_hint_LDADD = librulecheck.a $(CJSON_LIBS)

## ---- the suite -----------------------------------------------------------

SCRIPT_TESTS = \
	tests/golden.sh \
	tests/hostile.sh \
	tests/scan.sh \
	tests/memo.sh \
	tests/limits.sh \
	tests/corpus.sh \
	tests/lsp.sh \
	tests/formats.sh \
	tests/lsp-nvim.sh \
	tests/report.sh \
	tests/report-html.sh \
	tests/precommit.sh \
	tests/changed.sh \
	tests/style.sh

TESTS = $(check_PROGRAMS) $(SCRIPT_TESTS)

## Known bugs, as whole tests; a single golden case is marked known to
## fail by a `todo' file in its directory instead.
XFAIL_TESTS =

TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
	$(top_srcdir)/build-aux/tap-driver.sh
TEST_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)

## RULECHECK_WRAPPER runs the unit tests and the golden cases under a
## checker, e.g. make check RULECHECK_WRAPPER='valgrind -q --error-exitcode=99'
RULECHECK_WRAPPER =
LOG_COMPILER = $(RULECHECK_WRAPPER)

## The scripts find the program and the sources through these; the
## evidence report dates itself by SOURCE_DATE_EPOCH, fixed here; the
## sanitizers' own exit status is made distinct from rulecheck's.
AM_TESTS_ENVIRONMENT = \
	RULECHECK='$(abs_top_builddir)/rulecheck$(EXEEXT)'; \
	RULECHECK_WRAPPER='$(RULECHECK_WRAPPER)'; \
	RULECHECK_SANITIZERS='$(SAN_CFLAGS)'; \
	abs_top_srcdir='$(abs_top_srcdir)'; \
	abs_top_builddir='$(abs_top_builddir)'; \
	LC_ALL=C; \
	SOURCE_DATE_EPOCH=1700000000; \
	ASAN_OPTIONS="exitcode=99:$${ASAN_OPTIONS-}"; \
	UBSAN_OPTIONS="print_stacktrace=1:exitcode=99:$${UBSAN_OPTIONS-}"; \
	export RULECHECK RULECHECK_WRAPPER RULECHECK_SANITIZERS \
		abs_top_srcdir abs_top_builddir LC_ALL SOURCE_DATE_EPOCH \
		ASAN_OPTIONS UBSAN_OPTIONS;

## ---- distribution ----------------------------------------------------------

EXTRA_DIST += $(SCRIPT_TESTS) tests/golden autogen.sh tests/lsp-client.py \
	.pre-commit-hooks.yaml tests/git-env.sh tests/tap.sh tests/memo

## Helpers beside the unit tests (headers, data) ship too.
dist-hook: dist-unit-extras
dist-unit-extras:
	@for f in $(srcdir)/tests/unit/*.h; do \
		test -f "$$f" || continue; \
		cp -p "$$f" $(distdir)/tests/unit/ || exit 1; \
	done

## The distcheck build is the strict one: warnings are errors.
AM_DISTCHECK_CONFIGURE_FLAGS = --enable-werror

## The SARIF validator from npm is cached under the build tree.
clean-local: clean-npm-cache
clean-npm-cache:
	-rm -rf tests/npm-cache

.PHONY: dist-unit-extras clean-npm-cache
