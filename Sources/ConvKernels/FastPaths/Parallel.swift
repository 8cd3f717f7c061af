#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Splitting work over cores.
public enum Parallel {
    /// The number of cores online, at least 1.
    public static let defaultThreads: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Multiply-adds below which a kernel runs on the calling thread alone: handing work to another
    /// core and waiting for it costs about a microsecond even when the worker is spinning.
    public static let minimumParallelWork = 1 << 18

    /// Runs `body(chunk)` for `chunk` in `0..<chunks`, on up to `threads` threads at once.
    /// With one thread (or one chunk) it runs inline, with no dispatch at all.
    ///
    /// Chunks are handed out one at a time, so uneven chunks balance themselves. The caller
    /// promises that different chunks write to different memory; that is why `body` need not be
    /// `Sendable` (the kernels hand raw buffer pointers to their chunks).
    public static func forEach(chunks: Int, threads: Int, _ body: (Int) -> Void) {
        if chunks <= 0 { return }
        if threads <= 1 || chunks == 1 {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        WorkerPool.shared.run(chunks: chunks, threads: threads, body)
    }

    /// Splits `0..<count` into `parts` contiguous ranges of near-equal size.
    public static func split(_ count: Int, into parts: Int) -> [Range<Int>] {
        let parts = max(1, min(parts, count))
        return (0..<parts).map { part in (count * part / parts)..<(count * (part + 1) / parts) }
    }
}

/// Uninitialised room for `count` floats, starting on a 64-byte cache line, for kernel scratch
/// buffers. Threads that write neighbouring 16-float runs of such a buffer never share a cache
/// line; with malloc's 16-byte alignment they would, and the line would bounce between cores.
/// Release it with `deallocate()`.
func allocateAlignedFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: max(1, count))
}
