# SPDX-License-Identifier: GPL-2.0
#
# devmig: Linux device memory migration, in userspace and in a real kernel.
#
#   make run          install what is missing, build, run the default demo
#   make test         install what is missing, build, run the test suite
#   make check-asan   the suite under AddressSanitizer + UBSan
#   make check-tsan   the suite under ThreadSanitizer
#   make bench        migration cost report (model vs memcpy)
#   make soak         the suite 20 times in a row beside other load
#   make kernel-check our mm/migrate_device.c in a real 6.12 kernel (slow)
#   make fuzz         generated scenarios on the model, checked (FUZZ_* vars)
#   make install      libdevmig, its headers and pkg-config files (PREFIX=...)

CC      ?= gcc
BUILD   ?= build
SAN     ?=
OPT     ?= -O2
CFLAGS_BASE := -std=gnu11 -g $(OPT) -Wall -Wextra -fno-strict-aliasing \
	-fno-omit-frame-pointer -pthread $(SAN)
# Kernel-side code (the subject, the model, the driver, the tests) sees the
# shadow kernel headers; host code (host/, tools/, bench/) sees libc only.
KCFLAGS := $(CFLAGS_BASE) -Iinclude -Iapi -Imm
HCFLAGS := $(CFLAGS_BASE) -Iapi -Iinclude/host
LDLIBS  := -pthread -lcmocka $(SAN)

KSRCS := mm/migrate_device.c $(wildcard model/*.c)
# The mirror device is a client of the library, built as its own library.
DSRCS := $(wildcard drivers/*.c)
DOBJS := $(DSRCS:%.c=$(BUILD)/%.o)
DRVLIB := $(BUILD)/libdmirror.a
HSRCS := $(wildcard host/*.c)
KOBJS := $(KSRCS:%.c=$(BUILD)/%.o)
HOBJS := $(HSRCS:%.c=$(BUILD)/%.o)
LIB   := $(BUILD)/libdevmig.a

# The scenario interpreter (host code); backend_linux.c is the guest's.
SSRCS := $(filter-out scenario/backend_linux.c,$(wildcard scenario/*.c))
SOBJS := $(SSRCS:%.c=$(BUILD)/%.o)

TEST_SRCS := $(wildcard tests/*.c)
TESTS     := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test check check-asan check-tsan bench clean

all: $(LIB) $(DRVLIB) $(BUILD)/devmig $(TESTS)

deps:
	@sh scripts/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(if $(filter host/% tools/% bench/bench.c scenario/%,$<),$(HCFLAGS),$(KCFLAGS)) \
		-MMD -MP -c $< -o $@

$(LIB): $(KOBJS) $(HOBJS)
	@rm -f $@
	ar rcs $@ $^

$(DRVLIB): $(DOBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/%: tests/%.c $(DRVLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP $< -o $@ $(DRVLIB) $(LIB) $(LDLIBS)

# Every object of both libraries, so that `devmig inject` lists every
# failure site there is (the fault_sites section of each object).
$(BUILD)/devmig: $(BUILD)/tools/devmig-cli.o $(SOBJS) $(DRVLIB) $(LIB)
	$(CC) $(CFLAGS_BASE) $(filter-out $(DRVLIB) $(LIB),$^) \
		-Wl,--whole-archive $(DRVLIB) $(LIB) -Wl,--no-whole-archive -o $@

# The guest's interpreter (make kernel-diff): devmig, static, with the
# linux backend.
$(BUILD)/devmig-static: $(BUILD)/tools/devmig-cli.o $(SOBJS) \
		$(BUILD)/scenario/backend_linux.o $(DRVLIB) $(LIB)
	$(CC) $(CFLAGS_BASE) -static $^ -o $@ -pthread

$(BUILD)/bench/bench: $(BUILD)/bench/bench.o $(BUILD)/bench/bench_dev.o \
		$(DRVLIB) $(LIB)
	$(CC) $(CFLAGS_BASE) $^ -o $@ $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/devmig
	./$(BUILD)/devmig

test: deps
	@$(MAKE) --no-print-directory example
	@$(MAKE) --no-print-directory check-cli
	@$(MAKE) --no-print-directory check

# The suites and the scenario corpus also write a JUnit report, which a
# JUnit reader then checks: every suite there under its own name, counts
# that add up.
check: $(TESTS) $(BUILD)/devmig $(BUILD)/tests/hung/broken_driver $(BUILD)/bench/bench
	@sh scripts/hang-check.sh $(BUILD)/tests/hung/broken_driver
	@sh scripts/bench-smoke.sh $(BUILD)
	@DEVMIG=$(BUILD)/devmig bash scripts/run-tests.sh --junit $(BUILD)/junit.xml \
		$(TESTS) scripts/replay-scenarios.sh scripts/inject-walk.sh
	@python3 scripts/junit-check.py $(BUILD)/junit.xml $(notdir $(TESTS)) \
		corpus inject

check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" check

# ThreadSanitizer runs the suites 5-15 times slower: the injection walk
# alone takes ~8 minutes, so each suite gets 30 instead of 10.
check-tsan: deps
	@TEST_TIMEOUT=$${TEST_TIMEOUT:-1800} $(MAKE) --no-print-directory \
		BUILD=build-tsan OPT=-O1 SAN="-fsanitize=thread" check

# BENCH_MAX_MIB: the largest size (4096 for the 4 GiB point; needs ~10 GiB).
BENCH_MAX_MIB ?= 1024
BENCH_OUT := $(BUILD)/bench
bench:
	@sh scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench
	./$(BUILD)/bench/bench --max-mib $(BENCH_MAX_MIB) --out $(BENCH_OUT)
	./$(BUILD)/bench/bench --scaling --out $(BENCH_OUT)
	gnuplot -e "datafile='$(BENCH_OUT)/bench.csv'; outfile='$(BENCH_OUT)/bench.png'" \
		bench/plot.gp
	@echo "bench: $(BENCH_OUT)/bench.{csv,json,png}, $(BENCH_OUT)/scaling.{csv,json}"

# tests/stress.c at length, a new seed each run unless DEVMIG_STRESS_SEED says;
# a progress line with an estimate every 5 seconds.
.PHONY: stress
stress: $(BUILD)/tests/stress
	DEVMIG_STRESS_OPS=$${DEVMIG_STRESS_OPS:-2000000} \
	DEVMIG_STRESS_PROGRESS=$${DEVMIG_STRESS_PROGRESS:-5} \
	DEVMIG_STRESS_SEED=$${DEVMIG_STRESS_SEED:-$$(date +%s)} ./$(BUILD)/tests/stress

# Generated scenarios (scenario/gen.c) on the model, with the invariant
# checker and the byte-exact shadow; failing scripts are saved in FUZZ_DIR.
.PHONY: fuzz fuzz-smoke
fuzz: $(BUILD)/devmig
	./$(BUILD)/devmig fuzz --seed $${FUZZ_SEED:-$$(date +%s)} \
		--count $${FUZZ_COUNT:-10000} --steps $${FUZZ_STEPS:-40} \
		--check-every $${FUZZ_CHECK_EVERY:-1} --dir $${FUZZ_DIR:-.}

# A few seconds of it; make test runs the same (scripts/replay-scenarios.sh).
fuzz-smoke: $(BUILD)/devmig
	./$(BUILD)/devmig fuzz --seed 1 --count 50 --steps 40 --dir $(BUILD)
# The suite SOAK_RUNS times in a row with other test load beside it.
.PHONY: soak
soak: $(TESTS)
	@bash scripts/soak.sh $${SOAK_RUNS:-20} -- $(TESTS)

clean:
	rm -rf build build-asan build-tsan build-mut build-cov

-include kernel/kernel.mk
-include $(KOBJS:.o=.d) $(HOBJS:.o=.d) $(DOBJS:.o=.d) $(SOBJS:.o=.d) \
	$(TESTS:=.d) $(BUILD)/bench/bench.d $(BUILD)/bench/bench_dev.d \
	$(BUILD)/tools/devmig-cli.d

# Mutation testing: every mutant of tests/mutants/*.txt built in
# build-mut/<id>/ and run against the suites (most discriminating first)
# until one fails.  MUTANTS='md-*' runs some; exits non-zero on a survivor.
MUT_BASE  := build-mut/base
MUT_FIRST := collect einval differences scenarios thp release coherent roundtrip races
MUT_ORDER := $(MUT_FIRST) $(filter-out $(MUT_FIRST),$(TEST_SRCS:tests/%.c=%))
.PHONY: mutants
mutants: deps
	@$(MAKE) --no-print-directory BUILD=$(MUT_BASE) $(MUT_BASE)/libdevmig.a \
		$(MUT_BASE)/libdmirror.a $(MUT_ORDER:%=$(MUT_BASE)/tests/%.o)
	@CC="$(CC)" KCFLAGS="$(KCFLAGS)" LDLIBS="$(LDLIBS)" MUT_BASE=$(MUT_BASE) \
		MUT_TESTS="$(MUT_ORDER:%=$(MUT_BASE)/tests/%)" \
		python3 scripts/mutants.py -j2 $(MUTANTS)

# ---------------------------------------------------------------------------
# Install as a library: `make install PREFIX=/opt/devmig` (DESTDIR honoured).
#
#   PREFIX/lib/libdevmig.a, libdevmig.so (-> libdevmig.so.0)
#   PREFIX/lib/libdmirror.a         the mirror device (api/hmm_dmirror.h), a
#                                   driver on libdevmig: -ldmirror before it
#   PREFIX/include/devmig/kernel/   shadow kernel headers (linux/, asm/, model/,
#                                   host/host.h): a driver's kernel-side TUs
#   PREFIX/include/devmig/api/      devmig.h, hmm_dmirror.h: libc-safe, both sides
#   PREFIX/lib/pkgconfig/devmig.pc       cflags for kernel-side TUs
#   PREFIX/lib/pkgconfig/devmig-host.pc  cflags for host TUs (libc + api/ only)
#
# The shared library is built from a second set of objects compiled with
# -fPIC, so the static library and the test binaries keep their code as is.
PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
VERSION    := $(shell sed -n 's/^\#define DEVMIG_VERSION[^"]*"\(.*\)"/\1/p' api/devmig.h)
SOLIB      := $(BUILD)/libdevmig.so.0
PICOBJS    := $(KSRCS:%.c=$(BUILD)/pic/%.o) $(HSRCS:%.c=$(BUILD)/pic/%.o)

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(if $(filter host/%,$<),$(HCFLAGS),$(KCFLAGS)) -fPIC \
		-MMD -MP -c $< -o $@

$(SOLIB): $(PICOBJS)
	$(CC) -shared -Wl,-soname,libdevmig.so.0 $^ -o $@ -pthread $(SAN)

.PHONY: install uninstall example check-cli
# The devmig command's options and script errors, the suite runner and
# kernel-diff's verdicts, run and read back; the layout rules a grep can
# check (part of `make test`).
check-cli: $(BUILD)/devmig
	@python3 scripts/check-cli.py $(BUILD)/devmig $(VERSION)
	@python3 scripts/check-runner.py
	@python3 scripts/check-kdiff.py
	@python3 scripts/check-layout.py

# The .pc files name PREFIX, so they are made at each install.
install: $(LIB) $(SOLIB) $(DRVLIB)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/devmig/api
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libdevmig.a
	install -m 644 $(DRVLIB) $(DESTDIR)$(LIBDIR)/libdmirror.a
	install -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/libdevmig.so.0
	ln -sf libdevmig.so.0 $(DESTDIR)$(LIBDIR)/libdevmig.so
	install -m 644 api/*.h $(DESTDIR)$(INCLUDEDIR)/devmig/api/
	cd include && for h in $$(find . -name '*.h'); do \
		install -D -m 644 $$h $(DESTDIR)$(INCLUDEDIR)/devmig/kernel/$$h \
			|| exit 1; \
	done
	for pc in devmig devmig-host; do \
		sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		    pkgconfig/$$pc.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/$$pc.pc \
			|| exit 1; \
	done

uninstall:
	rm -rf $(DESTDIR)$(INCLUDEDIR)/devmig
	rm -f $(DESTDIR)$(LIBDIR)/libdevmig.a $(DESTDIR)$(LIBDIR)/libdevmig.so \
	      $(DESTDIR)$(LIBDIR)/libdmirror.a \
	      $(DESTDIR)$(LIBDIR)/libdevmig.so.0 \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/devmig.pc \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/devmig-host.pc

# examples/minimal-driver built against a fresh install under build/ only,
# through pkg-config, then run (part of `make test`), with the command its
# Makefile documents (PKG_CONFIG_PATH on the make command line).
EXAMPLE_PREFIX := $(abspath $(BUILD))/example-prefix
example:
	@rm -rf $(EXAMPLE_PREFIX) $(BUILD)/example
	@$(MAKE) --no-print-directory -s install PREFIX=$(EXAMPLE_PREFIX) >/dev/null
	@mkdir -p $(BUILD)/example
	@env -u PKG_CONFIG_PATH $(MAKE) --no-print-directory -s \
		-C examples/minimal-driver \
		PKG_CONFIG_PATH=$(EXAMPLE_PREFIX)/lib/pkgconfig \
		O=$(abspath $(BUILD))/example run

-include $(PICOBJS:.o=.d)

# Line and branch coverage of the subject, the driver and the model from one
# run of the suite (gcov, reported by gcovr): a table on stdout and in
# build-cov/coverage.txt, the annotated sources in build-cov/html/index.html.
COV_FILES := --filter 'mm/migrate_device\.c' --filter 'drivers/' --filter 'model/'
.PHONY: coverage
coverage:
	@sh scripts/install-deps.sh gcovr
	@mkdir -p build-cov/html
	@find build-cov -name '*.gcda' -delete
	@$(MAKE) --no-print-directory BUILD=build-cov OPT=-O0 \
		SAN="--coverage -fprofile-update=atomic" check
	@gcovr -r . --object-directory build-cov $(COV_FILES) \
		--exclude-unreachable-branches --txt build-cov/lines.txt \
		--html-details build-cov/html/index.html
	@gcovr -r . --object-directory build-cov $(COV_FILES) \
		--exclude-unreachable-branches -b --txt build-cov/branches.txt
	@python3 scripts/coverage-table.py build-cov/lines.txt \
		build-cov/branches.txt > build-cov/coverage.txt; \
		s=$$?; cat build-cov/coverage.txt; exit $$s

# The hung-task detector against two deliberately broken drivers.
.PHONY: check-hangs
check-hangs: $(BUILD)/tests/hung/broken_driver
	@sh scripts/hang-check.sh $<

$(BUILD)/tests/hung/%: tests/hung/%.c $(DRVLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP $< -o $@ $(DRVLIB) $(LIB) $(LDLIBS)

# The injection walk at length: every failure site failed in every script
# that reaches it (attempts 1, 2 and all); make test runs the quick walk
# (each site in its first script).  scripts/inject-walk.sh.
.PHONY: inject
inject: deps
	@$(MAKE) --no-print-directory $(BUILD)/devmig
	@DEVMIG=$(BUILD)/devmig bash scripts/inject-walk.sh --nth 2
