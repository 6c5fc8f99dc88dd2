# fazhi: the two commands are `make run` and `make test` (see README.md).
# Builds go to build/ (optimised, for run and bench) and build-test/
# (AddressSanitizer + UndefinedBehaviorSanitizer, for test).

DB        ?= var/fazhi.db
LISTEN    ?= 127.0.0.1:8080
PASSWORD  ?= Jinhua@2026
MQTT_PORT ?= 1883
FUZZ_TIME ?= 10

.PHONY: all setup build build-test share run test fuzz bench format clean

all: build

setup:
	@scripts/setup

# share/: region data, boundaries and the holiday calendar from npm packages, and the console.
build/share/regions.tsv build/share/calendar-cn.json &: scripts/gen-data.mjs package-lock.json
	@node scripts/gen-data.mjs build/share >/dev/null
build/share/console/index.html: $(shell find web -type f 2>/dev/null) package-lock.json
	@npx vite build --config web/vite.config.js --logLevel error
share: build/share/regions.tsv build/share/calendar-cn.json build/share/console/index.html
	@ln -sfn ../../apps build/share/apps

build: setup
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAZHI_TESTS=OFF >/dev/null
	@cmake --build build -- --quiet
	@$(MAKE) --no-print-directory share

build-test: setup
	@cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFAZHI_SANITIZE=ON >/dev/null
	@cmake --build build-test -- --quiet
	@$(MAKE) --no-print-directory share
	@rm -rf build-test/share/console build-test/share/regions.tsv build-test/share/boundaries-330700.geojson build-test/share/calendar-cn.json
	@ln -sfn ../../build/share/console build-test/share/console
	@ln -sfn ../../build/share/regions.tsv build-test/share/regions.tsv
	@ln -sfn ../../build/share/boundaries-330700.geojson build-test/share/boundaries-330700.geojson
	@ln -sfn ../../build/share/calendar-cn.json build-test/share/calendar-cn.json
	@ln -sfn ../../apps build-test/share/apps

run: build
	@mkdir -p $(dir $(DB))
	@if [ ! -f $(DB) ]; then build/fazhi demo --db $(DB) --password '$(PASSWORD)'; \
	 else build/fazhi demo --db $(DB); fi
	@scripts/mosquitto-up $(MQTT_PORT) $(dir $(DB))
	@exec build/fazhi serve --db $(DB) --listen $(LISTEN) --mqtt 127.0.0.1:$(MQTT_PORT)

test: build-test
	@scripts/run-tests

fuzz: setup
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DFAZHI_FUZZ=ON -DFAZHI_TESTS=OFF >/dev/null
	@cmake --build build-fuzz
	@FUZZ_TIME=$${FUZZ_TIME:-300} scripts/run-fuzz

bench: build
	@scripts/setup --bench
	@scripts/bench

format:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*.[ch] tests/unit/*/*.c fuzz/*.c

clean:
	rm -rf build build-test build-fuzz
