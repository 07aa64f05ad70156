# The two README commands: `make demo` runs the main job, `make test` runs every test.
SWIFT ?= swift

.PHONY: demo test build bench docs deps servers-up servers-down clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

demo: deps
	$(SWIFT) run kv demo

# Builds with every trait on (the Hummingbird, Vapor and swift-configuration adapters are tested too), runs the
# unit tests (targets named …UnitTests: no server, in parallel), then starts the Redis servers the integration
# tests need, runs those one at a time (fault tests pause and kill servers and measure gaps, which CPU-heavy
# neighbours on 2 cores would distort), and stops the servers even when tests fail. Last, a build with every
# trait off, checked with ldd. The frameworks' own driver tests (Hummingbird's PersistTests, hummingbird-auth's
# SessionTests, Vapor's cache tests) are copied from the resolved packages first and run on memory:// and Redis.
test: deps
	@scripts/upstream-tests.sh prepare $(SWIFT)
	@$(SWIFT) build --build-tests --enable-all-traits
	@$(SWIFT) test --skip-build --enable-all-traits --filter 'UnitTests\.'
	@scripts/with-test-servers.sh scripts/integration-tests.sh $(SWIFT)
	@scripts/check-minimal-build.sh

# The DocC catalog of every public module, into .build/docs; fails on any DocC warning.
docs: deps
	@scripts/build-docs.sh

bench: deps
	$(SWIFT) build -c release --product kv
	.build/release/kv bench

servers-up: deps
	@scripts/test-servers.sh up

servers-down:
	@scripts/test-servers.sh down

clean:
	rm -rf .build .kv-test-servers
