# mmamp — the two commands of the README, and a few conveniences.
#   make demo   the main job: mmampd and a simulated M4 in its own process (scripts/demo.sh) — TTY
#               echo, firmware swap, crash and recovery; PLATFORM=qemu or linux for the others
#   make test   the whole suite: gcc and clang builds, ASan+UBSan, TSan, the Cortex-M4 firmware
#               (cross build, QEMU), the real kernel as the host (User-Mode Linux)
# Both install what they need first (scripts/install-deps.sh, Debian 12).

MAKEFLAGS += --no-print-directory
JOBS  ?= 2
BUILD ?= build

CONFIGS := gcc clang asan tsan
cmake_gcc   := -DCMAKE_C_COMPILER=gcc   -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake_clang := -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake_asan  := -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DMMAMP_SANITIZE=address,undefined
cmake_tsan  := -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DMMAMP_SANITIZE=thread
# TSan only pays off where threads meet; the rest of the suite runs in the other builds.
ctest_tsan  := -L threads

.PHONY: all deps demo test $(addprefix build-,$(CONFIGS)) $(addprefix test-,$(CONFIGS)) clean

all: build-gcc

deps:
	@scripts/install-deps.sh

$(addprefix build-,$(CONFIGS)): build-%: deps
	@cmake -S . -B $(BUILD)/$* $(cmake_$*) >/dev/null
	@cmake --build $(BUILD)/$* -j$(JOBS)

$(addprefix test-,$(CONFIGS)): test-%: build-%
	@echo "== test suite: $* build"
	@ctest --test-dir $(BUILD)/$* --output-on-failure -j$(JOBS) $(ctest_$*)

test: uml-kernel test-gcc test-clang test-asan test-tsan

# The User-Mode Linux kernel the `linux` tests boot (docs/linux-host.md): built once into the
# cache outside the tree, before any test runs, so its build never competes with them.
.PHONY: uml-kernel
uml-kernel: deps
	@scripts/build-uml-kernel.sh >/dev/null

# make demo PLATFORM=qemu: the same on a real Cortex-M4 under QEMU; PLATFORM=linux: the host is
# the real Linux kernel (User-Mode Linux, docs/linux-host.md)
PLATFORM ?= sim
demo: build-gcc
	@scripts/demo.sh $(BUILD)/gcc $(PLATFORM)

# make fuzz: the libFuzzer targets (tests/fuzz, docs/fuzzing.md) with ASan+UBSan, each run for
# FUZZ_SECONDS in turn on one core over a scratch corpus in $(BUILD)/fuzz; FUZZ_MERGE=1 merges
# new coverage back into tests/fuzz/corpus; FUZZERS=... picks some.
FUZZ_SECONDS ?= 60
FUZZ_MERGE   ?= 0
FUZZERS      ?=
.PHONY: fuzz
fuzz: deps
	@cmake -S . -B $(BUILD)/fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	       -DMMAMP_SANITIZE=address,undefined >/dev/null
	@cmake --build $(BUILD)/fuzz -j$(JOBS) --target mmamp_fuzzers
	@tests/fuzz/run-fuzzers.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_MERGE) $(FUZZERS)

# make size: footprint of the Cortex-M4 echo firmware for QEMU mps2-an386 (docs/qemu-platform.md):
# flash and static RAM of the IPC stack (core + runtime + port) and of the whole image, from its
# map file, against the budget (1,200 B flash, 200 B RAM): the full stack, its small profile, the
# full stack's minimal echo (fw_echo_lean: one endpoint), and the minimal profile
# (mmamp/rpmsg_min.h, docs/config.md); then the i.MX8QXP board firmware and
# its bootaux images (docs/imx8x-board.md). Builds only the cross build: the gcc build's
# ($(BUILD)/gcc/m4), which its target mmamp_m4 configures and builds (ports/qemu-mps2/host.cmake,
# the one place the M4 cross build is set up).
.PHONY: size
size: deps
	@cmake -S . -B $(BUILD)/gcc $(cmake_gcc) >/dev/null
	@cmake --build $(BUILD)/gcc -j$(JOBS) --target mmamp_m4 >/dev/null
	@echo "== fw_echo.elf (Cortex-M4F, -Os, --gc-sections): bytes"
	@ports/qemu-mps2/size-report.sh $(BUILD)/gcc/m4/ports/qemu-mps2/fw_echo.map
	@echo "== fw_echo_small.elf (the same, MMAMP_FW_SMALL_CONFIG: no diag strings, no static link, docs/config.md): bytes"
	@ports/qemu-mps2/size-report.sh $(BUILD)/gcc/m4/ports/qemu-mps2/fw_echo_small.map
	@echo "== fw_echo_lean.elf (the full stack's minimal echo: one endpoint, small profile): bytes"
	@ports/qemu-mps2/size-report.sh $(BUILD)/gcc/m4/ports/qemu-mps2/fw_echo_lean.map
	@echo "== fw_echo_min.elf (the same services on the minimal profile, rpmsg_min.h): bytes"
	@ports/qemu-mps2/size-report.sh $(BUILD)/gcc/m4/ports/qemu-mps2/fw_echo_min.map
	@echo "== fw_echo_mek.elf (the board firmware: i.MX8QXP MEK, docs/imx8x-board.md): bytes"
	@ports/qemu-mps2/size-report.sh $(BUILD)/gcc/m4/ports/imx8qx-m4/fw_echo_mek.map
	@for b in mek var_som; do \
	  f=$(BUILD)/gcc/m4/ports/imx8qx-m4/fw_echo_$$b.bin; \
	  echo "fw_echo_$$b.bin (bootaux image): $$(stat -c %s $$f) of 131072 bytes"; done

clean:
	rm -rf $(BUILD)
