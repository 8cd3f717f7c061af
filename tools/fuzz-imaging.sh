#!/usr/bin/env bash
# Fuzzes ImageDecoder.decode(bytes:name:) (PNG, JPEG, PGM, PPM) with libFuzzer and AddressSanitizer.
#
#   tools/fuzz-imaging.sh [SECONDS] [extra libFuzzer flags...]     default 300 seconds
#   FUZZ_BUILD_ONLY=1 tools/fuzz-imaging.sh                         build, do not run
#
# Builds .build-fuzz/fuzz-imaging from Sources/ConvKernels, Sources/CImageGlue, Sources/Imaging and
# Fuzz/ImagingFuzzer.swift with swiftc -sanitize=fuzzer,address (needs a Swift toolchain for Linux, which ships
# libFuzzer), seeds a corpus from Tests/ImagingTests/Fixtures and sample-images/, and runs. Crashing inputs are
# written to .build-fuzz/artifacts/; the corpus grows in .build-fuzz/corpus/ and is reused by the next run.
# Reproduce one: .build-fuzz/fuzz-imaging .build-fuzz/artifacts/crash-...
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.build-fuzz"
seconds="${1:-300}"
shift || true
mkdir -p "$out/obj" "$out/corpus" "$out/artifacts"

# The C glue, instrumented for coverage and ASan (libpng and libjpeg themselves are the system's, uninstrumented).
clang -c -g -O1 -fsanitize=fuzzer-no-link,address -I "$root/Sources/CImageGlue/include" \
    "$root/Sources/CImageGlue/image_glue.c" -o "$out/obj/image_glue.o"
cat > "$out/obj/module.modulemap" <<MAP
module CImageGlue {
    header "$root/Sources/CImageGlue/include/CImageGlue.h"
    export *
}
MAP

# ConvKernels (Imaging uses its Tensor and ResourceBudget) and CommonIO (RegularFile) as plain static libraries;
# not worth instrumenting.
swiftc -O -parse-as-library -module-name ConvKernels -emit-library -static -emit-module \
    -emit-module-path "$out/obj/ConvKernels.swiftmodule" -o "$out/obj/libConvKernels.a" \
    "$root"/Sources/ConvKernels/*.swift "$root"/Sources/ConvKernels/*/*.swift
swiftc -O -parse-as-library -module-name CommonIO -emit-library -static -emit-module -I "$out/obj" \
    -emit-module-path "$out/obj/CommonIO.swiftmodule" -o "$out/obj/libCommonIO.a" "$root"/Sources/CommonIO/*.swift

# Imaging and the entry point as one instrumented module, linked with libFuzzer's main.
swiftc -O -g -parse-as-library -module-name Imaging -sanitize=fuzzer,address \
    -I "$out/obj" -Xcc -fmodule-map-file="$out/obj/module.modulemap" \
    "$root"/Sources/Imaging/*.swift "$root/Fuzz/ImagingFuzzer.swift" \
    "$out/obj/image_glue.o" "$out/obj/libCommonIO.a" "$out/obj/libConvKernels.a" -lpng16 -ljpeg \
    -o "$out/fuzz-imaging"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# Seeds: every small image the project has (the fuzzer mutates them from there).
for seed in "$root"/Tests/ImagingTests/Fixtures/*.png "$root"/sample-images/*.{png,jpg,jpeg,pgm,ppm}; do
    [ -f "$seed" ] && [ "$(wc -c < "$seed")" -le 65536 ] && cp "$seed" "$out/corpus/" || true
done

# Decoding is held to the 512 MB memory budget: more than 1100 MB resident is a finding, not a big input.
cd "$out"
exec ./fuzz-imaging corpus -max_total_time="$seconds" -rss_limit_mb=1100 -timeout=10 \
    -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@"
