# xmpp-gw - plain Makefile, pkg-config for every library.
#
#   make            build build/xmpp-gw
#   make deps       install the Debian packages needed to build and test
#   make check      deps, build, unit tests, end-to-end tests
#   make unit       unit tests only
#   make e2e [T=x]  end-to-end tests (T: run tests/e2e/test_x.py only)
#   make asan       build build-asan/xmpp-gw with ASan and UBSan
#   make unit-asan  the unit tests on that build
#   make lint       structural checks of the tree (tests/lint.py)
#   make guarantees every test the README's Guarantees table names exists
#   make demo       a private Prosody and ngIRCd with the gateway attached, walked through
#   make bench      benchmarks in bench/

PKGS     := libstrophe glib-2.0 gio-2.0 sqlite3 openssl libsoup-3.0 json-c libcurl gmime-3.0
BUILD    ?= build
CC       ?= cc
PYTHON   := /usr/bin/python3
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# The core is in layers, one folder each (README, "How it is built"):
# headers are included by name.
SRC_INC  := -Isrc $(addprefix -I,$(wildcard src/*/))

WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter
ifeq ($(CI),true)
WARN     += -Werror
endif
ifneq ($(WERROR),)
WARN     += -Werror
endif
OPT      ?= -O2 -g
SANFLAGS ?=
CFLAGS   += -std=gnu11 $(OPT) $(WARN) $(SANFLAGS) -D_GNU_SOURCE \
	    -DXMPPGW_VERSION='"$(VERSION)"' $(SRC_INC) -Igateways -I$(BUILD) \
	    $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDFLAGS  += $(SANFLAGS)

CORE_SRC := $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c))
GW_SRC   := $(wildcard gateways/*.c gateways/*/*.c)
GW_HDR   := $(wildcard gateways/*/*.h)
SCHEMA   := $(sort $(wildcard schema/[0-9][0-9][0-9]-*.sql))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o) $(GW_SRC:%.c=$(BUILD)/%.o) $(BUILD)/store_schema.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps check unit unit-asan e2e e2e-asan asan demo bench clean fuzz lint guarantees \
	man install
all: $(BUILD)/xmpp-gw man

# Man pages: xmpp-gw(8) as written, xmpp-gw.ini(5) generated from the
# option tables the binary validates with, so that it cannot drift.
man: $(BUILD)/man/xmpp-gw.8 $(BUILD)/man/xmpp-gw.ini.5

$(BUILD)/man/gen_ini_man: contrib/man/gen_ini_man.c $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libcore.a $(LDLIBS)

$(BUILD)/man/xmpp-gw.ini.5: $(BUILD)/man/gen_ini_man
	$< $(VERSION) > $@.tmp && mv $@.tmp $@

$(BUILD)/man/xmpp-gw.8: contrib/man/xmpp-gw.8 VERSION
	@mkdir -p $(dir $@)
	sed 's/"xmpp\\-gw" "System/"xmpp\\-gw $(VERSION)" "System/' $< > $@

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, both man pages,
# the systemd unit (pointing at the installed binary) and the sample
# configuration, as /etc/xmpp-gw/xmpp-gw.ini only when there is none.
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
BINDIR     := $(PREFIX)/bin
MANDIR     := $(PREFIX)/share/man
UNITDIR    := $(PREFIX)/lib/systemd/system
DOCDIR     := $(PREFIX)/share/doc/xmpp-gw
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/xmpp-gw
	install -m 0755 $(BUILD)/xmpp-gw $(DESTDIR)$(BINDIR)/xmpp-gw
	install -m 0644 $(BUILD)/man/xmpp-gw.8 $(DESTDIR)$(MANDIR)/man8/xmpp-gw.8
	install -m 0644 $(BUILD)/man/xmpp-gw.ini.5 $(DESTDIR)$(MANDIR)/man5/xmpp-gw.ini.5
	sed 's|/usr/local/bin/xmpp-gw|$(BINDIR)/xmpp-gw|g' contrib/xmpp-gw.service \
	  > $(DESTDIR)$(UNITDIR)/xmpp-gw.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/xmpp-gw.service
	install -m 0644 contrib/xmpp-gw.ini $(DESTDIR)$(DOCDIR)/xmpp-gw.ini.example
	test -e $(DESTDIR)$(SYSCONFDIR)/xmpp-gw/xmpp-gw.ini || \
	  install -m 0640 contrib/xmpp-gw.ini $(DESTDIR)$(SYSCONFDIR)/xmpp-gw/xmpp-gw.ini

$(BUILD)/xmpp-gw: $(BUILD)/src/main.o $(BUILD)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libcore.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c $(wildcard src/*.h src/*/*.h) $(wildcard gateways/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# schema/NNN-name.sql -> a C table of migrations, so the binary carries its schema.
$(BUILD)/store_schema.c: $(SCHEMA) Makefile
	@mkdir -p $(BUILD)
	@{ echo '#include "store_schema.h"'; \
	   echo 'const struct store_migration store_migrations[] = {'; \
	   for f in $(SCHEMA); do \
	     n=$$(basename $$f .sql); v=$$(echo $$n | cut -c1-3 | sed 's/^0*//'); \
	     printf '\t{ %s, "%s",\n' "$$v" "$$n"; \
	     sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' -e 's/$$/\\n"/' $$f; \
	     printf '\t},\n'; \
	   done; \
	   echo '};'; \
	   echo 'const int store_migrations_count = sizeof store_migrations / sizeof store_migrations[0];'; \
	 } > $@

$(BUILD)/store_schema.o: $(BUILD)/store_schema.c src/store/store_schema.h
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libcore.a $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; \
	 if [ $$fail -ne 0 ]; then echo "unit tests FAILED"; exit 1; fi

e2e: all $(BUILD)/bench/gen_users
	XMPPGW_BIN=$(abspath $(BUILD)/xmpp-gw) $(PYTHON) -m pytest -q -p no:cacheprovider \
	  $(if $(T),tests/e2e/test_$(T).py,tests/e2e) $(PYTEST_ARGS)

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all

# The unit tests on the sanitizer build: a use after free or a leak in a
# teardown (e.g. freeing a live link) fails them here.
unit-asan:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" unit

e2e-asan: asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" e2e

# lint: include and link cycles, the one caller of backend operations, file
# sizes, the use of gateway.h, what backends include, static buffers; the
# link check reads the objects in $(BUILD). First the checker's own tests.
lint: all
	$(PYTHON) tests/lint_selftest.py
	$(PYTHON) tests/lint.py --build $(BUILD)

deps:
	@sh contrib/deps.sh

# guarantees: the README's table of promises names only tests that exist.
guarantees:
	$(PYTHON) tests/guarantees.py --selftest
	$(PYTHON) tests/guarantees.py README.md

check: deps
	$(MAKE) guarantees
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) e2e

demo: deps all
	$(PYTHON) tests/demo.py --bin $(abspath $(BUILD)/xmpp-gw)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libcore.a $(LDLIBS)

# bench: start-up, then the IRC workloads (bench/irc_bench.py: a shared room
# and one channel per user). IRC_BENCH_ARGS picks the sizes, e.g.
# "--users 100,1000,5000 --session-users 1000,5000 --runs 3"; N above 1,000
# gets one run. bench/irc_bench.py --help lists the rest.
IRC_BENCH_ARGS ?= --users 100,1000 --session-users 1000,5000 --runs 3
# Then SMS (bench/sms_bench.py): webhook->XMPP throughput and latency and
# XMPP->provider, for the kannel and twilio drivers, the store on disk.
# SMS_BENCH_ARGS picks the sizes, e.g. "--texts 50000 --rate 3000" or
# "--tmpdir /tmp,/dev/shm"; bench/sms_bench.py --help lists the rest.
SMS_BENCH_ARGS ?= --texts 20000 --paced-texts 10000 --out-texts 5000 --runs 3
# Then the cost of a link cut (bench/link_cut_bench.py): 10,000 stanzas queued
# (a flood cut mid-way: window and outbox; echoes fired while the link was
# down: outbox), the time from the reconnect until they are flushed.
CUT_BENCH_ARGS ?= --stanzas 10000 --runs 3
bench: deps all $(BUILD)/bench/gen_users
	$(PYTHON) bench/startup.py --bin $(abspath $(BUILD)/xmpp-gw) \
	  --gen $(abspath $(BUILD)/bench/gen_users)
	$(PYTHON) bench/irc_bench.py --bin $(abspath $(BUILD)/xmpp-gw) $(IRC_BENCH_ARGS)
	$(PYTHON) bench/sms_bench.py --bin $(abspath $(BUILD)/xmpp-gw) $(SMS_BENCH_ARGS)
	$(PYTHON) bench/link_cut_bench.py --bin $(abspath $(BUILD)/xmpp-gw) $(CUT_BENCH_ARGS)

# bench-compare: the same IRC workloads against xmpp-gw and Debian's biboumi
# (its per-connection throttle turned off per user, as in the anchor's
# figures), runs interleaved; prints both values and the xmpp-gw/biboumi
# ratio of every figure. Installs biboumi here only (not in deps); fails when
# it cannot.
.PHONY: bench-compare
bench-compare: deps all
	@if ! command -v biboumi >/dev/null 2>&1; then \
	  if apt-cache policy biboumi 2>/dev/null | grep -q 'Candidate: [0-9]'; then \
	    apt-get install -y biboumi || { echo "bench-compare: installing biboumi failed" >&2; exit 1; }; \
	  else \
	    echo "bench-compare: Debian has no biboumi package here; nothing to compare" >&2; exit 1; \
	  fi; \
	fi
	$(PYTHON) bench/irc_bench.py --compare --bin $(abspath $(BUILD)/xmpp-gw) \
	  --biboumi $$(command -v biboumi) $(IRC_BENCH_ARGS)

# libFuzzer targets for the pure modules: make fuzz [FUZZ_SECONDS=60]
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -D_GNU_SOURCE $(SRC_INC) -Igateways \
	$(shell pkg-config --cflags glib-2.0)
fuzz:
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_text.c src/util/text.c -o build-fuzz/fuzz_text \
	  $(shell pkg-config --libs glib-2.0)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_jid.c src/util/jid.c -o build-fuzz/fuzz_jid \
	  $(shell pkg-config --libs glib-2.0)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_irc_line.c gateways/irc/line.c \
	  -o build-fuzz/fuzz_irc_line $(shell pkg-config --libs glib-2.0)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_irc_split.c gateways/irc/split.c \
	  -o build-fuzz/fuzz_irc_split $(shell pkg-config --libs glib-2.0)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_irc_isupport.c gateways/irc/isupport.c \
	  gateways/irc/line.c gateways/irc/text.c -o build-fuzz/fuzz_irc_isupport \
	  $(shell pkg-config --libs glib-2.0)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_sms_e164.c gateways/sms/e164.c gateways/sms/gsm7.c \
	  -o build-fuzz/fuzz_sms_e164 $(shell pkg-config --libs glib-2.0)
	clang $(FUZZ_CFLAGS) $(shell pkg-config --cflags openssl) tests/fuzz/fuzz_sms_text.c \
	  gateways/sms/urlform.c gateways/sms/signature.c gateways/sms/gsm7.c src/util/random.c \
	  -o build-fuzz/fuzz_sms_text $(shell pkg-config --libs glib-2.0 openssl)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_sms_urlform.c gateways/sms/urlform.c \
	  -o build-fuzz/fuzz_sms_urlform $(shell pkg-config --libs glib-2.0)
	clang $(FUZZ_CFLAGS) $(shell pkg-config --cflags json-c) tests/fuzz/fuzz_sms_twilio.c \
	  gateways/sms/twilio_api.c -o build-fuzz/fuzz_sms_twilio \
	  $(shell pkg-config --libs glib-2.0 json-c)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_email_address.c gateways/email/address.c src/util/jid.c \
	  -o build-fuzz/fuzz_email_address $(shell pkg-config --libs glib-2.0)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_email_imap.c gateways/email/imap_parse.c \
	  -o build-fuzz/fuzz_email_imap $(shell pkg-config --libs glib-2.0)
	clang $(FUZZ_CFLAGS) $(shell pkg-config --cflags gmime-3.0) tests/fuzz/fuzz_email_compose.c \
	  gateways/email/compose.c gateways/email/mime.c gateways/email/html.c src/util/random.c \
	  -o build-fuzz/fuzz_email_compose $(shell pkg-config --libs gmime-3.0)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_email_html.c gateways/email/html.c \
	  -o build-fuzz/fuzz_email_html $(shell pkg-config --libs glib-2.0)
	clang $(FUZZ_CFLAGS) $(shell pkg-config --cflags gmime-3.0) tests/fuzz/fuzz_email_dsn.c \
	  gateways/email/dsn.c gateways/email/mime.c gateways/email/html.c \
	  -o build-fuzz/fuzz_email_dsn $(shell pkg-config --libs gmime-3.0)
	build-fuzz/fuzz_text -max_total_time=$(FUZZ_SECONDS) -max_len=4096
	build-fuzz/fuzz_jid -max_total_time=$(FUZZ_SECONDS) -max_len=2200
	build-fuzz/fuzz_irc_line -max_total_time=$(FUZZ_SECONDS) -max_len=20000
	build-fuzz/fuzz_irc_split -max_total_time=$(FUZZ_SECONDS) -max_len=4096
	build-fuzz/fuzz_irc_isupport -max_total_time=$(FUZZ_SECONDS) -max_len=8192
	build-fuzz/fuzz_sms_e164 -max_total_time=$(FUZZ_SECONDS) -max_len=300
	build-fuzz/fuzz_sms_text -max_total_time=$(FUZZ_SECONDS) -max_len=8192
	build-fuzz/fuzz_sms_twilio -max_total_time=$(FUZZ_SECONDS) -max_len=4096
	build-fuzz/fuzz_sms_urlform -max_total_time=$(FUZZ_SECONDS) -max_len=70000
	build-fuzz/fuzz_email_address -max_total_time=$(FUZZ_SECONDS) -max_len=1200
	build-fuzz/fuzz_email_imap -max_total_time=$(FUZZ_SECONDS) -max_len=20000
	build-fuzz/fuzz_email_compose -max_total_time=$(FUZZ_SECONDS) -max_len=8192
	build-fuzz/fuzz_email_html -max_total_time=$(FUZZ_SECONDS) -max_len=8192
	build-fuzz/fuzz_email_dsn -max_total_time=$(FUZZ_SECONDS) -max_len=16384

clean:
	rm -rf build build-asan build-fuzz
