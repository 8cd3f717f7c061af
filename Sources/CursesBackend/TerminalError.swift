/// Why the terminal could not be used for the screens. `message` is meant for the person at the
/// terminal: it says what is wrong and what to do instead. The terminal is left as it was.
public struct TerminalError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
