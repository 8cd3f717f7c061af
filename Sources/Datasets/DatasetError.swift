/// A dataset file or folder that cannot be used, with a message naming the file and what is wrong.
public struct DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
