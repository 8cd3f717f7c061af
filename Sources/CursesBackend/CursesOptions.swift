#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the curses terminal should draw, from the command line and the environment.
public struct CursesOptions: Hashable, Sendable {
    /// No colour at all: `--no-color`, or `NO_COLOR` set to a non-empty value (no-color.org).
    public var forceMonochrome: Bool
    /// Printable ASCII only: `--ascii`. ASCII is also chosen, whatever this says, when the locale's
    /// character set is not UTF-8.
    public var forceASCII: Bool
    /// Ctrl-Z suspends the program to the shell (as it does in other terminal programs) instead of
    /// arriving as `.control("z")`.
    public var suspendsOnControlZ: Bool
    /// What a refusal message offers instead of the screens.
    public var alternative: String

    public init(forceMonochrome: Bool = false, forceASCII: Bool = false, suspendsOnControlZ: Bool = true,
                alternative: String = "use the commands instead: convtutor --help") {
        self.forceMonochrome = forceMonochrome
        self.forceASCII = forceASCII
        self.suspendsOnControlZ = suspendsOnControlZ
        self.alternative = alternative
    }

    /// The options for the flags `--no-color` and `--ascii`, with `NO_COLOR` from the environment
    /// (`environmentValue` looks a variable up; the process environment unless a test passes one).
    public static func fromFlags(noColor: Bool, ascii: Bool,
                                 environmentValue: (String) -> String? = CursesOptions.processEnvironmentValue)
        -> CursesOptions {
        let noColorVariable = environmentValue("NO_COLOR") ?? ""
        return CursesOptions(forceMonochrome: noColor || !noColorVariable.isEmpty, forceASCII: ascii)
    }

    /// The value of an environment variable of this process, nil when it is not set.
    public static func processEnvironmentValue(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
