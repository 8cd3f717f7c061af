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

    /// The status of a command ended by `signal` (128 + its number, as the shell reports it);
    /// `main.swift` re-raises the signal for such a status once the terminal has been restored.
    public static func interrupted(by signal: Int32) -> Int32 { 128 + signal }

    /// The signal behind a status from `interrupted(by:)`, or nil.
    public static func signal(of status: Int32) -> Int32? {
        (129...192).contains(status) ? status - 128 : nil
    }

    /// The status convtutor exits with, given the one swift-argument-parser chose.
    public static func mapping(parserStatus: Int32) -> Int32 {
        parserStatus == parserUsage ? usage : parserStatus
    }
}
