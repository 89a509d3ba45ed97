# dutyd — the two commands a new machine needs are `make demo` and `make test`.
# Each installs the Debian packages it needs (as root, or through sudo) before building.

SWIFT ?= swift
CONFIG ?= config/dutyd.toml
# What building and testing need beyond the Swift toolchain: the zone database and SQLite for the
# state store (GRDB).
APT_PACKAGES := tzdata libsqlite3-dev
DUTYCTL = .build/debug/dutyctl

.PHONY: all deps build demo test lint format bench oracles clean

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
	$(DUTYCTL) explain unit-situation-report/gd.gz.panyu.school1/$$(date +%Y)-H2 --config $(CONFIG) || true
	@echo
	@echo "== Hard days: Spring Festival 2025, a make-up Saturday in 2026, and 2027 (not yet published)"
	$(DUTYCTL) calendar shift 2025-01-31 --rule previous-workday --config $(CONFIG)
	$(DUTYCTL) calendar day 2026-02-28 --config $(CONFIG)
	$(DUTYCTL) calendar day 2027-02-11 --config $(CONFIG)
	@echo
	@echo "== A mistake is shown where it is"
	@$(DUTYCTL) calendar next '*-13-01' --config $(CONFIG) || echo "(exit status $$?: bad input data)"

test: deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --disable-xctest

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Benchmarks Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Benchmarks Package.swift

# Release build; prints `bench NAME VALUE UNIT` lines. BENCH_UNITS sets the size of the generated
# organisation (default 1,000,000 units); it and its state store are kept in .build-bench/.
BENCH_UNITS ?= 1000000
bench: deps
	$(SWIFT) build -c release --product DutyBench
	.build/release/DutyBench calendar config/holidays/cn
	.build/release/DutyBench engine $(CONFIG) $(BENCH_UNITS) .build-bench

# Regenerates the generated oracle files from this machine's systemd-analyze and python-dateutil.
oracles:
	python3 Tests/tools/systemd-oracle.py --count 3000 --seed 2026 > Tests/DutyCalendarTests/Resources/systemd-calendar-generated.jsonl
	python3 Tests/tools/rrule-oracle.py --count 2000 --seed 2026 > Tests/DutyCalendarTests/Resources/rrule-generated.jsonl

clean:
	rm -rf .build .build-demo .build-bench
