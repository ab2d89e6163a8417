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
	$(CC) $(if $(filter host/% tools/% bench/bench.c,$<),$(HCFLAGS),$(KCFLAGS)) \
		-MMD -MP -c $< -o $@

$(LIB): $(KOBJS) $(HOBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP $< -o $@ $(LIB) $(LDLIBS)

$(BUILD)/devmig: $(BUILD)/tools/devmig.o $(LIB)
	$(CC) $(CFLAGS_BASE) $^ -o $@ $(LDLIBS)

$(BUILD)/bench/bench: $(BUILD)/bench/bench.o $(BUILD)/bench/bench_dev.o $(LIB)
	$(CC) $(CFLAGS_BASE) $^ -o $@ $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/devmig
	./$(BUILD)/devmig

test: deps
	@$(MAKE) --no-print-directory check

check: $(TESTS)
	@bash scripts/run-tests.sh $(TESTS)

check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" check

check-tsan: deps
	@$(MAKE) --no-print-directory BUILD=build-tsan OPT=-O1 \
		SAN="-fsanitize=thread" check

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

# tests/stress.c at length, a new seed each run unless DEVMIG_STRESS_SEED says.
.PHONY: stress
stress: $(BUILD)/tests/stress
	DEVMIG_STRESS_OPS=$${DEVMIG_STRESS_OPS:-2000000} \
	DEVMIG_STRESS_SEED=$${DEVMIG_STRESS_SEED:-$$(date +%s)} ./$(BUILD)/tests/stress

clean:
	rm -rf build build-asan build-tsan

-include kernel/kernel.mk
-include $(KOBJS:.o=.d) $(HOBJS:.o=.d) $(TESTS:=.d) $(BUILD)/bench/bench.d \
	$(BUILD)/bench/bench_dev.d
