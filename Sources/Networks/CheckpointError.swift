/// A checkpoint that cannot be read or written, with a message naming the file and what is wrong.
public struct CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
