import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Persistent worker threads that spin briefly between jobs, so a kernel can split a job of a
/// few dozen microseconds over the cores and gain from it.
///
/// `DispatchQueue.concurrentPerform` wakes a sleeping thread for every job; on the virtual
/// machines this runs on, that wake-up costs 50 to 100 µs, more than a LeNet-5 layer takes. The
/// workers here poll for a millisecond or two after each job (as OpenMP runtimes do), yielding
/// their core after the first few microseconds so that an oversubscribed machine still makes
/// progress, and then sleep on a condition variable.
///
/// The calling thread takes chunks too, and waits only for chunks a worker has actually started:
/// on a busy machine, where a worker may not get a core for milliseconds, the caller simply does
/// all the chunks itself instead of waiting for the worker to turn up.
final class WorkerPool: @unchecked Sendable {
    /// One pool for the process: as many workers as cores, less the calling thread.
    static let shared = WorkerPool(workers: Parallel.defaultThreads - 1)

    let workerCount: Int
    /// Bumped once per job; workers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// The current job's claims, packed so that one atomic add both claims a chunk and tells the
    /// claimer which job it belongs to: bits 0..<32 the next chunk to hand out, 32..<56 the chunk
    /// count, 56..<63 how many workers may take part. A claim past the count touches nothing.
    private let claims = Atomic<Int>(0)
    /// Chunks of the current job finished by workers.
    private let finishedChunks = Atomic<Int>(0)
    /// Held by the thread running a job, so jobs from different threads never mix.
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    // Written by the submitting thread before it publishes the job's claims (release), read by a
    // worker only after a successful claim (acquire); the job outlives every claimed chunk.
    private var job: ((Int) -> Void)?
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// How many polls a waiting thread makes before it starts yielding its core at each poll: when
    /// the machine has more runnable threads than cores, the thread it waits for may need that core.
    private let busyPolls = 2_000
    /// How many polls a worker makes before it sleeps (a millisecond or two).
    private let spinLimit = 200_000

    private static let countShift = 32, participantShift = 56
    private static let chunkMask = (1 << 32) - 1, countMask = (1 << 24) - 1

    private init(workers: Int) {
        workerCount = min(max(0, workers), 127)
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        for index in 0..<workerCount { startThread(index) }
    }

    /// Runs `body(chunk)` for every chunk in `0..<chunks` on the calling thread and up to
    /// `threads - 1` workers; returns when all are done. If another thread's job is running, this
    /// one runs on the calling thread alone.
    func run(chunks: Int, threads: Int, _ body: (Int) -> Void) {
        let helpers = min(workerCount, threads - 1, chunks - 1)
        guard helpers > 0, chunks <= Self.countMask,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            job = escapable
            finishedChunks.store(0, ordering: .relaxed)
            claims.store(helpers << Self.participantShift | chunks << Self.countShift, ordering: .releasing)
            // Sequentially consistent on both sides: a worker going to sleep either sees this
            // generation or is seen in `sleepers` and woken.
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(condition)
                pthread_mutex_unlock(mutex)
            }
            var ownChunks = 0
            while true {
                let chunk = claims.wrappingAdd(1, ordering: .relaxed).oldValue & Self.chunkMask
                if chunk >= chunks { break }
                escapable(chunk)
                ownChunks += 1
            }
            // Every chunk is claimed; wait for the ones workers are still running.
            var spins = 0
            while finishedChunks.load(ordering: .acquiring) < chunks - ownChunks {
                spins += 1
                if spins > busyPolls { sched_yield() }
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// Claims and runs chunks of the current job until none are left; `index` is this worker's.
    /// A claim is a compare-and-swap on the value whose job, count and participants were checked,
    /// so a worker never claims a chunk of a job it may not take part in.
    private func takeChunks(index: Int) {
        var packed = claims.load(ordering: .acquiring)
        while true {
            let chunk = packed & Self.chunkMask, count = (packed >> Self.countShift) & Self.countMask
            guard chunk < count, index < packed >> Self.participantShift else { return }
            let (claimed, current) = claims.compareExchange(expected: packed, desired: packed + 1, ordering: .acquiring)
            if claimed {
                runClaimed(chunk)
                finishedChunks.wrappingAdd(1, ordering: .releasing)
                packed = claims.load(ordering: .acquiring)
            } else {
                packed = current
            }
        }
    }

    /// Runs one claimed chunk; the worker's reference to the job ends here, before the chunk is
    /// reported finished, so the job's closure never outlives the `run` that lent it.
    @inline(never)
    private func runClaimed(_ chunk: Int) {
        guard let job else { preconditionFailure("a kernel worker claimed chunk \(chunk) of no job") }
        job(chunk)
    }

    private func workerLoop(index: Int) {
        // Generation 0 is the pool's start: a worker that starts late still takes the first job.
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < spinLimit {
                    if spins > busyPolls { sched_yield() }
                    continue
                }
                pthread_mutex_lock(mutex)
                sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen {
                    pthread_cond_wait(condition, mutex)
                }
                sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(mutex)
            }
            seen = generation.load(ordering: .acquiring)
            takeChunks(index: index)
        }
    }

    private func startThread(_ index: Int) {
        let context = Unmanaged.passRetained(WorkerStart(pool: self, index: index)).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let created = pthread_create(&thread, nil, { raw in
            guard let raw else { preconditionFailure("a kernel worker thread started without its context") }
            let start = Unmanaged<WorkerStart>.fromOpaque(raw).takeRetainedValue()
            start.pool.workerLoop(index: start.index)
            return nil
        }, context)
        precondition(created == 0, "could not start a kernel worker thread (pthread_create returned \(created))")
        #if canImport(Darwin)
        if let thread { pthread_detach(thread) }
        #else
        pthread_detach(thread)
        #endif
    }
}

private final class WorkerStart {
    let pool: WorkerPool
    let index: Int

    init(pool: WorkerPool, index: Int) {
        self.pool = pool
        self.index = index
    }
}
