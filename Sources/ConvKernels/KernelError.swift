/// An error a caller can cause with the values it passes: a shape that does not fit, a stride of 0,
/// a label out of range. The message names the value and the rule it broke.
public struct KernelError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
