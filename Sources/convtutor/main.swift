import CMemoryTuning
import ConvTutorCommands
import Foundation

// The only file that ends the process: every command returns its status.
convtutor_keep_freed_memory()
let status = ConvTutorCommand.run(arguments: Array(CommandLine.arguments.dropFirst()))
if let signal = ExitStatus.signal(of: status) {
    // A screen ended by Ctrl-C, SIGTERM or SIGHUP: end by the same signal, as the shell expects.
    Foundation.signal(signal, SIG_DFL)
    raise(signal)
}
exit(status)
