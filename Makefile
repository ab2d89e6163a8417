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

# The scenario interpreter (host code); backend_linux.c is the guest's.
SSRCS := $(filter-out scenario/backend_linux.c,$(wildcard scenario/*.c))
SOBJS := $(SSRCS:%.c=$(BUILD)/%.o)

TEST_SRCS := $(wildcard tests/*.c)
TESTS     := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

.PHONY: all deps run test check check-asan check-tsan bench clean

all: $(LIB) $(BUILD)/devmig $(TESTS)

deps:
	@sh scripts/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(if $(filter host/% tools/% bench/% scenario/%,$<),$(HCFLAGS),$(KCFLAGS)) \
		-MMD -MP -c $< -o $@

$(LIB): $(KOBJS) $(HOBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP $< -o $@ $(LIB) $(LDLIBS)

$(BUILD)/devmig: $(BUILD)/tools/devmig.o $(SOBJS) $(LIB)
	$(CC) $(CFLAGS_BASE) $^ -o $@ $(LDLIBS)

# The guest's interpreter (make kernel-diff): devmig, static, with the
# linux backend.
$(BUILD)/devmig-static: $(BUILD)/tools/devmig.o $(SOBJS) \
		$(BUILD)/scenario/backend_linux.o $(LIB)
	$(CC) $(CFLAGS_BASE) -static $^ -o $@ -pthread

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB)
	$(CC) $(CFLAGS_BASE) $^ -o $@ $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/devmig
	./$(BUILD)/devmig

test: deps
	@$(MAKE) --no-print-directory check

check: $(TESTS) $(BUILD)/devmig
	@DEVMIG=$(BUILD)/devmig bash scripts/run-tests.sh $(TESTS) scripts/replay-scenarios.sh

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
	rm -rf build build-asan build-tsan

-include kernel/kernel.mk
-include $(KOBJS:.o=.d) $(HOBJS:.o=.d) $(SOBJS:.o=.d) $(TESTS:=.d)
