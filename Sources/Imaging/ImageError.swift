/// A problem with an image file a user gave: the message names the file and what was wrong, and
/// what would be accepted ("photo.png: not a PNG, JPEG, PGM or PPM file (it starts with "hell")").
public struct ImageError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
