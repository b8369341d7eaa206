# flowc/flowrun. `make` builds, `make check` runs every test (also under
# AddressSanitizer and UndefinedBehaviorSanitizer), `make demo` shows it working.

SHELL = /bin/bash
PREFIX ?= /usr/local
B ?= build
CC ?= cc
CFLAGS ?= -O2 -g
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(SAN),1)
CFLAGS += $(SAN_FLAGS) -O1
LDFLAGS += $(SAN_FLAGS)
endif
# flowc parses, reads, checks and writes a large spec with two threads
LDFLAGS += -pthread
PKGS = yaml-0.1 jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libpq 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lyaml -ljansson) -lm
# flowrun: JSON for plans, SQLite for the results store, libyaml for the
# load_file built-in's yaml serializer; libpq is loaded only when a
# PostgreSQL store is used (runtime/store_pg.c), its header is all it needs
RUN_LIBS := $(shell pkg-config --libs jansson sqlite3 yaml-0.1 2>/dev/null || \
	echo -ljansson -lsqlite3 -lyaml) -lm -ldl
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Iinclude -Icommon -Icompiler -I$(B)/gen $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
# lemon output: built, never committed
GRAMMARS = type_gram ref_gram
GEN_HEADERS = $(GRAMMARS:%=$(B)/gen/%.h)

# Debian packages the build and the tests need; `make deps` installs the missing ones.
DEB_PKGS = gcc make pkg-config libyaml-dev libjansson-dev libsqlite3-dev libpq-dev lemon \
	libcmocka-dev postgresql \
	clang libclang-rt-14-dev python3-jsonschema python3-yaml sqlite3 \
	slurmctld slurmd slurm-client munge \
	podman runc catatonit busybox-static \
	man-db zsh bsdutils graphviz

COMMON_OBJS = $(addprefix $(B)/common/,util.o sha256.o base64.o json_text.o plan_hash.o type.o typeval.o \
	type_gram.o)
FRONT_OBJS = $(COMMON_OBJS) $(addprefix $(B)/compiler/,diag.o ynode.o ref.o ref_gram.o \
	spec.o comp.o resolve.o check.o order.o tc.o jw.o value.o driver.o)
FLOWC_OBJS = $(FRONT_OBJS) $(B)/compiler/bundle.o $(B)/compiler/emit.o $(B)/compiler/graph.o \
	$(B)/compiler/output.o $(B)/compiler/main.o
STORE_OBJS = $(addprefix $(B)/runtime/,store.o store_sqlite.o store_pg.o)
FLOWRUN_OBJS = $(COMMON_OBJS) $(STORE_OBJS) $(addprefix $(B)/runtime/,plan.o jarena.o tmpl.o files.o \
	builtins.o limits.o capture.o container.o clean.o journal.o rundir.o replay.o signals.o proc.o cache.o key.o reuse.o progress.o schedule.o backend.o \
	local.o slurm.o run.o status.o main.o)
UNIT_TESTS = $(addprefix $(B)/tests/,test_ynode test_spec test_check test_type test_ref)
# sources of the front end, with lemon's output in place of the grammars
GRAM_OBJS = $(filter %_gram.o,$(FRONT_OBJS))
FRONT_SRCS = $(patsubst $(B)/%.o,%.c,$(filter-out $(GRAM_OBJS),$(FRONT_OBJS))) \
	$(addprefix $(B)/gen/,$(notdir $(GRAM_OBJS:.o=.c)))
FUZZ_TARGETS = $(addprefix build/fuzz/,fuzz_front fuzz_type fuzz_ref fuzz_plan fuzz_load fuzz_journal)
RUN_SRCS = $(patsubst $(B)/%.o,%.c,$(filter-out %_gram.o,$(COMMON_OBJS))) $(B)/gen/type_gram.c \
	runtime/plan.c runtime/jarena.c
# seconds each fuzz target runs in `make check`; `make fuzz FUZZ_SECONDS=600` for more
FUZZ_SECONDS ?= 15

.PHONY: all deps check check-here unit golden fuzz demo bench bench-build install clean
.SECONDARY:

all: $(B)/flowc $(B)/flowrun

$(B)/flowc: $(FLOWC_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(FLOWC_OBJS) $(PKG_LIBS)

$(B)/flowrun: $(FLOWRUN_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(FLOWRUN_OBJS) $(RUN_LIBS)

# runtime sources see the runtime's headers, never the compiler's
$(B)/runtime/%.o: runtime/%.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(subst -Icompiler,-Iruntime,$(ALL_CFLAGS)) -c -o $@ $<

$(B)/%.o: %.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/gen/%.c $(B)/gen/%.h: compiler/%.y
	@mkdir -p $(B)/gen
	lemon -q -d$(B)/gen $<
	@touch $(B)/gen/$*.c $(B)/gen/$*.h  # lemon keeps an unchanged header's old time

$(B)/gen/%.c $(B)/gen/%.h: common/%.y
	@mkdir -p $(B)/gen
	lemon -q -d$(B)/gen $<
	@touch $(B)/gen/$*.c $(B)/gen/$*.h

GRAM_CFLAGS = $(ALL_CFLAGS) -Wno-unused-parameter -Wno-unused-variable -Wno-missing-prototypes
$(B)/compiler/%_gram.o: $(B)/gen/%_gram.c
	@mkdir -p $(@D)
	$(CC) $(GRAM_CFLAGS) -c -o $@ $<

$(B)/common/%_gram.o: $(B)/gen/%_gram.c
	@mkdir -p $(@D)
	$(CC) $(GRAM_CFLAGS) -c -o $@ $<

RUN_TESTS = $(B)/tests/test_plan $(B)/tests/test_journal $(B)/tests/test_files \
	$(B)/tests/test_container $(B)/tests/test_json_text $(B)/tests/test_key \
	$(B)/tests/test_sha256 $(B)/tests/test_util
$(B)/tests/test_plan: $(B)/tests/runit/test_plan.o $(COMMON_OBJS) $(B)/runtime/plan.o $(B)/runtime/jarena.o
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS) -lcmocka

$(B)/tests/test_journal: $(B)/tests/runit/test_journal.o $(COMMON_OBJS) $(B)/runtime/journal.o
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS) -lcmocka

$(B)/tests/test_files: $(B)/tests/runit/test_files.o $(COMMON_OBJS) $(B)/runtime/files.o
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS) -lcmocka

$(B)/tests/test_key: $(B)/tests/runit/test_key.o $(COMMON_OBJS) \
		$(addprefix $(B)/runtime/,key.o plan.o jarena.o tmpl.o files.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS) -lcmocka

$(B)/tests/test_json_text: $(B)/tests/runit/test_json_text.o $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS) -lcmocka

$(B)/tests/test_sha256: $(B)/tests/runit/test_sha256.o $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS) -lcmocka

$(B)/tests/test_util: $(B)/tests/runit/test_util.o $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS) -lcmocka

$(B)/tests/test_container: $(B)/tests/runit/test_container.o $(COMMON_OBJS) \
		$(B)/runtime/container.o $(B)/runtime/proc.o
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS) -lcmocka

# the store suite runs once per store: tests/store_test.sh
$(B)/tests/test_store: $(B)/tests/runit/test_store.o $(COMMON_OBJS) $(STORE_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS) -lcmocka

# runtime unit tests see the runtime's headers
$(B)/tests/runit/%.o: tests/unit/%.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(subst -Icompiler,-Iruntime,$(ALL_CFLAGS)) -c -o $@ $<

$(B)/tests/%: $(B)/tests/unit/%.o $(FRONT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

deps:
	@missing=; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
			|| missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# check: the one command that runs every test, first in a plain build, then
# in a sanitizer build in its own directory, then the fuzzers: one line per
# suite (its output in B/logs/NAME.log, shown when it fails or with V=1),
# going on past a failure, and one summary line at the end
# ("N passed, M failed") over everything. V=1 also shows the build.
QUIET = $(if $(filter 1,$(V)),,-s --no-print-directory)
check: deps
	@mkdir -p build; rm -f build/check-summary; status=0; \
	echo "make check: plain build, then AddressSanitizer and UBSan (build/san), then fuzzing"; \
	$(MAKE) $(QUIET) check-here SUMMARY=$(CURDIR)/build/check-summary || status=1; \
	$(MAKE) $(QUIET) B=build/san SAN=1 check-here SUMMARY=$(CURDIR)/build/check-summary || status=1; \
	$(MAKE) $(QUIET) fuzz FUZZ_SUMMARY=$(CURDIR)/build/check-summary || status=1; \
	tests/check.sh --total build/check-summary || status=1; exit $$status

# check-here: every suite against the build in B (tests/check.sh)
SUMMARY ?= $(CURDIR)/$(B)/check-summary
check-here: all $(UNIT_TESTS) $(RUN_TESTS) $(B)/tests/test_store bench-build
	@[ "$(SUMMARY)" != "$(CURDIR)/$(B)/check-summary" ] || rm -f $(SUMMARY)
	@echo "$(B): built; running its suites (logs in $(B)/logs)"
	@tests/check.sh $(B) $(SUMMARY)

unit: $(UNIT_TESTS) $(RUN_TESTS)
	@for t in $(UNIT_TESTS) $(RUN_TESTS); do echo "== $$t"; $$t || exit 1; done

golden: $(B)/flowc $(B)/flowrun $(B)/tests/test_store
	tests/golden/run.sh $(B)/flowc $(B)/flowrun
	tests/plan_test.sh $(B)/flowc $(B)/flowrun
	tests/run_test.sh $(B)/flowc $(B)/flowrun
	tests/core_test.sh $(B)/flowc $(B)/flowrun
	tests/hostile_test.sh $(B)/flowc $(B)/flowrun
	tests/container_test.sh $(B)/flowc $(B)/flowrun
	tests/cli_test.sh $(B)/flowc $(B)/flowrun
	/usr/bin/python3 tests/readme_test.py $(B)
	tests/store_test.sh $(B)/tests/test_store $(B)/flowc $(B)/flowrun
	tests/slurm_test.sh $(B)/flowc $(B)/flowrun
	/usr/bin/python3 tests/schema_test.py
	tests/docs.sh $(B)/flowc

# libFuzzer targets, built with clang. `make fuzz` runs each for
# FUZZ_SECONDS, seeded with tests/fuzz/corpus/NAME (and, for the front end
# and the plan reader, the golden cases, the examples and the committed
# plans); new inputs go to a temporary directory, crashes to build/fuzz.
# `make fuzz-merge` runs them the same way, then merges (-merge=1) what
# they found that reaches new code into tests/fuzz/corpus/NAME, to commit
# after a long campaign: `make fuzz-merge FUZZ_SECONDS=3600
# FUZZ_TARGETS=build/fuzz/fuzz_load`.
FUZZ_CC = clang -g -O1 -pthread -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-std=c11 -D_DEFAULT_SOURCE
FUZZ_LEN = 8192
# the runtime's sources each runtime target needs beside RUN_SRCS
build/fuzz/fuzz_plan: tests/fuzz/fuzz_plan.c $(RUN_SRCS)
build/fuzz/fuzz_load: tests/fuzz/fuzz_load.c $(RUN_SRCS) $(addprefix runtime/,limits.c files.c \
	tmpl.c builtins.c store.c store_sqlite.c store_pg.c)
build/fuzz/fuzz_journal: tests/fuzz/fuzz_journal.c $(RUN_SRCS) runtime/journal.c runtime/replay.c
build/fuzz/fuzz_plan build/fuzz/fuzz_load build/fuzz/fuzz_journal:
	@mkdir -p $(@D)
	$(FUZZ_CC) -Iinclude -Icommon -Iruntime -I$(B)/gen $(PKG_CFLAGS) -o $@ $^ $(RUN_LIBS)

build/fuzz/%: tests/fuzz/%.c $(FRONT_SRCS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -Iinclude -Icommon -Icompiler -I$(B)/gen -o $@ $^ $(PKG_LIBS)

.PHONY: fuzz-merge
fuzz-merge: FUZZ_MERGE = 1
fuzz-merge: fuzz

fuzz: $(FUZZ_TARGETS)
	@status=0; for t in $(FUZZ_TARGETS); do \
		name=$${t##*/fuzz_}; corpus=$$(mktemp -d); \
		case $$name in \
		front) seeds="tests/golden/cases specs/examples/lume specs/examples/nested";; \
		plan) seeds=tests/plans;; \
		*) seeds=;; \
		esac; \
		[ -d tests/fuzz/corpus/$$name ] && seeds="$$seeds tests/fuzz/corpus/$$name"; \
		printf '%-10s %-26s ' fuzz "$$name ($(FUZZ_SECONDS) s)"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_LEN) -print_final_stats=1 \
			-artifact_prefix=build/fuzz/ $$corpus $$seeds > build/fuzz/$$name.log 2>&1; \
		rc=$$?; \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' build/fuzz/$$name.log); \
		if [ $$rc -eq 0 ]; then echo "ok    $$runs inputs"; else \
			echo "FAIL  build/fuzz/$$name.log"; grep -E 'ERROR|SUMMARY' build/fuzz/$$name.log; fi; \
		[ -z "$(FUZZ_SUMMARY)" ] || echo "fuzz-$$name $$((rc == 0)) $$((rc != 0)) 0" >> $(FUZZ_SUMMARY); \
		if [ $$rc -eq 0 ] && [ -n "$(FUZZ_MERGE)" ]; then \
			mkdir -p tests/fuzz/corpus/$$name; \
			$$t -merge=1 -max_len=$(FUZZ_LEN) tests/fuzz/corpus/$$name $$corpus \
				2>&1 | grep -E 'ERROR|SUMMARY|MERGE-OUTER: [0-9]+ new files'; \
			rc=$${PIPESTATUS[0]}; \
		fi; \
		rm -rf $$corpus; [ $$rc -eq 0 ] || status=1; \
	done; exit $$status

# demo: check, compile and run the lume example in build/demo, then print
# flow3's answer (true: the text flow2 stored is the text flow1 wrote)
demo: deps
	$(MAKE) all
	$(B)/flowc check --list-params -I specs/examples/lume specs/examples/lume/flow_of_flows.yaml
	$(B)/flowc compile -I specs/examples/lume -o $(B)/lume-plan.json \
		specs/examples/lume/flow_of_flows.yaml
	rm -rf $(B)/demo && mkdir -p $(B)/demo
	cd $(B)/demo && ../flowrun run ../lume-plan.json --run-dir run -p flow1-text1=hey \
		-p flow1-filename=out/flow1_res.txt -p 'flow3-text2=hey you'
	@echo "flow3/check_text_equivalence:"
	@$(B)/flowrun result $(B)/demo/run flow3/check_text_equivalence

# benchmark programs (tests/bench): `make bench` runs them, `make check`
# builds them so that they cannot rot
BENCH_PROGS = $(addprefix $(B)/,yaml_floor spawn_floor dag_floor own_usage store_bench reuse_bench)

bench-build: $(BENCH_PROGS)

$(B)/yaml_floor: tests/bench/yaml_floor.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(PKG_LIBS)

$(B)/spawn_floor $(B)/dag_floor $(B)/own_usage: $(B)/%: tests/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/store_bench: $(B)/tests/runit/store_bench.o $(COMMON_OBJS) $(STORE_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS)

$(B)/reuse_bench: $(B)/tests/runit/reuse_bench.o $(filter-out %/main.o,$(FLOWRUN_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(RUN_LIBS)

$(B)/tests/runit/store_bench.o $(B)/tests/runit/reuse_bench.o: $(B)/tests/runit/%.o: tests/bench/%.c \
		| $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(subst -Icompiler,-Iruntime,$(ALL_CFLAGS)) -c -o $@ $<

bench: all bench-build
	tests/bench/bench.sh $(B)/flowc $(B)/flowrun $(B)/yaml_floor $(B)/spawn_floor $(B)/store_bench \
		$(B)/dag_floor $(B)/own_usage $(B)/reuse_bench

# install: the programs, their manual pages, and bash and zsh completion
install: all
	install -D -m 0755 $(B)/flowc $(DESTDIR)$(PREFIX)/bin/flowc
	install -D -m 0755 $(B)/flowrun $(DESTDIR)$(PREFIX)/bin/flowrun
	install -D -m 0644 docs/man/flowc.1 $(DESTDIR)$(PREFIX)/share/man/man1/flowc.1
	install -D -m 0644 docs/man/flowrun.1 $(DESTDIR)$(PREFIX)/share/man/man1/flowrun.1
	install -D -m 0644 docs/man/flowc-spec.5 $(DESTDIR)$(PREFIX)/share/man/man5/flowc-spec.5
	install -D -m 0644 completion/flowc.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/flowc
	install -D -m 0644 completion/flowrun.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/flowrun
	install -D -m 0644 completion/_flowc $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_flowc
	install -D -m 0644 completion/_flowrun $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_flowrun

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
