// libFuzzer entry point for the compute reader: every line of any text must be answered by ComputeFilter (an
// answer or an {"error": ...}) without a crash, an exit, a hang, a memory error or more memory than the budget
// (the build adds AddressSanitizer; the run limits RSS to 1100 MB). Compiled into a module of the grid commands'
// code by tools/fuzz-compute.sh; not part of the package.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzComputeReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // `convtutor compute` reads lines as Swift's readLine does: invalid UTF-8 is repaired, not refused.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        _ = ComputeFilter.answer(to: String(line))
    }
    return 0
}
