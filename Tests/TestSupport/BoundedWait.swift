import Foundation

/// The one bounded wait the tests use: poll for what is awaited (a line, a screen, a process's end,
/// a training step) up to a generous limit, never a fixed sleep, since a loaded two-core machine may
/// take many times as long as an idle one.
public enum BoundedWait {
    /// Takes a `sample` every `interval` seconds until `condition` holds for it or `seconds` pass:
    /// whether it held, and the last sample (for the failure message).
    public static func poll<Value>(seconds: Double, interval: Double = 0.05, sample: () throws -> Value,
                                   until condition: (Value) -> Bool) rethrows -> (met: Bool, last: Value) {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let value = try sample()
            if condition(value) { return (true, value) }
            if Date() >= deadline { return (false, value) }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// Polls `condition` every `interval` seconds until it holds (true) or `seconds` pass (false).
    public static func poll(seconds: Double, interval: Double = 0.05, _ condition: () -> Bool) -> Bool {
        poll(seconds: seconds, interval: interval, sample: condition, until: { $0 }).met
    }
}
