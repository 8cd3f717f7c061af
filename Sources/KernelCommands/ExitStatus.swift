/// The exit statuses of `convtutor`.
///
/// swift-argument-parser exits with 64 (`EX_USAGE`) for a bad flag or value; convtutor uses 2, as
/// most Unix tools do, and keeps 1 for a run that failed (a compute line that was answered with an
/// error).
public enum ExitStatus {
    public static let success: Int32 = 0
    /// Something failed while running, e.g. a compute request was invalid.
    public static let failure: Int32 = 1
    /// A bad flag or value.
    public static let usage: Int32 = 2
    /// What swift-argument-parser returns for a usage error (`EX_USAGE` from sysexits.h).
    public static let parserUsage: Int32 = 64

    /// The status convtutor exits with, given the one swift-argument-parser chose.
    public static func mapping(parserStatus: Int32) -> Int32 {
        parserStatus == parserUsage ? usage : parserStatus
    }
}
