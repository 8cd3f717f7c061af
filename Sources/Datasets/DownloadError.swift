/// A dataset download that did not finish, with a message naming the file, each address tried and
/// what went wrong there.
public struct DownloadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure, so that a command line can add the right hint.
    public enum Kind: Sendable, Equatable {
        /// The target folder cannot be created or written.
        case folderUnusable
        /// Another process holds the folder's download lock.
        case folderBusy
        /// Every mirror failed for one of the files.
        case allMirrorsFailed
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
