#!/usr/bin/env bash
# Fuzzes the lesson reader with libFuzzer and AddressSanitizer: any text must give a Lesson or a
# LessonError from LessonParser.parse, and a lesson that parses must survive LessonChecker.problems
# (every step's computation, checked against the budget) without a crash, a hang or more memory
# than the budget allows.
#
#   tools/fuzz-lessons.sh [SECONDS] [extra libFuzzer flags...]     default 300 seconds
#   FUZZ_BUILD_ONLY=1 tools/fuzz-lessons.sh                         build, do not run
#
# Needs TOMLKit's sources in .build/checkouts (run `swift build` once). Builds .build-fuzz/lessons/fuzz-lessons
# from toml++ (CTOML), TOMLKit, ConvKernels, CommonIO, CImageGlue and Imaging as plain static libraries, and
# Sources/Lessons with Fuzz/LessonsFuzzer.swift instrumented (swiftc -sanitize=fuzzer,address). Seeds the corpus
# with lessons/*.toml. Crashes go to .build-fuzz/lessons/artifacts/; reproduce one with
#   .build-fuzz/lessons/fuzz-lessons .build-fuzz/lessons/artifacts/crash-...
# -rss_limit_mb=1100: a lesson must not make the program use more than about 1 GB, so going past it is a finding.
# TOMLKit leaks a strdup'd copy of every string value and table key it hands out (CTOML Node.cpp, Table.cpp): a few
# bytes per parse in the program, but over a fuzzing run they pile up past the RSS limit. The fuzz build therefore
# compiles a copy of TOMLKit's Swift sources patched to free those two copies (nothing else changes), and runs with
# -detect_leaks=0 for the upstream leaks that remain (see the run below).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.build-fuzz/lessons"
seconds="${1:-300}"
shift || true
toml="$root/.build/checkouts/TOMLKit/Sources"
if [ ! -d "$toml/CTOML" ]; then
    echo "fuzz-lessons: TOMLKit's sources are not in .build/checkouts; run 'swift build' first" >&2
    exit 1
fi
mkdir -p "$out/obj" "$out/corpus" "$out/artifacts"
obj="$out/obj"

# toml++ and TOMLKit's C++ glue (plain: the parser is TOMLKit's, the fuzz target is ours).
ctoml_objects=()
for source in "$toml"/CTOML/Sources/*.cpp; do
    name="$(basename "$source" .cpp | tr -c 'A-Za-z0-9\n' '_')"
    clang++ -c -O1 -g -std=c++17 -DTOML_EXCEPTIONS=1 -I "$toml/CTOML/include" -I "$toml/CTOML/include/CTOML" \
        -I "$toml/CTOML/Sources" "$source" -o "$obj/ctoml-$name.o"
    ctoml_objects+=("$obj/ctoml-$name.o")
done

swift_library() {  # name, extra flags..., then -- and the sources
    local name="$1"; shift
    local flags=()
    while [ "$1" != "--" ]; do flags+=("$1"); shift; done
    shift
    swiftc -O -parse-as-library -module-name "$name" -emit-library -static -emit-module \
        -emit-module-path "$obj/$name.swiftmodule" -o "$obj/lib$name.a" -I "$obj" "${flags[@]}" "$@"
}

rm -rf "$out/tomlkit-src" && cp -R "$toml/TOMLKit" "$out/tomlkit-src"
python3 - "$out/tomlkit-src" <<'PY'
import sys
root = sys.argv[1]
def patch(path, old, new):
    path = f"{root}/{path}"
    text = open(path).read()
    assert old in text, f"TOMLKit changed: cannot patch {path}"
    open(path, "w").write(text.replace(old, new))
patch("TOML Data Types/TOMLValueConvertible.swift", "\t\treturn String(cString: pointer)\n",
      "\t\tdefer { free(UnsafeMutableRawPointer(mutating: pointer)) }\n\t\treturn String(cString: pointer)\n")
patch("TOML Data Types/TOMLTable/TOMLTable.swift", "\t\t\tkeyArray.append(String(cString: pointer[i]))\n\t\t}\n",
      "\t\t\tkeyArray.append(String(cString: pointer[i]))\n\t\t\tfree(UnsafeMutableRawPointer(mutating: pointer[i]))\n\t\t}\n\t\tfree(UnsafeMutableRawPointer(mutating: pointer))\n")
for path in ["TOML Data Types/TOMLValueConvertible.swift", "TOML Data Types/TOMLTable/TOMLTable.swift"]:
    text = open(f"{root}/{path}").read()
    if "import Glibc" not in text:
        open(f"{root}/{path}", "w").write("#if canImport(Glibc)\nimport Glibc\n#endif\n" + text)
PY
mapfile -t tomlkit_sources < <(find "$out/tomlkit-src" -name '*.swift')
swift_library TOMLKit -I "$toml/CTOML/include/CTOML" -- "${tomlkit_sources[@]}"
mapfile -t kernel_sources < <(find "$root/Sources/ConvKernels" -name '*.swift')
swift_library ConvKernels -- "${kernel_sources[@]}"
swift_library CommonIO -- "$root"/Sources/CommonIO/*.swift

clang -c -O1 -g -I "$root/Sources/CImageGlue/include" "$root/Sources/CImageGlue/image_glue.c" -o "$obj/image_glue.o"
cat > "$obj/module.modulemap" <<MAP
module CImageGlue {
    header "$root/Sources/CImageGlue/include/CImageGlue.h"
    export *
}
MAP
swift_library Imaging -Xcc -fmodule-map-file="$obj/module.modulemap" -- "$root"/Sources/Imaging/*.swift

# Lessons and the entry point as one instrumented module, linked with libFuzzer's main.
swiftc -O -g -parse-as-library -module-name Lessons -sanitize=fuzzer,address \
    -I "$obj" -I "$toml/CTOML/include/CTOML" -Xcc -fmodule-map-file="$obj/module.modulemap" \
    "$root"/Sources/Lessons/*.swift "$root/Fuzz/LessonsFuzzer.swift" \
    "$obj/libImaging.a" "$obj/image_glue.o" "$obj/libCommonIO.a" "$obj/libConvKernels.a" "$obj/libTOMLKit.a" \
    "${ctoml_objects[@]}" -lstdc++ -lpng16 -ljpeg \
    -o "$out/fuzz-lessons"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# Seeds: every built-in lesson (the fuzzer mutates them from there).
cp "$root"/lessons/*.toml "$out/corpus/"

# TOMLKit also leaks each parsed document (a few hundred bytes a parse: nothing for the program, which parses each
# lesson once, but hundreds of megabytes over a run), so the run is cut into slices of at most 60 seconds, each a
# fresh process on the same corpus: the RSS limit then measures one slice's inputs, not the upstream leak. The first
# slice that finds something stops the run. ASan's quarantine is kept small so freed memory is not counted as used.
cd "$out"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:quarantine_size_mb=64}"
remaining="$seconds"
while [ "$remaining" -gt 0 ]; do
    slice=$(( remaining < 60 ? remaining : 60 ))
    ./fuzz-lessons corpus -max_total_time="$slice" -rss_limit_mb=1100 -timeout=30 -max_len=65536 -detect_leaks=0 \
        -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@"
    remaining=$(( remaining - slice ))
done
