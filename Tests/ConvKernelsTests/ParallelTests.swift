@testable import ConvKernels
import Dispatch
import Synchronization
import Testing

@Suite("parallel work")
struct ParallelTests {
    @Test("every chunk runs exactly once, for any chunk and thread count", arguments: [1, 2, 3, 7, 64, 1000], [1, 2, 4])
    func everyChunkOnce(chunks: Int, threads: Int) {
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: chunks)
        counts.initialize(repeating: 0, count: chunks)
        defer { counts.deallocate() }
        nonisolated(unsafe) let slots = counts
        for _ in 0..<200 {
            Parallel.forEach(chunks: chunks, threads: threads) { chunk in slots[chunk] += 1 }
        }
        #expect((0..<chunks).allSatisfy { counts[$0] == 200 })
    }

    @Test("jobs submitted from several threads at once all complete (one runs on the pool, the others inline)")
    func concurrentSubmitters() {
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<500 {
                Parallel.forEach(chunks: 8, threads: 2) { _ in total.wrappingAdd(1, ordering: .relaxed) }
            }
        }
        #expect(total.load(ordering: .relaxed) == 4 * 500 * 8)
    }

    @Test("a job that starts a job inside a chunk runs the inner one inline instead of waiting on itself")
    func nestedJobs() {
        let total = Atomic<Int>(0)
        Parallel.forEach(chunks: 4, threads: 2) { _ in
            Parallel.forEach(chunks: 3, threads: 2) { _ in total.wrappingAdd(1, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 12)
    }

    @Test("split covers the range in near-equal contiguous parts")
    func split() {
        #expect(Parallel.split(10, into: 3) == [0..<3, 3..<6, 6..<10])
        #expect(Parallel.split(2, into: 4) == [0..<1, 1..<2])
        #expect(Parallel.split(0, into: 2) == [0..<0])
    }
}
