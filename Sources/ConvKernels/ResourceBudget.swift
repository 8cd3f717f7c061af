/// What one thing a user asks for (a grid command, a lesson step, a playground change, a decoded
/// image, a dataset, a checkpoint) may cost before it is refused, so that no input makes the program
/// use more than about 1 GB or run for minutes on a 2-core laptop.
///
/// Callers estimate the cost from the shapes, before allocating or looping, with the overflow-safe
/// `product` (an estimate that does not fit in an `Int` is over any budget), then `check` it: the
/// refusal carries the estimate and the limit in words.
public struct ResourceBudget: Hashable, Sendable {
    /// Bytes one request may hold at once.
    public var memoryBytes: Int
    /// Elementary steps (multiply-adds, window cells visited, values recorded) one request may take.
    public var work: Int

    public init(memoryBytes: Int, work: Int) {
        self.memoryBytes = memoryBytes
        self.work = work
    }

    /// The default for anything a user asks for interactively: 512 MB and 2 billion steps (a few
    /// seconds on one core of a laptop). Half the 1 GB ceiling, so two things in flight still fit.
    public static let standard = ResourceBudget(memoryBytes: 512 * 1_000_000, work: 2_000_000_000)

    /// The product of `factors`, or nil when any is negative or the product overflows `Int`.
    public static func product(_ factors: Int...) -> Int? { product(factors) }

    /// The product of `factors`, or nil when any is negative or the product overflows `Int`.
    public static func product(_ factors: some Sequence<Int>) -> Int? {
        var result = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// The sum of `terms`, or nil when it overflows `Int`.
    public static func sum(_ terms: Int?...) -> Int? {
        var result = 0
        for term in terms {
            guard let term else { return nil }
            let (next, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// Throws when `bytes` (nil: too large to count) is over the memory budget.
    /// `what` names the request: "a 20001x20001 pool over a 40001x40001 padded input".
    public func check(memory bytes: Int?, for what: String) throws(BudgetExceeded) {
        guard let bytes, bytes <= memoryBytes else {
            throw BudgetExceeded(message: "\(what) would need \(Self.describeBytes(bytes)) of memory; the limit is \(Self.describeBytes(memoryBytes))")
        }
    }

    /// Throws when `steps` (nil: too many to count) is over the work budget; `unit` names a step ("multiply-adds").
    public func check(work steps: Int?, unit: String, for what: String) throws(BudgetExceeded) {
        guard let steps, steps <= work else {
            throw BudgetExceeded(message: "\(what) would take \(Self.describeCount(steps)) \(unit); the limit is \(Self.describeCount(work))")
        }
    }

    /// "1.8 GB", "512 MB", "more than 9.2 EB" (nil); decimal units.
    public static func describeBytes(_ bytes: Int?) -> String {
        guard let bytes else { return "more than 9.2 EB" }
        if bytes < 1000 { return "\(bytes) bytes" }
        return scaled(Double(bytes), units: ["KB", "MB", "GB", "TB", "PB", "EB"])
    }

    /// "2.0 billion", "45 million", "more than 9.2 quintillion" (nil); plain digits below 10,000.
    public static func describeCount(_ count: Int?) -> String {
        guard let count else { return "more than 9.2 quintillion" }
        if count < 10_000 { return "\(count)" }
        if count < 1_000_000 { return "\(count / 1000) thousand" }
        return scaled(Double(count) / 1e3, units: ["million", "billion", "trillion", "quadrillion", "quintillion"])
    }

    /// 61706 as "61,706": exact counts in messages.
    public static func groupedDigits(_ value: Int) -> String {
        let digits = Array(String(value.magnitude))
        var text = value < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }

    private static func scaled(_ value: Double, units: [String]) -> String {
        var scaled = value / 1000
        var index = 0
        while scaled >= 1000 && index < units.count - 1 {
            scaled /= 1000
            index += 1
        }
        let rounded = scaled < 10 ? (scaled * 10).rounded() / 10 : scaled.rounded()
        let text = scaled < 10 ? "\(rounded)" : "\(Int(rounded))"
        return "\(text) \(units[index])"
    }
}

/// A request refused by a `ResourceBudget`; the message gives the estimate and the limit.
public struct BudgetExceeded: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
