# dutyd — the two commands a new machine needs are `make demo` and `make test`.
# Each installs the Debian packages it needs (as root, or through sudo) before building.

SWIFT ?= swift
CONFIG ?= config/dutyd.toml
# What building and testing need beyond the Swift toolchain: the zone database and the C++
# library that TOMLKit (toml++) compiles against.
APT_PACKAGES := tzdata libstdc++-12-dev
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

# Runs the product on the example in config/.
demo: build
	@echo "== The next deadlines of the semiannual report (last day of June and December), Beijing time"
	$(DUTYCTL) calendar next '*-06,12~01' --config $(CONFIG) --count 4
	@echo
	@echo "== The same as an RFC 5545 rule: the last working weekday of each half-year's last month"
	$(DUTYCTL) calendar next --rrule 'FREQ=YEARLY;BYMONTH=6,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1' --dtstart 2026-11-29T09:00 --config $(CONFIG) --count 4
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

# Release build; prints `bench NAME VALUE UNIT` lines.
bench: deps
	$(SWIFT) build -c release --product DutyBench
	.build/release/DutyBench config/holidays/cn

# Regenerates the generated oracle files from this machine's systemd-analyze and python-dateutil.
oracles:
	python3 Tests/tools/systemd-oracle.py --count 3000 --seed 2026 > Tests/DutyCalendarTests/Resources/systemd-calendar-generated.jsonl
	python3 Tests/tools/rrule-oracle.py --count 2000 --seed 2026 > Tests/DutyCalendarTests/Resources/rrule-generated.jsonl

clean:
	rm -rf .build
