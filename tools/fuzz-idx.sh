#!/usr/bin/env bash
# Fuzzes the IDX dataset reader (IDXFile / IDXStream: header, budget, plain and gzip'd values) with
# libFuzzer and AddressSanitizer.
#
#   tools/fuzz-idx.sh [SECONDS] [extra libFuzzer flags...]     default 300 seconds
#   FUZZ_BUILD_ONLY=1 tools/fuzz-idx.sh                         build, do not run
#
# Builds .build-fuzz/idx/fuzz-idx from Sources/ConvKernels, Sources/CommonIO, the IDX files of
# Sources/Datasets and Fuzz/IDXFuzzer.swift with swiftc -sanitize=fuzzer,address (needs a Swift
# toolchain for Linux, which ships libFuzzer; zlib is the system's, uninstrumented), seeds a corpus
# with small IDX files (plain and gzip'd, well formed and not) and the first bytes of MNIST when
# /work/shared/data/mnist or MNIST_DIR has it, and runs. Crashing inputs are written to
# .build-fuzz/idx/artifacts/; the corpus grows in .build-fuzz/idx/corpus/ and is reused by the next run.
# Reproduce one: .build-fuzz/idx/fuzz-idx .build-fuzz/idx/artifacts/crash-...
#
set -euo pipefail
source "$(dirname "$0")/fuzz-common.sh"
fuzz_setup idx
seconds="${1:-300}"
shift || true
mkdir -p "$out/seeds"
build_kernels_and_common_io

# The IDX reader and the entry point as one instrumented module, linked with libFuzzer's main and zlib.
swiftc -O -g -parse-as-library -module-name Datasets -sanitize=fuzzer,address \
    -I "$obj" -Xcc -fmodule-map-file="$root/Sources/CZlib/module.modulemap" \
    "$root/Sources/Datasets/IDXStream.swift" "$root/Sources/Datasets/IDXFile.swift" \
    "$root/Sources/Datasets/DatasetError.swift" "$root/Fuzz/IDXFuzzer.swift" \
    "$obj/libCommonIO.a" "$obj/libConvKernels.a" -lz \
    -o "$out/fuzz-idx"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# Seeds: small IDX files, each plain and gzip'd: labels, images, an empty set, a truncated one, one
# longer than its header, another value type, a header cut short, and the start of real MNIST.
python3 - "$out/seeds" "${MNIST_DIR:-/work/shared/data/mnist}" <<'PY'
import gzip, os, struct, sys
seeds, mnist = sys.argv[1], sys.argv[2]
def header(dims, kind=8): return bytes([0, 0, kind, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
files = {
    "labels": header([10]) + bytes(range(10)),
    "images": header([2, 4, 3]) + bytes(range(24)),
    "empty-images": header([0, 28, 28]),
    "empty-labels": header([0]),
    "truncated": header([5, 2, 2]) + bytes(7),
    "longer": header([2]) + bytes(9),
    "floats": header([2], kind=0x0D) + bytes(8),
    "cut-header": header([3, 28, 28])[:9],
    "huge-claim": header([60000, 28, 28]) + bytes(64),
    "overflow": header([0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF]),
}
for name in ["train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]:
    path = os.path.join(mnist, name)
    if os.path.exists(path):
        with gzip.open(path, "rb") as f: files["mnist-" + name[:-3]] = f.read(4096)
for name, data in files.items():
    with open(os.path.join(seeds, name), "wb") as f: f.write(data)
    with open(os.path.join(seeds, name + ".gz"), "wb") as f: f.write(gzip.compress(data, 9))
# A small gzip bomb: 100 values declared, 4 MB of zeros behind them (about 4 KB compressed).
with open(os.path.join(seeds, "bomb.gz"), "wb") as f: f.write(gzip.compress(header([100, 1, 1]) + bytes(4 << 20), 9))
PY
cp "$out"/seeds/* "$out/corpus/"
fuzz_run fuzz-idx "$seconds" -timeout=10 -max_len=65536 "$@"
