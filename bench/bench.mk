## Benchmarks of the symbolic engine (bench/README.md).  Built and run by
## `make bench' only, never by `make check'; they print figures and ratios
## and assert nothing.  bench/z3-questions needs libz3; without it `make
## bench' runs the engine benchmark alone.

EXTRA_PROGRAMS += bench/engine bench/z3-questions bench/gencorpus \
	bench/measure

bench_engine_SOURCES = bench/engine.c bench/questions.c bench/questions.h
bench_engine_LDADD = librulecheck.a $(CJSON_LIBS)

BENCH_Z3_LIBS = -lz3
bench_z3_questions_SOURCES = bench/z3-questions.c bench/questions.c \
	bench/questions.h
bench_z3_questions_LDADD = librulecheck.a $(CJSON_LIBS) $(BENCH_Z3_LIBS)

## The batch-scan benchmark (bench/scan): a corpus generator and a
## runner that reports wall time, CPU time and peak memory.
bench_gencorpus_SOURCES = bench/gencorpus.c
bench_measure_SOURCES = bench/measure.c

CLEANFILES += bench/engine$(EXEEXT) bench/z3-questions$(EXEEXT) \
	bench/gencorpus$(EXEEXT) bench/measure$(EXEEXT)
EXTRA_DIST += bench/run bench/scan bench/README.md

bench: bench/engine$(EXEEXT) bench/gencorpus$(EXEEXT) bench/measure$(EXEEXT) \
		rulecheck$(EXEEXT)
	@$(MAKE) $(AM_MAKEFLAGS) bench/z3-questions$(EXEEXT) || \
		echo "bench: bench/z3-questions not built (no libz3?)"
	$(SHELL) $(srcdir)/bench/run $(abs_top_builddir)

bench-scan: bench/gencorpus$(EXEEXT) bench/measure$(EXEEXT) rulecheck$(EXEEXT)
	$(SHELL) $(srcdir)/bench/scan $(abs_top_builddir)

.PHONY: bench bench-scan
