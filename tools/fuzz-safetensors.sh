#!/usr/bin/env bash
# Fuzzes the safetensors reader, Checkpoint(bytes:name:), and LeNet5(checkpoint:) after it, with libFuzzer and
# AddressSanitizer.
#
#   tools/fuzz-safetensors.sh [SECONDS] [extra libFuzzer flags...]     default 300 seconds
#   FUZZ_BUILD_ONLY=1 tools/fuzz-safetensors.sh                         build, do not run
#
# Builds .build-fuzz/safetensors/fuzz-safetensors from Sources/ConvKernels, Sources/CommonIO, Sources/Networks and
# Fuzz/SafetensorsFuzzer.swift with swiftc -sanitize=fuzzer,address (needs a Swift toolchain for Linux, which ships
# libFuzzer), seeds a corpus from the shipped model and the test fixtures, and runs. Crashing inputs are written to
# .build-fuzz/safetensors/artifacts/; the corpus grows in .build-fuzz/safetensors/corpus/ and is reused by the next
# run. Reproduce one: .build-fuzz/safetensors/fuzz-safetensors .build-fuzz/safetensors/artifacts/crash-...
set -euo pipefail
source "$(dirname "$0")/fuzz-common.sh"
fuzz_setup safetensors
seconds="${1:-300}"
shift || true
build_kernels_and_common_io

# Networks and the entry point as one instrumented module, linked with libFuzzer's main. Its resources (the shipped
# model) are not needed: the fuzzer never asks for the pretrained model.
swiftc -O -g -parse-as-library -module-name Networks -sanitize=fuzzer,address -I "$obj" \
    "$root"/Sources/Networks/*.swift "$root/Fuzz/SafetensorsFuzzer.swift" \
    "$obj/libCommonIO.a" "$obj/libConvKernels.a" \
    -o "$out/fuzz-safetensors"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# Seeds: the shipped model and every checkpoint the tests have (the fuzzer mutates them from there).
for seed in "$root"/Sources/Networks/Resources/*.safetensors "$root"/Tests/NetworksTests/Fixtures/*.safetensors; do
    [ -f "$seed" ] && cp "$seed" "$out/corpus/" || true
done
fuzz_run fuzz-safetensors "$seconds" -max_len=1048576 -timeout=10 "$@"
