import Networks
import Datasets
/// Counts of (actual class, predicted class) pairs, and the figures read off them: accuracy and
/// per-class precision, recall and F1.
public struct ConfusionMatrix: Sendable, Equatable {
    public let classes: Int
    /// `counts[actual * classes + predicted]`.
    public private(set) var counts: [Int]

    public init(classes: Int = 10) {
        precondition(classes >= 1, "a confusion matrix needs at least one class, not \(classes)")
        self.classes = classes
        counts = [Int](repeating: 0, count: classes * classes)
    }

    public subscript(actual actual: Int, predicted predicted: Int) -> Int {
        counts[actual * classes + predicted]
    }

    public mutating func add(actual: Int, predicted: Int) {
        precondition((0..<classes).contains(actual) && (0..<classes).contains(predicted),
                     "class \(actual) or \(predicted) is outside 0..<\(classes)")
        counts[actual * classes + predicted] += 1
    }

    public mutating func add(_ other: ConfusionMatrix) {
        precondition(other.classes == classes, "confusion matrices of \(classes) and \(other.classes) classes")
        for index in counts.indices { counts[index] += other.counts[index] }
    }

    public var total: Int { counts.reduce(0, +) }
    public var correct: Int { (0..<classes).reduce(0) { $0 + self[actual: $1, predicted: $1] } }
    /// Correct over total; 0 when empty.
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Of the images predicted as `c`, the share that are `c` (nil when nothing was predicted `c`).
    public func precision(_ c: Int) -> Double? {
        let predicted = (0..<classes).reduce(0) { $0 + self[actual: $1, predicted: c] }
        return predicted == 0 ? nil : Double(self[actual: c, predicted: c]) / Double(predicted)
    }

    /// Of the images that are `c`, the share predicted `c` (nil when there are none).
    public func recall(_ c: Int) -> Double? {
        let actual = (0..<classes).reduce(0) { $0 + self[actual: c, predicted: $1] }
        return actual == 0 ? nil : Double(self[actual: c, predicted: c]) / Double(actual)
    }

    /// The harmonic mean of precision and recall (nil when either is undefined; 0 when both are 0).
    public func f1(_ c: Int) -> Double? {
        guard let p = precision(c), let r = recall(c) else { return nil }
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    /// The off-diagonal cells with the most images, largest first (ties by actual, then predicted class).
    public func mostConfused(limit: Int = 5) -> [(actual: Int, predicted: Int, count: Int)] {
        var pairs: [(actual: Int, predicted: Int, count: Int)] = []
        for actual in 0..<classes {
            for predicted in 0..<classes where predicted != actual && self[actual: actual, predicted: predicted] > 0 {
                pairs.append((actual, predicted, self[actual: actual, predicted: predicted]))
            }
        }
        pairs.sort { $0.count != $1.count ? $0.count > $1.count : ($0.actual, $0.predicted) < ($1.actual, $1.predicted) }
        return Array(pairs.prefix(limit))
    }
}
