## libFuzzer targets, included by Makefile.am; see doc/fuzzing.md.
## `make fuzz' compiles the library again with FUZZ_CC and the fuzzer's
## instrumentation into tests/fuzz/, links one program per target and
## gathers the seed corpora; the normal build never depends on it.

FUZZ_NAMES = json expr lint lsp
FUZZ_TARGETS = tests/fuzz/fuzz-json tests/fuzz/fuzz-expr \
	tests/fuzz/fuzz-lint tests/fuzz/fuzz-lsp
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LINKFLAGS = -fsanitize=fuzzer,address,undefined
FUZZ_COMPILE = $(FUZZ_CC) -std=gnu11 $(WARN_CFLAGS) $(FUZZ_CFLAGS) \
	$(CJSON_CFLAGS) $(DEFS) -I. $(AM_CPPFLAGS)
FUZZ_LIB = tests/fuzz/libfuzz.a

EXTRA_DIST += tests/fuzz/fuzz.mk tests/fuzz/seeds.py tests/fuzz/smoke.sh \
	tests/fuzz/rules.dict tests/fuzz/json.dict tests/fuzz/seeds \
	tests/fuzz/fuzz-json.c tests/fuzz/fuzz-expr.c tests/fuzz/fuzz-lint.c \
	tests/fuzz/fuzz-lsp.c

fuzz: fuzz-$(HAVE_FUZZ)
fuzz-no:
	@echo "make fuzz: $(FUZZ_CC) cannot link -fsanitize=fuzzer;" \
	     "install clang and libclang-rt-14-dev, or run" \
	     "./configure FUZZ_CC=..." >&2; exit 1
fuzz-yes: $(FUZZ_TARGETS) fuzz-seeds

## One pass over the library's C files: the objects land beside the
## archive, named after their sources.
$(FUZZ_LIB): $(librulecheck_a_SOURCES) config.h
	$(AM_V_at)rm -rf tests/fuzz/obj && $(MKDIR_P) tests/fuzz/obj
	$(AM_V_GEN)for s in $(librulecheck_a_SOURCES); do \
		case $$s in *.c) ;; *) continue ;; esac; \
		o=tests/fuzz/obj/`echo $$s | tr / -`; o=$${o%.c}.o; \
		$(FUZZ_COMPILE) -c -o $$o `test -f $$s || echo $(srcdir)/`$$s \
			|| exit 1; \
	done
	$(AM_V_at)rm -f $@ && $(AR) cr $@ tests/fuzz/obj/*.o && $(RANLIB) $@

$(FUZZ_TARGETS): $(FUZZ_LIB)
	$(AM_V_CCLD)$(FUZZ_COMPILE) $(FUZZ_LINKFLAGS) -o $@ \
		$(srcdir)/$@.c $(FUZZ_LIB) $(CJSON_LIBS) $(LIBS)
tests/fuzz/fuzz-json: $(srcdir)/tests/fuzz/fuzz-json.c
tests/fuzz/fuzz-expr: $(srcdir)/tests/fuzz/fuzz-expr.c
tests/fuzz/fuzz-lint: $(srcdir)/tests/fuzz/fuzz-lint.c
tests/fuzz/fuzz-lsp: $(srcdir)/tests/fuzz/fuzz-lsp.c

## The seeds: the bundled corpus, the inputs of the golden cases, the
## committed seeds, and FUZZ_SEEDS (more rule files, e.g. a checkout of
## public rule sets) when it names a directory.
FUZZ_SEEDS =
PYTHON3 = python3
fuzz-seeds:
	$(AM_V_GEN)$(PYTHON3) $(srcdir)/tests/fuzz/seeds.py $(srcdir) \
		tests/fuzz/corpus $(FUZZ_SEEDS)

## A short run of every target from its seeds (tests/fuzz/smoke.sh).
FUZZ_SMOKE_SECONDS = 60
fuzz-smoke: fuzz
	$(SHELL) $(srcdir)/tests/fuzz/smoke.sh $(srcdir) tests/fuzz \
		$(FUZZ_SMOKE_SECONDS)

clean-local: clean-fuzz
clean-fuzz:
	-rm -rf tests/fuzz/obj tests/fuzz/corpus tests/fuzz/smoke \
		$(FUZZ_LIB) $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-no fuzz-yes fuzz-seeds fuzz-smoke clean-fuzz
