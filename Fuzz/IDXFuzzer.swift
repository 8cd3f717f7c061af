// libFuzzer entry point for the IDX reader (plain and gzip'd): any bytes must give an IDX file or a
// DatasetError, never a crash, a hang, a memory error (the build adds AddressSanitizer) or an
// allocation past the budget (the run's -rss_limit_mb makes one a finding). Compiled into the
// Datasets files it needs by tools/fuzz-idx.sh; not part of the package.
import ConvKernels
import Glibc

/// One scratch file per fuzzing process, rewritten for every input: the reader takes regular files only.
private let scratchPath = "/tmp/convtutor-fuzz-idx-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDXReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let descriptor = open(scratchPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return 0 }
    var written = 0
    while written < size {
        let count = write(descriptor, data + written, size - written)
        if count <= 0 { break }
        written += count
    }
    close(descriptor)
    // As labels and as images, the way IDXFile and IDXDataset read them: header, budget, values.
    for dimensions in [1, 3] {
        if let file = try? IDXFile(path: scratchPath, expectedDimensions: dimensions) {
            precondition(file.bytes.count == ResourceBudget.product(file.dimensions) ?? -1
                         || file.dimensions.contains(0) && file.bytes.isEmpty,
                         "\(file.dimensions) read as \(file.bytes.count) values")
        }
    }
    return 0
}
