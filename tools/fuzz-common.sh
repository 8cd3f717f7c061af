# Shared by the tools/fuzz-*.sh scripts (sourced, not run): where a fuzzer's files go, building the
# uninstrumented libraries a fuzz target links with, and running libFuzzer the same way for every target.
#
# Each fuzzer keeps its files in .build-fuzz/NAME/: obj/ (libraries and modules), corpus/ (grows from run to
# run and is reused), artifacts/ (crashing inputs; reproduce one with .build-fuzz/NAME/fuzz-NAME FILE).

# fuzz_setup NAME: sets root, out, obj and seconds (from FUZZ_SECONDS) and makes the folders.
fuzz_setup() {
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    out="$root/.build-fuzz/$1"
    obj="$out/obj"
    mkdir -p "$obj" "$out/corpus" "$out/artifacts"
}

# swift_library NAME [swiftc flags...] -- SOURCES...: a plain (uninstrumented, optimised) static library
# and its module in $obj.
swift_library() {
    local name="$1"; shift
    local flags=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do flags+=("$1"); shift; done
    shift
    swiftc -O -parse-as-library -module-name "$name" -emit-library -static -emit-module \
        -emit-module-path "$obj/$name.swiftmodule" -o "$obj/lib$name.a" -I "$obj" "${flags[@]}" "$@"
}

# The kernel module and CommonIO, which every target links with; not worth instrumenting.
build_kernels_and_common_io() {
    local kernel_sources
    mapfile -t kernel_sources < <(find "$root/Sources/ConvKernels" -name '*.swift')
    swift_library ConvKernels -- "${kernel_sources[@]}"
    swift_library CommonIO -- "$root"/Sources/CommonIO/*.swift
}

# build_image_glue [clang flags...]: the C image glue as $obj/image_glue.o and its module map in $obj
# (libpng and libjpeg themselves are the system's, uninstrumented).
build_image_glue() {
    clang -c -g -O1 "$@" -I "$root/Sources/CImageGlue/include" "$root/Sources/CImageGlue/image_glue.c" -o "$obj/image_glue.o"
    cat > "$obj/module.modulemap" <<MAP
module CImageGlue {
    header "$root/Sources/CImageGlue/include/CImageGlue.h"
    export *
}
MAP
}

# fuzz_run BINARY SECONDS [libFuzzer flags...]: runs the fuzzer on its corpus for SECONDS. -rss_limit_mb=1100:
# every reader is held to the 512 MB budget, so an input that makes it use more than about 1 GB (or ask for
# it in one allocation: libFuzzer's malloc limit follows the RSS limit) is a finding, not a big input.
fuzz_run() {
    local binary="$1" seconds="$2"; shift 2
    cd "$out"
    "./$binary" corpus -max_total_time="$seconds" -rss_limit_mb=1100 -artifact_prefix="$out/artifacts/" \
        -print_final_stats=1 "$@"
}
