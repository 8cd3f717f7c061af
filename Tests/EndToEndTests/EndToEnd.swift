import Testing

/// Every end-to-end suite (the real `convtutor` binary, and tmux) is nested in this one, and it is
/// serialized: Swift Testing's `.serialized` orders only the tests inside a suite, and sibling
/// suites run in parallel, so one parent suite is what makes the whole target run one test at a
/// time. Several processes (each training, or drawing a screen) at once would compete for the
/// cores with each other as well as with the rest of `swift test`.
///
/// Every wait polls for what it waits for (a line, a screen, a process's end) with a generous
/// bound, never a fixed sleep: a loaded two-core machine may take many times as long as an idle one.
@Suite("End to end", .serialized)
enum EndToEnd {
    /// How long a poll of a tmux screen waits for what it looks for before the test fails.
    static let screenWait: Double = 60
    /// How long a wait for something that takes training (an epoch, a start on a large data set) may take.
    static let trainingWait: Double = 300

}
