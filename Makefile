# SPDX-License-Identifier: GPL-2.0
#
# devmig: Linux device memory migration, in userspace and in a real kernel.
#
#   make run          install what is missing, build, run the default demo
#   make test         install what is missing, build, run the test suite
#   make check-asan   the suite under AddressSanitizer + UBSan
#   make check-tsan   the suite under ThreadSanitizer
#   make bench        migration cost report (model vs memcpy)
#   make kernel-check our mm/migrate_device.c in a real 6.12 kernel (slow)

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

KSRCS := mm/migrate_device.c $(wildcard model/*.c) $(wildcard drivers/*.c)
HSRCS := $(wildcard host/*.c)
KOBJS := $(KSRCS:%.c=$(BUILD)/%.o)
HOBJS := $(HSRCS:%.c=$(BUILD)/%.o)
LIB   := $(BUILD)/libdevmig.a

TEST_SRCS := $(wildcard tests/*.c)
TESTS     := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test check check-asan check-tsan bench clean

all: $(LIB) $(BUILD)/devmig $(TESTS)

deps:
	@sh scripts/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(if $(filter host/% tools/% bench/%,$<),$(HCFLAGS),$(KCFLAGS)) \
		-MMD -MP -c $< -o $@

$(LIB): $(KOBJS) $(HOBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP $< -o $@ $(LIB) $(LDLIBS)

$(BUILD)/devmig: $(BUILD)/tools/devmig.o $(LIB)
	$(CC) $(CFLAGS_BASE) $^ -o $@ $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	$(CC) $(CFLAGS_BASE) $^ -o $@ $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/devmig
	./$(BUILD)/devmig

test: deps
	@$(MAKE) --no-print-directory check

check: $(TESTS) $(BUILD)/tests/hung/broken_driver
	@bash scripts/run-tests.sh $(TESTS)
	@sh scripts/hang-check.sh $(BUILD)/tests/hung/broken_driver

check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" check

check-tsan: deps
	@$(MAKE) --no-print-directory BUILD=build-tsan OPT=-O1 \
		SAN="-fsanitize=thread" check

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench
	./$(BUILD)/bench/bench

# tests/stress.c at length, a new seed each run unless DEVMIG_STRESS_SEED says.
.PHONY: stress
stress: $(BUILD)/tests/stress
	DEVMIG_STRESS_OPS=$${DEVMIG_STRESS_OPS:-2000000} \
	DEVMIG_STRESS_SEED=$${DEVMIG_STRESS_SEED:-$$(date +%s)} ./$(BUILD)/tests/stress

clean:
	rm -rf build build-asan build-tsan build-mut build-cov

-include kernel/kernel.mk
-include $(KOBJS:.o=.d) $(HOBJS:.o=.d) $(TESTS:=.d)

# Mutation testing: every mutant of tests/mutants/*.txt built in
# build-mut/<id>/ and run against the suites (most discriminating first)
# until one fails.  MUTANTS='md-*' runs some; exits non-zero on a survivor.
MUT_BASE  := build-mut/base
MUT_FIRST := collect einval differences scenarios thp release coherent roundtrip races
MUT_ORDER := $(MUT_FIRST) $(filter-out $(MUT_FIRST),$(TEST_SRCS:tests/%.c=%))
.PHONY: mutants
mutants: deps
	@$(MAKE) --no-print-directory BUILD=$(MUT_BASE) $(MUT_BASE)/libdevmig.a \
		$(MUT_ORDER:%=$(MUT_BASE)/tests/%.o)
	@CC="$(CC)" KCFLAGS="$(KCFLAGS)" LDLIBS="$(LDLIBS)" MUT_BASE=$(MUT_BASE) \
		MUT_TESTS="$(MUT_ORDER:%=$(MUT_BASE)/tests/%)" \
		python3 scripts/mutants.py -j2 $(MUTANTS)

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

$(BUILD)/tests/hung/%: tests/hung/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP $< -o $@ $(LIB) $(LDLIBS)
