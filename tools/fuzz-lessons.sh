#!/usr/bin/env bash
# Fuzzes the lesson reader with libFuzzer and AddressSanitizer: any text must give a Lesson or a
# LessonError from LessonParser.parse (the TOML reader, CommonIO's TOMLDocument, included), and a lesson
# that parses must survive LessonChecker.problems (every step's computation, checked against the budget)
# without a crash, a hang or more memory than the budget allows.
#
#   tools/fuzz-lessons.sh [SECONDS] [extra libFuzzer flags...]     default 300 seconds
#   FUZZ_BUILD_ONLY=1 tools/fuzz-lessons.sh                         build, do not run
#
# Builds .build-fuzz/lessons/fuzz-lessons from ConvKernels, CommonIO, CImageGlue and Imaging as plain static
# libraries, and Sources/Lessons with Fuzz/LessonsFuzzer.swift instrumented (swiftc -sanitize=fuzzer,address).
# The TOML reader in CommonIO is instrumented too: it is the part that reads the raw text. Seeds the corpus with
# lessons/*.toml and tools/fuzz-findings/lessons-*. Crashes go to .build-fuzz/lessons/artifacts/; reproduce one with
#   .build-fuzz/lessons/fuzz-lessons .build-fuzz/lessons/artifacts/crash-...
set -euo pipefail
source "$(dirname "$0")/fuzz-common.sh"
fuzz_setup lessons
seconds="${1:-300}"
shift || true
build_image_glue
mapfile -t kernel_sources < <(find "$root/Sources/ConvKernels" -name '*.swift')
swift_library ConvKernels -- "${kernel_sources[@]}"
# CommonIO instrumented, for coverage of the TOML reader.
swift_library CommonIO -sanitize=fuzzer,address -- "$root"/Sources/CommonIO/*.swift
swift_library Imaging -Xcc -fmodule-map-file="$obj/module.modulemap" -- "$root"/Sources/Imaging/*.swift

# Lessons and the entry point as one instrumented module, linked with libFuzzer's main.
swiftc -O -g -parse-as-library -module-name Lessons -sanitize=fuzzer,address \
    -I "$obj" -Xcc -fmodule-map-file="$obj/module.modulemap" \
    "$root"/Sources/Lessons/*.swift "$root/Fuzz/LessonsFuzzer.swift" \
    "$obj/libImaging.a" "$obj/image_glue.o" "$obj/libCommonIO.a" "$obj/libConvKernels.a" -lpng16 -ljpeg \
    -o "$out/fuzz-lessons"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# Seeds: every built-in lesson and every lesson input fuzzing has found before.
cp "$root"/lessons/*.toml "$root"/tools/fuzz-findings/lessons-* "$out/corpus/"
fuzz_run fuzz-lessons "$seconds" -timeout=30 -max_len=65536 "$@"
