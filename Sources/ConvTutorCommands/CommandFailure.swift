import Foundation

/// A command that cannot go on because of something the user gave (a file, a dataset, a folder):
/// `ConvTutorCommand.run(arguments:)` writes the message to standard error and returns `status`.
/// Commands throw it instead of exiting, so that they run in-process in tests.
public struct CommandFailure: Error, CustomStringConvertible {
    /// The whole line, with the command's name in front ("convtutor train: ...").
    public let message: String
    public let status: Int32

    public init(_ message: String, status: Int32 = ExitStatus.failure) {
        self.message = message
        self.status = status
    }

    public var description: String { message }
}

/// Ends the process the way `signal` would by default (the shell sees 128 + its number), for a
/// second Ctrl-C that must stop a command at once. Not an exit: the signal's own action ends it.
///
/// The signal goes to the process, not with `raise` to the calling thread: the callers run on a
/// dispatch queue, whose worker threads block signals, so a raised one would stay pending there.
func dieBySignal(_ number: Int32) {
    signal(number, SIG_DFL)
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    sigaddset(&unblocked, number)
    pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    kill(getpid(), number)
    // Delivery is asynchronous: wait for it rather than return into code that would go on.
    while true { pause() }
}
