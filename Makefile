# dutyd — the two commands a new machine needs are `make demo` and `make test`.
# Each installs the Debian packages it needs (as root, or through sudo) before building.

SWIFT ?= swift
# Release builds link Swift's runtime and Foundation into the binaries: a dutyctl that starts in
# about 10 ms instead of 18 (no 27 shared libraries to find and bind at every command).
RELEASE = -c release --static-swift-stdlib
CONFIG ?= config/dutyd.toml
# What building and testing need beyond the Swift toolchain: the zone database, SQLite for the state
# store (GRDB), libsystemd for the journal and sd_notify; the tests (and the demo) also run a real
# systemd-journald (package systemd) and a real SMTP server (python3-aiosmtpd, with a certificate
# made by openssl; msmtp stands in for sendmail; python3-icalendar reads the calendar export;
# python3-jsonschema and python3-yaml check the API's answers against its OpenAPI file; useradd
# (passwd) and setpriv (util-linux) make the users the API's authorization is tested with; faketime
# sets the wall clock the clock-jump tests run dutyd at; strace counts the syncs of a change; chromium,
# chromium-driver and python3-selenium are the real browser the web pages are tested in, with a Chinese
# font (fonts-wqy-microhei) for its screenshots; wrk loads them in `make bench`). The package and its
# proof: debhelper, dpkg-dev and lintian build and check the .deb (`make deb`), mmdebstrap makes the
# Debian 12 tree that systemd-nspawn (systemd-container) boots to install it in; promtool (prometheus)
# checks the metrics and the alerting rules; groff and man-db render the manual pages.
APT_PACKAGES := tzdata postgresql libsqlite3-dev libsystemd-dev pkg-config systemd python3-aiosmtpd openssl msmtp python3-icalendar \
	python3-jsonschema python3-yaml passwd util-linux curl faketime strace chromium chromium-driver python3-selenium \
	fonts-wqy-microhei wrk debhelper dpkg-dev lintian mmdebstrap systemd-container prometheus groff man-db
DUTYCTL = .build/debug/dutyctl
DUTYD = .build/debug/dutyd
# The demo daemon's API socket (its settings put it beside them).
DEMO_SOCKET = .build-demo/api.sock
# The demo's local SMTP server, which keeps the mail dutyd sends for you to read.
DEMO_SMTP_PORT ?= 2525
DEMO_WEB_PORT ?= 8080
DEMO_MAIL_CONFIG = .build-demo/dutyd-mail.toml

# Where `make install` puts things (DESTDIR is prepended to every path).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
# dutyd is a daemon for the administrator: sbin, as Debian policy puts daemons; dutyctl is in bin.
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DATADIR ?= $(PREFIX)/share/dutyd
DOCDIR ?= $(PREFIX)/share/doc/dutyd
SYSTEMDDIR ?= $(PREFIX)/lib/systemd
UNITDIR ?= $(SYSTEMDDIR)/system
CATALOGDIR ?= $(SYSTEMDDIR)/catalog
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSCONFDIR ?= /etc

.PHONY: all deps build demo test journald lint format bench bench-metrics install install-files manuals deb oracles clean fuzz fuzz-build fuzz-short asan

all: build

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "make: the Swift toolchain (6.x) is not on PATH; install it from swift.org, then run make again" >&2; exit 1; }

build: deps
	$(SWIFT) build --product dutyctl
	$(SWIFT) build --product dutyd

# Runs the product on the example in config/: imports the example organisation into a fresh state
# store (.build-demo/state/dutyd.sqlite, as config/dutyd.toml says) and shows what is due.
demo: build
	@rm -rf .build-demo/state
	@echo "== Check the configuration, like nginx -t"
	$(DUTYCTL) policy check --config $(CONFIG)
	@echo
	@echo "== Import the example organisation (a province, two cities, four counties)"
	$(DUTYCTL) unit import config/organisation/units.csv --config $(CONFIG)
	$(DUTYCTL) official import config/organisation/officials.csv --config $(CONFIG)
	$(DUTYCTL) config check --config $(CONFIG)
	@echo
	@echo "== Everything due in the next 90 days"
	$(DUTYCTL) upcoming --within 90d --config $(CONFIG)
	@echo
	@echo "== One county, a year ahead"
	$(DUTYCTL) upcoming --unit gd.gz.panyu --subtree --within 365d --config $(CONFIG)
	@echo
	@echo "== How one deadline and its reminders were worked out"
	$(DUTYCTL) explain unit-situation-report/gd.gz.panyu.school1/2026-H2 --config $(CONFIG)
	@echo
	@echo "== Hard days: Spring Festival 2025, a make-up Saturday in 2026, and 2027 (not yet published)"
	$(DUTYCTL) calendar shift 2025-01-31 --rule previous-workday --config $(CONFIG)
	$(DUTYCTL) calendar day 2026-02-28 --config $(CONFIG)
	$(DUTYCTL) calendar day 2027-02-11 --config $(CONFIG)
	@echo
	@echo "== A mistake is shown where it is"
	@$(DUTYCTL) calendar next '*-13-01' --config $(CONFIG) || echo "(exit status $$?: bad input data)"
	@echo
	@echo "== dutyd sends mail: a local SMTP server on port $(DEMO_SMTP_PORT) keeps it (Tests/tools/smtp-server.py);"
	@echo "   $(DEMO_MAIL_CONFIG) is config/dutyd.toml plus an [email] table that points at it"
	@rm -rf .build-demo/mail
	@printf '%s\n' 'timezone = "Asia/Shanghai"' 'state = "state/dutyd.sqlite"' \
	  'policy = ["$(CURDIR)/config/policy"]' 'holidays = ["$(CURDIR)/config/holidays/cn"]' \
	  '# The demo runs dutyd at fixed moments of December 2026: track the organisation from the start' \
	  '# of that year, whatever day it was imported, so the story is the same on any day.' \
	  'track_from = "2026-01-01"' '' \
	  '[email]' 'transport = "smtp"' 'from = "督办提醒 <dutyd@example.org>"' 'smtp_host = "localhost"' \
	  'smtp_port = $(DEMO_SMTP_PORT)' 'tls = "none"  # a server on this machine; use starttls or implicit for a real one' \
	  '' '[api]' 'socket = "api.sock"  # beside this file; the installed default is /run/dutyd/api.sock' \
	  '' '[web]' 'listen = "127.0.0.1:$(DEMO_WEB_PORT)"' 'base_url = "http://127.0.0.1:$(DEMO_WEB_PORT)"' \
	  'secret_file = "web.key"  # head -c 32 /dev/urandom > web.key; chmod 600 web.key' \
	  > $(DEMO_MAIL_CONFIG)
	@head -c 32 /dev/urandom > .build-demo/web.key; chmod 600 .build-demo/web.key
	@/usr/bin/python3 Tests/tools/smtp-server.py .build-demo/mail --port $(DEMO_SMTP_PORT) > .build-demo/smtp.log 2>&1 & \
	  echo $$! > .build-demo/smtp.pid; \
	  for i in 1 2 3 4 5 6 7 8 9 10; do grep -q READY .build-demo/smtp.log 2>/dev/null && break; sleep 0.5; done; \
	  grep -q READY .build-demo/smtp.log || { cat .build-demo/smtp.log; echo "make: the demo SMTP server did not start (port $(DEMO_SMTP_PORT) taken? make demo DEMO_SMTP_PORT=2526)"; exit 1; }
	$(DUTYCTL) notify test --to wang.jianguo@example.org --config $(DEMO_MAIL_CONFIG)
	@echo
	@echo "== dutyd: what it does at 09:00 on 18 December 2026 (everything due since the import, collapsed per duty,"
	@echo "   one digest per official)"
	$(DUTYD) --once --now 2026-12-18T09:00:00+08:00 --config $(DEMO_MAIL_CONFIG) --log stderr 2>&1 | tail -n 4
	@echo
	@echo "== dutyd at 09:00 on 21 December: the deadline-day notices"
	$(DUTYD) --once --now 2026-12-21T09:00:00+08:00 --config $(DEMO_MAIL_CONFIG) --log stderr 2>&1 | tail -n 4
	@echo
	@echo "== The same moment again: the ledger has every step, nothing is sent twice"
	$(DUTYD) --once --now 2026-12-21T09:00:30+08:00 --config $(DEMO_MAIL_CONFIG) --log stderr
	@echo
	@echo "== The newest mail to 杨帆 (广州市委宣传部), as a mail client shows it"
	@/usr/bin/python3 Tests/tools/show-mail.py .build-demo/mail --to yang.fan@example.org --last
	@echo
	@echo "== What the ledger says was sent to her, and what failed"
	$(DUTYCTL) ledger --recipient yang.fan --channel email --limit 5 --config $(DEMO_MAIL_CONFIG)
	$(DUTYCTL) ledger --state failed,retry --limit 5 --config $(DEMO_MAIL_CONFIG)
	@echo
	@echo "== dutyd as a service, its clock set to 08:59:55 on 24 December: it starts, sleeps until 09:00,"
	@echo "   sends that morning's reminders (mail and journal), and answers dutyctl on its API socket"
	@echo "   ($(DEMO_SOCKET); dutyctl without --config talks to the daemon, --socket says where)"
	@rm -f .build-demo/dutyd.log; $(DUTYD) --start-at 2026-12-24T08:59:55+08:00 --config $(DEMO_MAIL_CONFIG) --log stderr \
	  > .build-demo/dutyd.log 2>&1 & echo $$! > .build-demo/dutyd.pid; \
	  for i in $$(seq 1 40); do [ -S $(DEMO_SOCKET) ] && break; sleep 0.25; done
	$(DUTYCTL) status --socket $(DEMO_SOCKET)
	@sleep 7; echo; grep -v '^notice: 【\|^warning: 【' .build-demo/dutyd.log
	@echo
	@echo "== Asking the running daemon, and recording what was done through it (as root: admin_groups may too)"
	$(DUTYCTL) upcoming --unit gd.gz.panyu --subtree --within 10d --socket $(DEMO_SOCKET)
	$(DUTYCTL) done annual-assessment/gd.gz.panyu.xcb/2026 --ref 番宣〔2026〕30号 --socket $(DEMO_SOCKET)
	@echo "== The files are the daemon's while it runs: direct mode may read, not write"
	-$(DUTYCTL) done annual-assessment/gd.gz.xcb/2026 --config $(DEMO_MAIL_CONFIG)
	@echo
	@echo "== The officials' pages (http://127.0.0.1:$(DEMO_WEB_PORT)): 罗婷 (广州市委) opens the personal link"
	@echo "   from her mail, which becomes a session cookie; her page lists her duties with 签收, 办结 and 申请延期"
	@L=$$(/usr/bin/python3 Tests/tools/show-mail.py .build-demo/mail --to luo.ting@example.org --last | grep -o 'http://127.0.0.1:$(DEMO_WEB_PORT)/l/[^ ]*' | tail -n 1); \
	  echo "$$L"; rm -f .build-demo/cookies; curl -s -c .build-demo/cookies -o /dev/null -w '%{http_code} → %{redirect_url}\n' "$$L"; \
	  curl -s -b .build-demo/cookies http://127.0.0.1:$(DEMO_WEB_PORT)/me | sed -n 's/.*<h2><a[^>]*>\(.*\)<\/a>\(.*\)<\/h2>/  \1\2/p' | head -n 6
	@kill -TERM $$(cat .build-demo/dutyd.pid); while kill -0 $$(cat .build-demo/dutyd.pid) 2>/dev/null; do sleep 0.2; done
	@grep 'dutyd stopped' .build-demo/dutyd.log
	@/usr/bin/python3 Tests/tools/show-mail.py .build-demo/mail --count 0 | head -n 1
	@kill $$(cat .build-demo/smtp.pid) 2>/dev/null || true

# The container test installs the .deb of `make deb` (a release build) under a real systemd; the
# install test renders the manual pages with generate-manual, built here so no test builds. The tests
# run that release build's dutyd and dutyctl (DUTYD_TEST_PRODUCTS), the programs that ship: the
# debug-built ones took a third of the suite's processor time and hid races the fast ones show.
# SwiftPM evaluates Package.swift again whenever its environment differs from the last call's (8 s on
# 2 cores): the debug build and `swift test` run one after the other with the same environment, so the
# tests start at once.
# The Swift driver leaves a TemporaryDirectory.* folder holding only a `.keep-directory` in TMPDIR at
# every call (swift-driver issues 1720 and 2049; six a `swift build`): those made while `make test`
# ran are removed.
test: export DUTYD_TEST_PRODUCTS = $(CURDIR)/.build/release
test: deps lint journald
	@mkdir -p .build && touch .build/test-started
	$(MAKE) --no-print-directory deb DEB_COMPRESS="gzip -z1"
	$(SWIFT) build --build-tests
	$(SWIFT) build --product generate-manual
	$(SWIFT) test --disable-xctest
	$(MAKE) fuzz-short
	@for d in "$${TMPDIR:-/tmp}"/TemporaryDirectory.*; do \
	  if [ "$$d" -nt .build/test-started ] && [ "$$(ls -A "$$d")" = .keep-directory ]; then \
	    rm -f "$$d/.keep-directory" && rmdir "$$d"; fi; \
	done

# Fuzzing: every parser under libFuzzer with AddressSanitizer (README, Fuzzing). The fuzzer is its own
# build in .build-fuzz (coverage-instrumented, so the first build takes minutes); the corpora grow in
# .build-fuzz/corpus and crashes land in .build-fuzz/crashes. `make fuzz FUZZ_SECONDS=3600` for an
# hour per target; `make test` runs each for FUZZ_SHORT_SECONDS.
FUZZ_SECONDS ?= 300
# Kills of dutyd in the middle of a mail batch for `delivery.kill9.duplicates_max`.
BENCH_KILLS ?= 20
FUZZ_SHORT_SECONDS ?= 10
FUZZ_TARGETS ?= toml settings policy csv holiday-json holiday-ics oncalendar rrule duration instant requests
FUZZ_BUILD = .build-fuzz
# libFuzzer without its main (dutyd-fuzz has its own), from the toolchain's clang runtime.
FUZZ_LIBRARY = $(firstword $(wildcard $(dir $(realpath $(shell command -v swiftc)))../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a))

fuzz-build:
	@test -n "$(FUZZ_LIBRARY)" || { echo "make: libclang_rt.fuzzer_no_main is not in this Swift toolchain; fuzzing needs the swift.org Linux toolchain" >&2; exit 1; }
	@mkdir -p $(FUZZ_BUILD)
	@echo "make: building the fuzzer in $(FUZZ_BUILD) (the first time takes minutes; log: $(FUZZ_BUILD)/build.log)"
	@DUTYD_FUZZ=1 $(SWIFT) build --build-path $(FUZZ_BUILD) --product dutyd-fuzz \
	  -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
	  -Xlinker $(FUZZ_LIBRARY) -Xlinker -lstdc++ > $(FUZZ_BUILD)/build.log 2>&1 \
	  || { grep -v "Cannot export local symbol" $(FUZZ_BUILD)/build.log | tail -40; exit 1; }

fuzz: deps fuzz-build
	python3 Tests/tools/fuzz.py $(FUZZ_BUILD)/debug/dutyd-fuzz $(FUZZ_SECONDS) $(FUZZ_BUILD) $(FUZZ_TARGETS)

fuzz-short: fuzz-build
	python3 Tests/tools/fuzz.py $(FUZZ_BUILD)/debug/dutyd-fuzz $(FUZZ_SHORT_SECONDS) $(FUZZ_BUILD) $(FUZZ_TARGETS)

# The C shim (CProcess: posix_spawn, pidfds) and the runner, hook and sendmail code around it, with
# AddressSanitizer in C and Swift, and dutyd --once running hooks built the same way. Its own build
# folder; the first build takes many minutes. Leak detection is off: what LeakSanitizer reports at
# exit is NIO's perpetual thread pool and Foundation's process bookkeeping, none of it ours.
ASAN_BUILD ?= .build-asan
asan: deps
	$(SWIFT) build --build-tests --sanitize=address --build-path $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 $(SWIFT) test --skip-build --disable-xctest --sanitize=address \
	  --build-path $(ASAN_BUILD) --filter "CommandRunner|Hook|Sendmail|DeliveryEndToEnd"

# The tests read dutyd's entries back from a real systemd-journald. Without systemd as PID 1 (a
# container, CI) it runs standalone; on a machine where journald already runs this does nothing.
journald:
	@if [ -S /run/systemd/journal/socket ] && journalctl -n 0 >/dev/null 2>&1 && pgrep -x systemd-journal >/dev/null; then :; else \
	  echo "make: starting systemd-journald for the tests"; \
	  mkdir -p /run/systemd/journal; \
	  (/lib/systemd/systemd-journald >/dev/null 2>&1 &); \
	  for i in 1 2 3 4 5 6 7 8 9 10; do [ -S /run/systemd/journal/socket ] && break; sleep 0.5; done; \
	fi

# Installs the release binaries, the systemd units, the message catalog, the settings (never over an
# existing file), the regulation's policy and China's holidays. Then, as root on the machine:
#   systemd-sysusers; systemd-tmpfiles --create; journalctl --update-catalog
#   systemctl daemon-reload; systemctl enable --now dutyd
install: deps
	$(SWIFT) build $(RELEASE) --product dutyd
	$(SWIFT) build $(RELEASE) --product dutyctl
	$(MAKE) --no-print-directory install-files

# The copying part of install, from BUILDDIR (the tests install debug binaries into a temporary prefix
# and check the units with systemd-analyze).
BUILDDIR ?= .build/release
install-files: manuals
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(CATALOGDIR) $(DESTDIR)$(SYSUSERSDIR) \
	  $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(DATADIR)/holidays/cn $(DESTDIR)$(DATADIR)/examples $(DESTDIR)$(DATADIR)/prometheus \
	  $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/dutyd/policy.d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 $(BUILDDIR)/dutyd $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(BUILDDIR)/dutyctl $(DESTDIR)$(BINDIR)/
	install -m 0644 $(BUILDDIR)/manuals/dutyctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 docs/man/dutyd.toml.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(BUILDDIR)/manuals/dutyd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(BUILDDIR)/manuals/dutyctl.bash $(DESTDIR)$(BASHCOMPDIR)/dutyctl
	install -m 0644 $(BUILDDIR)/manuals/dutyd.bash $(DESTDIR)$(BASHCOMPDIR)/dutyd
	install -m 0644 $(BUILDDIR)/manuals/_dutyctl $(BUILDDIR)/manuals/_dutyd $(DESTDIR)$(ZSHCOMPDIR)/
	install -m 0644 $(BUILDDIR)/manuals/dutyctl.fish $(BUILDDIR)/manuals/dutyd.fish $(DESTDIR)$(FISHCOMPDIR)/
	install -m 0644 config/prometheus/dutyd-alerts.yml $(DESTDIR)$(DATADIR)/prometheus/
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@UNITDIR@|$(UNITDIR)|g' \
	  -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/dutyd.service.in > $(DESTDIR)$(UNITDIR)/dutyd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/dutyd.service
	install -m 0644 systemd/dutyd.catalog systemd/dutyd.zh_CN.catalog $(DESTDIR)$(CATALOGDIR)/
	install -m 0644 systemd/dutyd.sysusers $(DESTDIR)$(SYSUSERSDIR)/dutyd.conf
	install -m 0644 systemd/dutyd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/dutyd.conf
	install -m 0644 config/holidays/cn/* $(DESTDIR)$(DATADIR)/holidays/cn/
	install -m 0644 config/organisation/*.csv $(DESTDIR)$(DATADIR)/examples/
	@# Pristine copies of what /etc/dutyd starts with, to compare an edited one against.
	install -d $(DESTDIR)$(DATADIR)/examples/policy.d
	install -m 0644 config/policy/*.toml $(DESTDIR)$(DATADIR)/examples/policy.d/
	sed -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/dutyd.toml.in \
	  > $(DESTDIR)$(DATADIR)/examples/dutyd.toml
	chmod 0644 $(DESTDIR)$(DATADIR)/examples/dutyd.toml
	install -m 0644 README.md CHANGELOG.md $(DESTDIR)$(DOCDIR)/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/dutyd/dutyd.toml ]; then echo "make: keeping $(DESTDIR)$(SYSCONFDIR)/dutyd/dutyd.toml"; else \
	  sed -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/dutyd.toml.in > $(DESTDIR)$(SYSCONFDIR)/dutyd/dutyd.toml; fi
	@for f in config/policy/*.toml; do t=$(DESTDIR)$(SYSCONFDIR)/dutyd/policy.d/$$(basename $$f); \
	  if [ -e $$t ]; then echo "make: keeping $$t"; else install -m 0644 $$f $$t; fi; done
	@echo "make: installed under $(DESTDIR)$(PREFIX) and $(DESTDIR)$(SYSCONFDIR)/dutyd. Next, as root:"
	@echo "  systemd-sysusers && systemd-tmpfiles --create && journalctl --update-catalog"
	@echo "  dutyctl config check && systemctl daemon-reload && systemctl enable --now dutyd"

# The manual pages and shell completions of the binaries in BUILDDIR, into BUILDDIR/manuals: dutyd(8)
# and dutyctl(1) from their argument parsers (swift-argument-parser's generate-manual, built once;
# its blank lines become paragraph marks, which groff -ww asks for), the completions from
# --generate-completion-script. dutyd.toml(5) is written by hand: docs/man/dutyd.toml.5.
GENERATE_MANUAL = .build/debug/generate-manual
MANUAL_DATE ?= $(shell date -u -d "$$(sed -n 's/^ -- .*>  //p' debian/changelog | head -n 1)" +%Y-%m-%d)
manuals:
	@test -x $(GENERATE_MANUAL) || $(SWIFT) build --product generate-manual
	@mkdir -p $(BUILDDIR)/manuals
	@$(GENERATE_MANUAL) $(BUILDDIR)/dutyctl --section 1 --date $(MANUAL_DATE) -o $(BUILDDIR)/manuals
	@$(GENERATE_MANUAL) $(BUILDDIR)/dutyd --section 8 --date $(MANUAL_DATE) -o $(BUILDDIR)/manuals
	@sed -i 's/^$$/.Pp/' $(BUILDDIR)/manuals/dutyctl.1 $(BUILDDIR)/manuals/dutyd.8
	@for t in dutyctl dutyd; do \
	  $(BUILDDIR)/$$t --generate-completion-script bash | sed '1{/^#!/d}' > $(BUILDDIR)/manuals/$$t.bash; \
	  $(BUILDDIR)/$$t --generate-completion-script zsh > $(BUILDDIR)/manuals/_$$t; \
	  $(BUILDDIR)/$$t --generate-completion-script fish > $(BUILDDIR)/manuals/$$t.fish; done

# The Debian package, .build-deb/dutyd_VERSION_amd64.deb: the release binaries (Swift's runtime linked
# in, so it needs only Debian 12's libraries, which dpkg-shlibdeps finds), installed by install-files
# under /usr, then debhelper's sequence (debian/rules), then lintian. The version is dutyd's own
# (Sources/DutyCore/Version.swift); debian/changelog must name it.
DEB_DIR = .build-deb
VERSION = $(shell sed -n 's/.*dutydVersion = "\(.*\)"/\1/p' Sources/DutyCore/Version.swift)
deb: deps
	@command -v dh >/dev/null && command -v lintian >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y -qq debhelper lintian dpkg-dev >/dev/null; }
	@head -n 1 debian/changelog | grep -q "($(VERSION)" || { echo "make: debian/changelog does not name version $(VERSION) (Sources/DutyCore/Version.swift); add an entry for it (dch -v $(VERSION))" >&2; exit 1; }
	$(SWIFT) build $(RELEASE) --product dutyd
	$(SWIFT) build $(RELEASE) --product dutyctl
	@mkdir -p $(DEB_DIR)
	DEB_DIR=$(DEB_DIR) debian/rules binary
	@echo "make: built $(DEB_DIR)/dutyd_$(VERSION)_amd64.deb ($$(du -h $(DEB_DIR)/dutyd_$(VERSION)_amd64.deb | cut -f1)); lintian says:"
	@# lintian leaves an mldbm-elf-* file in TMPDIR at every run: its own folder, emptied after.
	@rm -rf $(DEB_DIR)/lintian-tmp && mkdir -p $(DEB_DIR)/lintian-tmp
	TMPDIR=$(CURDIR)/$(DEB_DIR)/lintian-tmp lintian --fail-on error --suppress-tags-from-file debian/lintian-accepted $(DEB_DIR)/dutyd_$(VERSION)_amd64.deb
	@rm -rf $(DEB_DIR)/lintian-tmp

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Benchmarks Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Benchmarks Package.swift

# Release build; prints `bench NAME VALUE UNIT` lines. BENCH_UNITS sets the size of the generated
# organisation (default 1,000,000 units); it and its state store are kept in .build-bench/.
# BENCH_IDLE_SECONDS is how long the idle daemon is watched.
BENCH_UNITS ?= 1000000
BENCH_IDLE_SECONDS ?= 60
# The API benchmark: clients at once against an organisation of this size, for this long.
BENCH_API_UNITS ?= 100000
BENCH_API_SECONDS ?= 60
BENCH_API_CLIENTS ?= 50
# How long the national benchmark asks mixed questions before it reads dutyd's memory at rest again.
BENCH_NATIONAL_MIX_SECONDS ?= 60
bench: deps
	$(SWIFT) build $(RELEASE) --product DutyBench
	$(SWIFT) build $(RELEASE) --product dutyd
	$(SWIFT) build $(RELEASE) --product dutyctl
	.build/release/DutyBench calendar config/holidays/cn
	.build/release/DutyBench engine $(CONFIG) $(BENCH_UNITS) .build-bench
	.build/release/DutyBench daemon .build/release/dutyd $(CONFIG) .build-bench $(BENCH_UNITS) $(BENCH_IDLE_SECONDS)
	.build/release/DutyBench delivery .build-bench
	.build/release/DutyBench store .build-bench
	.build/release/DutyBench records .build/release/dutyctl $(CONFIG) .build-bench $(BENCH_UNITS) 500000
	.build/release/DutyBench national .build/release/dutyd .build/release/dutyctl $(CONFIG) .build-bench $(BENCH_UNITS) $(BENCH_NATIONAL_MIX_SECONDS)
	.build/release/DutyBench api .build/release/dutyd $(CONFIG) .build-bench $(BENCH_API_UNITS) $(BENCH_API_SECONDS) $(BENCH_API_CLIENTS)
	.build/release/DutyBench web .build/release/dutyd .build/release/dutyctl $(CONFIG) .build-bench $(BENCH_UNITS) 20
	.build/release/DutyBench postgres .build/release/dutyd $(CONFIG) .build-bench $(BENCH_UNITS) .build/release/dutyctl
	@# The fault figures come from the fault tests themselves (the debug dutyd they build), with more kills.
	$(SWIFT) build --build-tests
	DUTYD_FAULT_KILLS=$(BENCH_KILLS) $(SWIFT) test --skip-build --disable-xctest --filter "killNineDuringMail|questionFlood|killTheSender" 2>&1 | grep "^bench "

# What metrics cost: the API and delivery benchmarks with recording off (DUTYD_METRICS=off) and on,
# one after the other on the same binaries; prints each figure under metrics_off. and metrics_on.
BENCH_METRICS_SECONDS ?= 30
bench-metrics: deps
	$(SWIFT) build $(RELEASE) --product DutyBench
	$(SWIFT) build $(RELEASE) --product dutyd
	@for m in off on off on; do \
	  DUTYD_METRICS=$$m .build/release/DutyBench api .build/release/dutyd $(CONFIG) .build-bench $(BENCH_API_UNITS) $(BENCH_METRICS_SECONDS) $(BENCH_API_CLIENTS) | sed -n "s/^bench api\./bench metrics_$$m.api./p"; \
	  DUTYD_METRICS=$$m .build/release/DutyBench delivery .build-bench | sed -n "s/^bench delivery\./bench metrics_$$m.delivery./p"; \
	done

# Regenerates the generated oracle files from this machine's systemd-analyze and python-dateutil.
oracles:
	python3 Tests/tools/systemd-oracle.py --count 3000 --seed 2026 > Tests/DutyCalendarTests/Resources/systemd-calendar-generated.jsonl
	python3 Tests/tools/rrule-oracle.py --count 2000 --seed 2026 > Tests/DutyCalendarTests/Resources/rrule-generated.jsonl

clean:
	rm -rf .build .build-demo .build-bench .build-install .build-deb debian/dutyd debian/.debhelper debian/files debian/*.substvars debian/debhelper-build-stamp
