# Front door: make debug | test | bench | format
BUILD ?= build

.PHONY: debug release test bench format
debug:
	cmake -S . -B $(BUILD)/debug -G Ninja -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(BUILD)/debug
release:
	cmake -S . -B $(BUILD)/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DKIZUNA_BUILD_TESTS=OFF
	cmake --build $(BUILD)/release
test:
	scripts/test
bench: release
	cmake -S . -B $(BUILD)/release -DKIZUNA_BUILD_BENCHMARKS=ON
	cmake --build $(BUILD)/release
	bench/run
format:
	scripts/format.sh
