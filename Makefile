# mdesk: a customer-support email desk as a Unix toolkit.
# Hand-written Makefile; see README for the quick start.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DOCDIR   ?= $(PREFIX)/share/doc/mdesk
DESTDIR  ?=

CC       ?= cc
CFLAGS   ?= -O2 -g
WERROR   ?=
MU_CFLAGS  := $(shell mailutils cflags 2>/dev/null)
MU_LIBS    := $(shell mailutils ldflags sieve 2>/dev/null)
MU_MAILER_LIBS = $(shell mailutils ldflags sieve mailer 2>/dev/null) $(TC_LIBS)
# mreply's attachments: their MIME types (libmagic)
MAGIC_LIBS  := -lmagic
JSON_CFLAGS := $(shell pkg-config --cflags jansson 2>/dev/null)
JSON_LIBS   := $(shell pkg-config --libs jansson 2>/dev/null)
GIT_CFLAGS  := $(shell pkg-config --cflags libgit2 2>/dev/null)
GIT_LIBS    := $(shell pkg-config --libs libgit2 2>/dev/null)
CSV_LIBS    := -lcsv
# full-text search (common/search.c): SQLite FTS5
SQLITE_LIBS := $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)
# language detection: libcld2 (C++), through common/lang_cld2.cc
CXX      ?= g++
TC_LIBS     := -lcld2 -lstdc++
# every tool links the language detector through MU_LIBS
MU_LIBS    += $(TC_LIBS)

override CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Wall -Wextra $(WERROR) -Icommon $(MU_CFLAGS) $(JSON_CFLAGS) $(GIT_CFLAGS) \
	-DMDESK_VERSION='"$(VERSION)"'

# Build directory: `make` builds into build/, `make check-asan` into build-asan/.
B ?= build

# The shared core. Each module: common/NAME.c + common/NAME.h + tests/unit/test_NAME.c
CORE     = util mbox msg msgid date thread subject jsonw csvw ticketid conf event agents mime desk index tickets calendar rules lang route filing sla template outmsg outbox conversation compose sync report rephtml opt maildir search automate
CORE_OBJ = $(CORE:%=$(B)/common/%.o) $(B)/common/lang_cld2.o

TOOLS    = mthread mdesk mroute msla mreply mreport
TOOL_BIN = $(TOOLS:%=$(B)/%)

UNITS    = $(CORE:%=$(B)/tests/unit/test_%)

MANS     = $(wildcard man/*.[1-8])
EXAMPLES = $(wildcard examples/*)

all: $(TOOL_BIN)

# V=1 shows the commands
Q = $(if $(V),,@)

$(B)/common/%.o: common/%.c common/*.h
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/common/%.o: common/%.cc
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CXX     $@")
	$(Q)$(CXX) -O2 -g -std=c++11 -Wall -Wextra $(WERROR) $(CXXFLAGS) -c -o $@ $<

$(B)/cmd/%.o: cmd/%.c common/*.h
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libmdesk.a: $(CORE_OBJ)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $(CORE_OBJ)

# mthread needs no desk: no libgit2.
$(B)/mthread: $(B)/cmd/mthread.o $(B)/libmdesk.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(MU_LIBS) $(JSON_LIBS) $(CSV_LIBS)

# The example desk of mdesk init, compiled in.
SKEL = $(shell find common/skel -type f 2>/dev/null)
$(B)/skel.c: common/mkskel.sh $(SKEL)
	@mkdir -p $(@D)
	$(Q)sh common/mkskel.sh common/skel > $@.tmp && mv $@.tmp $@
$(B)/skel.o: $(B)/skel.c common/skel.h
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# Tools that work on a desk link libgit2 (and SQLite: a writer keeps the
# search index current).
$(B)/mdesk: $(B)/cmd/mdesk.o $(B)/skel.o $(B)/libmdesk.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(GIT_LIBS) $(MU_MAILER_LIBS) $(JSON_LIBS) $(CSV_LIBS) $(MAGIC_LIBS) $(SQLITE_LIBS)
$(B)/mroute: $(B)/cmd/mroute.o $(B)/libmdesk.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(GIT_LIBS) $(MU_LIBS) $(JSON_LIBS) $(CSV_LIBS) $(SQLITE_LIBS)
$(B)/msla: $(B)/cmd/msla.o $(B)/libmdesk.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(GIT_LIBS) $(MU_LIBS) $(JSON_LIBS) $(CSV_LIBS) $(SQLITE_LIBS)
$(B)/mreport: $(B)/cmd/mreport.o $(B)/libmdesk.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(GIT_LIBS) $(MU_LIBS) $(JSON_LIBS) $(CSV_LIBS) $(SQLITE_LIBS)

# mreply also sends mail (Mailutils mailers: sendmail://, smtp://).
$(B)/mreply: $(B)/cmd/mreply.o $(B)/libmdesk.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(GIT_LIBS) $(MU_MAILER_LIBS) $(JSON_LIBS) $(CSV_LIBS) $(MAGIC_LIBS) $(SQLITE_LIBS)

$(B)/tests/unit/test_%: tests/unit/test_%.c tests/unit/tap.h tests/unit/scratch.h $(B)/libmdesk.a
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(B)/libmdesk.a \
		$(GIT_LIBS) $(MU_MAILER_LIBS) $(JSON_LIBS) $(CSV_LIBS) $(MAGIC_LIBS) $(SQLITE_LIBS)

units: $(UNITS)

# --- fuzzing -------------------------------------------------------------
# libFuzzer targets (tests/fuzz/fuzz_NAME.c).  `make check` builds each with
# a plain main (replay_NAME) that replays the seeds and the regression
# inputs; `make fuzz` builds them with clang -fsanitize=fuzzer into
# build-fuzz/ and runs each for FUZZ_TIME seconds.
FUZZ_TARGETS = mbox msg msgid date thread subject calendar conf csv event mime
FUZZ_TIME   ?= 60
FUZZ_CC     ?= clang
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  = -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_REPLAY  = $(FUZZ_TARGETS:%=$(B)/tests/fuzz/replay_%)

$(B)/tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(B)/libmdesk.a
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -Itests/fuzz $(LDFLAGS) -o $@ $< tests/fuzz/replay.c \
		$(B)/libmdesk.a $(MU_LIBS) $(JSON_LIBS) $(CSV_LIBS)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/libmdesk.a
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer -Itests/fuzz $(LDFLAGS) -o $@ $< \
		$(B)/libmdesk.a $(MU_LIBS) $(JSON_LIBS) $(CSV_LIBS)

units: $(FUZZ_REPLAY)

fuzz-bins: $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)

fuzz-build:
	@sh tests/deps.sh fuzz
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: $(FUZZ_CC) not found" >&2; exit 1; }
	$(MAKE) B=build-fuzz CC=$(FUZZ_CC) CFLAGS="$(FUZZ_CFLAGS)" LDFLAGS="$(FUZZ_SAN)" fuzz-bins

fuzz: fuzz-build
	sh tests/fuzz/run build-fuzz $(FUZZ_TIME) $(FUZZ_TARGETS)

# --- dependencies ---------------------------------------------------------
deps:
	@sh tests/deps.sh

# --- tests -------------------------------------------------------------
check: deps
	$(MAKE) all units
	sh tests/run $(B)

ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
check-asan: deps
	$(MAKE) B=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" all units
	MDESK_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		sh tests/run build-asan

check-valgrind: deps
	$(MAKE) all units
	MDESK_VALGRIND=1 sh tests/run $(B)

# the soak test for longer, with a new seed each run (MDESK_SOAK_SEED,
# MDESK_SOAK_SECONDS to choose): every writer against every other
SOAK_SECONDS ?= 600
soak: all
	MDESK_SOAK_SECONDS=$(SOAK_SECONDS) MDESK_SOAK_SEED=$${MDESK_SOAK_SEED:-$$(date +%s)} \
		sh tests/run $(B) tests/t/soak.t

# every page clean under mandoc and under groff as Debian's man runs it
lint-man:
	mandoc -T lint -W warning $(MANS)
	@fail=; for m in $(MANS); do \
		w=$$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l $$m 2>&1 >/dev/null); \
		[ -z "$$w" ] || { echo "$$m: man --warnings:"; echo "$$w"; fail=1; } >&2; \
	done; [ -z "$$fail" ] && echo "lint-man: $(words $(MANS)) pages clean under mandoc and groff"

# --- demo --------------------------------------------------------------
demo: deps
	$(MAKE) all
	@echo '== mthread: the bundled support mailbox, threaded =='
	$(B)/mthread --format tree tests/data/support.mbox | head -40
	@echo '...'
	@rm -rf $(B)/demo-desk
	@echo '== mdesk init: a new desk with the example files =='
	MDESK_NOW=2026-11-02T00:00:00Z $(B)/mdesk init $(B)/demo-desk
	$(B)/mdesk --desk $(B)/demo-desk check
	@echo '== 2-20 November: the mail filed half a day at a time (mroute), the team at work =='
	@echo '   (answer with mreply, assign, claim, note, solve, reopen; msla --notify escalates): tests/demo-desk.sh'
	sh tests/demo-desk.sh $(B) $(B)/demo-desk tests/data/support.mbox
	@echo "$$(git -C $(B)/demo-desk rev-list --count HEAD) commits"
	$(B)/mdesk --desk $(B)/demo-desk log | sed -n '1,12p'
	@echo '== who has what: every ticket by assignee and status =='
	$(B)/mdesk --desk $(B)/demo-desk ls --all --format json | jq -r '"\(.assignee // "unassigned") \(.status)"' | sort | uniq -c
	@echo '== mroute --dry-run: the decisions for one more message, and why =='
	MDESK_NOW=2026-11-21T00:05:00Z $(B)/mroute --dry-run --desk $(B)/demo-desk < tests/data/mail/single.eml | jq .
	@echo '== mdesk ls: the open tickets =='
	$(B)/mdesk --desk $(B)/demo-desk ls --format table
	@echo '== msla: the deadlines of the open tickets, most urgent first =='
	MDESK_NOW=2026-11-21T00:05:00Z $(B)/msla --desk $(B)/demo-desk --all --format table | head -20
	@echo '== mdesk snooze: a ticket out of the queue until Monday 09:00 (ls --snoozed); then back, open, its agent told (mdesk notify, here --dry-run) =='
	MDESK_NOW=2026-11-21T00:05:00Z $(B)/mdesk --desk $(B)/demo-desk ls --snoozed --format table
	MDESK_NOW=2026-11-23T13:05:00Z $(B)/mdesk --desk $(B)/demo-desk notify --dry-run
	@echo '== mdesk automate: the rules of automations.conf, from cron; one rule run: the tickets solved 4 days ago closed, with a note; a second run does nothing =='
	MDESK_NOW=2026-11-21T00:05:00Z $(B)/mdesk --desk $(B)/demo-desk automate --rule close-solved | tail -3
	MDESK_NOW=2026-11-21T00:10:00Z $(B)/mdesk --desk $(B)/demo-desk automate --rule close-solved | wc -l
	MDESK_NOW=2026-11-23T13:05:00Z $(B)/mdesk --desk $(B)/demo-desk automate --dry-run --explain | grep -v 'status is' | head -4
	@echo '== mdesk maildir: the views as maildirs, for mutt, notmuch or an IMAP server; a second run changes nothing =='
	@rm -rf $(B)/demo-maildir
	MDESK_NOW=2026-11-21T00:05:00Z $(B)/mdesk --desk $(B)/demo-desk maildir $(B)/demo-maildir --as ana
	MDESK_NOW=2026-11-21T00:05:00Z $(B)/mdesk --desk $(B)/demo-desk maildir $(B)/demo-maildir --as ana
	ls $(B)/demo-maildir $(B)/demo-maildir/mine/cur | head -12
	@echo '== mentions: the notes that named @bob, unread until bob acts on the ticket (mdesk seen) =='
	$(B)/mdesk --desk $(B)/demo-desk --as bob ls --mentions --format table | head -6
	@echo '== mdesk search: words in any ticket, open or archived, best first (the index is built by the first search) =='
	$(B)/mdesk --desk $(B)/demo-desk search --all --format table damaged book
	@echo '== mdesk show: the first open ticket =='
	$(B)/mdesk --desk $(B)/demo-desk show $$($(B)/mdesk --desk $(B)/demo-desk ls --format json | head -1 | jq -r .id) | head -40
	@echo '== mreply: the answer to that ticket, a preview (--send or --record would record it) =='
	MDESK_NOW=2026-11-21T00:05:00Z $(B)/mreply --desk $(B)/demo-desk --as ana --force \
		--ticket $$($(B)/mdesk --desk $(B)/demo-desk ls --format json | head -1 | jq -r .id) -t need-more-info | \
		sed -n '/^From:/,/^$$/p'
	@echo '== mreply --edit: that ticket answered in an editor (a script: tests/demo-editor.sh), recorded =='
	MDESK_NOW=2026-11-21T00:06:00Z EDITOR='sh tests/demo-editor.sh' $(B)/mreply --desk $(B)/demo-desk \
		--as ana --force --edit --record \
		--ticket $$($(B)/mdesk --desk $(B)/demo-desk ls --format json | head -1 | jq -r .id) > $(B)/demo-edited.eml
	sed -n '/^To:/,/^Subject:/p' $(B)/demo-edited.eml
	$(B)/mdesk --desk $(B)/demo-desk log | sed -n '1p'
	@echo '== mreport: the last seven days per agent, and the report as a page =='
	MDESK_NOW=2026-11-21T03:00:00Z $(B)/mreport --desk $(B)/demo-desk --since 2026-11-14 --by agent --format table
	MDESK_NOW=2026-11-21T03:00:00Z $(B)/mreport --desk $(B)/demo-desk --since 2026-11-14 --by day --format html > $(B)/demo-report.html
	@echo "the HTML report (charts, open it in a browser): $(CURDIR)/$(B)/demo-report.html"

# --- benchmarks (not tests) ---------------------------------------------
bench: all
	sh tests/bench/mthread
	python3 tests/bench/threads-compare
	sh tests/bench/desk
	sh tests/bench/mroute
	sh tests/bench/msla
	sh tests/bench/mreply
	sh tests/bench/mreport

# --- install -----------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(DOCDIR)/examples
	install -m 755 $(TOOL_BIN) $(DESTDIR)$(BINDIR)/
	install -m 644 README LICENSE $(DESTDIR)$(DOCDIR)/
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	for m in $(MANS); do \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	for t in $(TOOLS); do \
		install -m 644 completions/$$t.bash $(DESTDIR)$(BASHCOMPDIR)/$$t; \
		install -m 644 completions/_$$t $(DESTDIR)$(ZSHCOMPDIR)/_$$t; \
		install -m 644 completions/$$t.fish $(DESTDIR)$(FISHCOMPDIR)/$$t.fish; done

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$$t \
		$(DESTDIR)$(BASHCOMPDIR)/$$t $(DESTDIR)$(ZSHCOMPDIR)/_$$t \
		$(DESTDIR)$(FISHCOMPDIR)/$$t.fish; done
	for m in $(MANS); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -f $(DESTDIR)$(DOCDIR)/README $(DESTDIR)$(DOCDIR)/LICENSE
	for e in $(EXAMPLES); do rm -f $(DESTDIR)$(DOCDIR)/examples/$${e##*/}; done
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build build-asan build-fuzz

PHONY_FUZZ = fuzz fuzz-build fuzz-bins
.PHONY: $(PHONY_FUZZ) all units deps check check-asan check-valgrind soak lint-man demo bench install uninstall clean
