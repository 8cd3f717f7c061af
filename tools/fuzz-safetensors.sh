#!/usr/bin/env bash
# Fuzzes the safetensors reader, Checkpoint(bytes:name:), and LeNet5(checkpoint:) after it, with libFuzzer and
# AddressSanitizer.
#
#   tools/fuzz-safetensors.sh [SECONDS] [extra libFuzzer flags...]     default 300 seconds
#   FUZZ_BUILD_ONLY=1 tools/fuzz-safetensors.sh                         build, do not run
#
# Builds .build-fuzz/fuzz-safetensors from Sources/ConvKernels, Sources/CommonIO, Sources/Networks and
# Fuzz/SafetensorsFuzzer.swift with swiftc -sanitize=fuzzer,address (needs a Swift toolchain for Linux, which ships
# libFuzzer), seeds a corpus from the shipped model and the test fixtures, and runs. Crashing inputs are written to
# .build-fuzz/safetensors-artifacts/; the corpus grows in .build-fuzz/safetensors-corpus/ and is reused by the next
# run. Reproduce one: .build-fuzz/fuzz-safetensors .build-fuzz/safetensors-artifacts/crash-...
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.build-fuzz"
seconds="${1:-300}"
shift || true
mkdir -p "$out/safetensors-obj" "$out/safetensors-corpus" "$out/safetensors-artifacts"
obj="$out/safetensors-obj"

# ConvKernels and CommonIO as plain static libraries; not worth instrumenting.
swiftc -O -parse-as-library -module-name ConvKernels -emit-library -static -emit-module \
    -emit-module-path "$obj/ConvKernels.swiftmodule" -o "$obj/libConvKernels.a" \
    "$root"/Sources/ConvKernels/*.swift "$root"/Sources/ConvKernels/*/*.swift
swiftc -O -parse-as-library -module-name CommonIO -emit-library -static -emit-module -I "$obj" \
    -emit-module-path "$obj/CommonIO.swiftmodule" -o "$obj/libCommonIO.a" "$root"/Sources/CommonIO/*.swift

# Networks and the entry point as one instrumented module, linked with libFuzzer's main. Its resources (the shipped
# model) are not needed: the fuzzer never asks for the pretrained model.
swiftc -O -g -parse-as-library -module-name Networks -sanitize=fuzzer,address -I "$obj" \
    "$root"/Sources/Networks/*.swift "$root/Fuzz/SafetensorsFuzzer.swift" \
    "$obj/libCommonIO.a" "$obj/libConvKernels.a" \
    -o "$out/fuzz-safetensors"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# Seeds: the shipped model and every checkpoint the tests have (the fuzzer mutates them from there).
for seed in "$root"/Sources/Networks/Resources/*.safetensors "$root"/Tests/NetworksTests/Fixtures/*.safetensors; do
    [ -f "$seed" ] && cp "$seed" "$out/safetensors-corpus/" || true
done

# A checkpoint may hold up to the 512 MB budget: more than 1100 MB resident is a finding, not a slow input.
cd "$out"
exec ./fuzz-safetensors safetensors-corpus -max_total_time="$seconds" -rss_limit_mb=1100 -max_len=1048576 -timeout=10 \
    -artifact_prefix="$out/safetensors-artifacts/" -print_final_stats=1 "$@"
