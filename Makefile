# atoll — the two commands a new user needs:
#   make demo   install dependencies, build, run the demo on a local-directory lake
#   make test   install dependencies, build, start the test servers, run every test
# Other targets: setup, build, unit, asan, bench, fuzz, sweep (full kill -9 sweep),
# concurrency-sweep, fault-sweep (S3 connection resets), disk-full-sweep (needs root),
# dml-sweep (kill -9 of SQL DML), dml-concurrency-sweep (concurrent SQL DML),
# snapshot-acceptance (the snapshot pipeline on a ~2 GB, 2,000-file export), snapshot-sweep
# (the same with workers and runs killed at random), dml-differential (1,200 random SQL
# writes on lake tables against DuckDB's own tables), stream-sweep (kill -9 of atoll stream
# while 1,000,000 Kafka records are produced), clean.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all setup build demo test unit asan bench fuzz sweep concurrency-sweep fault-sweep \
  disk-full-sweep dml-sweep dml-concurrency-sweep snapshot-acceptance snapshot-sweep \
  dml-differential stream-sweep clean format

all: build

setup:
	@scripts/setup.sh

build: setup
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)/src/atoll/cli/atoll

# Every test: unit, integration (S3 servers on loopback, DuckDB, files on disk) and the
# shortened slow sweeps, then the unit tests again under ASan + UBSan (that build compiles
# only the unit tests and what they link: the target atoll_unit_tests).
test: build
	@scripts/test.sh $(BUILD)
	@$(MAKE) --no-print-directory asan

unit: build
	cd $(BUILD) && ctest -L unit --output-on-failure -j $(JOBS)

asan: setup
	@test -f $(ASAN_BUILD)/CMakeCache.txt || cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DATOLL_SANITIZE=ON -DATOLL_BUILD_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target atoll_unit_tests
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest -L unit --output-on-failure -j $(JOBS)

bench: build
	@scripts/bench.sh $(BUILD)

# Every libFuzzer target (clang, ASan + UBSan, builds of their own) for FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
fuzz:
	scripts/fuzz.sh orc $(FUZZ_SECONDS)
	scripts/fuzz.sh jinja $(FUZZ_SECONDS)
	fuzz/trail_fuzz.sh $(FUZZ_SECONDS)

# The full-size kill -9 sweep of `atoll ingest` (make test runs a shortened one).
SWEEP_ITERATIONS ?= 200
SWEEP_FILES ?= 500
sweep: build
	scripts/kill_sweep.sh $(BUILD)/src/atoll/cli/atoll $(SWEEP_ITERATIONS) $(SWEEP_FILES) .state/sweep

# The other ingest sweeps at full size (make test runs shortened ones: kill_sweep_test.cc):
# four ingest loops with maintain and queries; S3 with 10% of connections reset (s3rver,
# SQLite catalog); the lake and the scratch folder on a full tmpfs (root).
ATOLL_BIN := $(BUILD)/src/atoll/cli/atoll
concurrency-sweep: build
	scripts/concurrency_sweep.sh $(ATOLL_BIN) 40 400 .state/concurrency-sweep
fault-sweep: build
	scripts/with_s3rver.sh fault-sweep scripts/fault_sweep.sh $(ATOLL_BIN) 40 200 \
	  .state/fault-sweep s3://fault-sweep sqlite://$(CURDIR)/.state/fault-sweep/catalog.db 10
disk-full-sweep: build
	scripts/disk_full_sweep.sh $(ATOLL_BIN) 40 200 .state/disk-full-sweep

# SQL writes at full size: 150 random statements for each of the 8 combinations of write
# mode, partitioning and format version, checked against DuckDB after each statement
# (make test runs 16 each; tests/sql/dml_differential_test.cc).
DML_STATEMENTS ?= 150
dml-differential: build
	cd $(BUILD) && ATOLL_DML_STATEMENTS=$(DML_STATEMENTS) tests/sql/dml_differential_test
# SQL DML through `atoll query` at full size (make test runs the same test binaries
# shortened): kill -9 of DML scripts in both write modes, then prefix-state and orphan
# checks; four concurrent DML writers, hot-row updates and ingest next to DELETEs.
DML_SWEEP_ITERATIONS ?= 100
dml-sweep: build
	ATOLL_DML_SWEEP_ITERATIONS=$(DML_SWEEP_ITERATIONS) $(BUILD)/tests/cli/dml_kill_sweep_test
dml-concurrency-sweep: build
	ATOLL_DML_CONCURRENCY_STATEMENTS=60 ATOLL_DML_OVERLAP_ROUNDS=12 ATOLL_DML_HOT_UPDATES=12 \
	  ATOLL_DML_INGEST_ROUNDS=10 \
	  $(BUILD)/tests/cli/dml_concurrency_test

# The snapshot pipeline at the issue's acceptance size: ~2 GB in 2,000 CSV.gz and Parquet
# files, counts per partition and output file sizes checked (not part of make test).
snapshot-acceptance: build
	scripts/snapshot_acceptance.sh $(BUILD)/src/atoll/cli/atoll .state/snapshot-acceptance

# The same export, with SNAPSHOT_KILLS runs killed with kill -9 (a worker or the run itself)
# at random moments before the final run (make test runs shortened ones: run_test.cc).
SNAPSHOT_KILLS ?= 12
snapshot-sweep: build
	scripts/snapshot_acceptance.sh $(BUILD)/src/atoll/cli/atoll .state/snapshot-sweep 2000 64 $(SNAPSHOT_KILLS)

# kill -9 of `atoll stream` at full size: 1,000,000 records to 4 partitions, 50 kills of two
# consumers of one group, then every (partition, offset) exactly once (make test: 20,000 / 20).
# Starts its own Kafka test server (scripts/servers/kafka.sh).
STREAM_SWEEP_RECORDS ?= 1000000
STREAM_SWEEP_KILLS ?= 50
stream-sweep: build
	@L=$$(ATOLL_BUILD_DIR=$(CURDIR)/$(BUILD) scripts/servers/kafka.sh start .state/stream-sweep/kafka) && \
	  eval "$$L" && export $$(echo "$$L" | cut -d= -f1) && \
	  ATOLL_STREAM_SWEEP_RECORDS=$(STREAM_SWEEP_RECORDS) ATOLL_STREAM_SWEEP_KILLS=$(STREAM_SWEEP_KILLS) \
	  ATOLL_REQUIRE_SERVERS=1 $(BUILD)/tests/stream/stream_sweep_test \
	  --gtest_filter='StreamSweepTest.*'; rc=$$?; scripts/servers/kafka.sh stop .state/stream-sweep/kafka; exit $$rc

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
