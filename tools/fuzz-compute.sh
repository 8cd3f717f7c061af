#!/usr/bin/env bash
# Fuzzes the compute reader with libFuzzer and AddressSanitizer: any text, line by line, must give a
# ComputeFilter answer ({"output": ...} or {"error": ...}) without a crash, a hang or more memory than the
# budget allows: requests are parsed, checked against ResourceBudget.standard and run through the kernels.
#
#   tools/fuzz-compute.sh [SECONDS] [extra libFuzzer flags...]     default 300 seconds
#   FUZZ_BUILD_ONLY=1 tools/fuzz-compute.sh                         build, do not run
#
# Builds .build-fuzz/compute/fuzz-compute from ConvKernels and CommonIO as plain static libraries, and
# Sources/ConvTutorCommands/Grid with Fuzz/ComputeFuzzer.swift instrumented (swiftc -sanitize=fuzzer,address).
# Seeds the corpus with the requests of Tests/ConvTutorCommandsTests/Fixtures/pytorch-cases.jsonl and the
# examples of `convtutor compute --help`. Crashes go to .build-fuzz/compute/artifacts/; reproduce one with
#   .build-fuzz/compute/fuzz-compute .build-fuzz/compute/artifacts/crash-...
set -euo pipefail
source "$(dirname "$0")/fuzz-common.sh"
fuzz_setup compute
seconds="${1:-300}"
shift || true
build_kernels_and_common_io

# The grid commands' code (ComputeFilter, ComputeRequest, JSONValue, ...) and the entry point, instrumented.
swiftc -O -g -parse-as-library -module-name ConvTutorCommands -sanitize=fuzzer,address -I "$obj" \
    "$root"/Sources/ConvTutorCommands/Grid/*.swift "$root/Fuzz/ComputeFuzzer.swift" \
    "$obj/libCommonIO.a" "$obj/libConvKernels.a" -o "$out/fuzz-compute"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# Seeds: one request per file.
python3 - "$root/Tests/ConvTutorCommandsTests/Fixtures/pytorch-cases.jsonl" "$out/corpus" <<'PY'
import json, sys
cases, corpus = sys.argv[1], sys.argv[2]
for index, line in enumerate(open(cases)):
    request = json.dumps(json.loads(line)["request"], separators=(",", ":"))
    if len(request) <= 8192:
        open(f"{corpus}/pytorch-{index:03d}.json", "w").write(request)
PY
printf '%s' '{"op": "relu", "input": {"shape": [3], "data": [-1, 0, 2]}}' > "$out/corpus/help-relu.json"
printf '%s' '{"op": "maxpool2d", "kernel": 2, "input": {"shape": [1, 1, 2, 2], "data": [1, 5, 3, 2]}}' > "$out/corpus/help-pool.json"
printf '%s' '{"op": "conv2d", "input": {"shape": [1,1,3,3], "data": [1,2,3,4,5,6,7,8,9]}, "weight": {"shape": [1,1,3,3], "data": [1,0,1,0,1,0,1,0,1]}, "dilation": 1000000000, "padding": 1000000000}' > "$out/corpus/dilated.json"

fuzz_run fuzz-compute "$seconds" -timeout=30 -max_len=16384 "$@"
