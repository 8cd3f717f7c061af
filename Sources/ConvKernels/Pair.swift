/// A (height, width) pair of integers: a kernel size, stride, padding or dilation.
///
/// An integer literal stands for the same value in both directions: `let stride: Pair = 2`.
public struct Pair: Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same value for height and width.
    public init(_ both: Int) {
        self.init(both, both)
    }

    public init(integerLiteral value: Int) {
        self.init(value)
    }

    public var description: String {
        height == width ? "\(height)" : "\(height),\(width)"
    }
}
