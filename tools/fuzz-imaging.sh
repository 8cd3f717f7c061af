#!/usr/bin/env bash
# Fuzzes ImageDecoder.decode(bytes:name:) (PNG, JPEG, PGM, PPM) with libFuzzer and AddressSanitizer.
#
#   tools/fuzz-imaging.sh [SECONDS] [extra libFuzzer flags...]     default 300 seconds
#   FUZZ_BUILD_ONLY=1 tools/fuzz-imaging.sh                         build, do not run
#
# Builds .build-fuzz/imaging/fuzz-imaging from Sources/ConvKernels, Sources/CImageGlue, Sources/Imaging and
# Fuzz/ImagingFuzzer.swift with swiftc -sanitize=fuzzer,address (needs a Swift toolchain for Linux, which ships
# libFuzzer), seeds a corpus from Tests/ImagingTests/Fixtures and sample-images/, and runs. Crashing inputs are
# written to .build-fuzz/imaging/artifacts/; the corpus grows in .build-fuzz/imaging/corpus/ and is reused by the
# next run. Reproduce one: .build-fuzz/imaging/fuzz-imaging .build-fuzz/imaging/artifacts/crash-...
set -euo pipefail
source "$(dirname "$0")/fuzz-common.sh"
fuzz_setup imaging
seconds="${1:-300}"
shift || true
# The C glue, instrumented for coverage and ASan.
build_image_glue -fsanitize=fuzzer-no-link,address
build_kernels_and_common_io

# Imaging and the entry point as one instrumented module, linked with libFuzzer's main.
swiftc -O -g -parse-as-library -module-name Imaging -sanitize=fuzzer,address \
    -I "$obj" -Xcc -fmodule-map-file="$obj/module.modulemap" \
    "$root"/Sources/Imaging/*.swift "$root/Fuzz/ImagingFuzzer.swift" \
    "$obj/image_glue.o" "$obj/libCommonIO.a" "$obj/libConvKernels.a" -lpng16 -ljpeg \
    -o "$out/fuzz-imaging"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# Seeds: every small image the project has (the fuzzer mutates them from there).
for seed in "$root"/Tests/ImagingTests/Fixtures/*.png "$root"/sample-images/*.{png,jpg,jpeg,pgm,ppm}; do
    [ -f "$seed" ] && [ "$(wc -c < "$seed")" -le 65536 ] && cp "$seed" "$out/corpus/" || true
done
fuzz_run fuzz-imaging "$seconds" -timeout=10 "$@"
