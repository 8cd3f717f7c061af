import CPlatform
import ConvTutorCommands
import Foundation

// The only file that ends the process: every command returns its status.

// First of all, before any kernel code can run: a build compiled for Haswell (x86-64-v3, the
// default on x86-64) names what an older CPU lacks instead of dying with "Illegal instruction".
// Nothing compiled for Haswell runs before this line (Swift globals are initialised lazily and no
// C target has a constructor). Until the check has passed, only C calls: Swift code, even here, may
// run a generic specialisation the linker took from a kernel module's copy, compiled for Haswell
// (building the message in Swift did, and died of SIGILL under qemu -cpu Westmere).
let missingCPUFeatures = convtutor_cpu_features_required() & ~convtutor_cpu_features_present()
if missingCPUFeatures != 0 {
    convtutor_print_cpu_requirement(missingCPUFeatures)
    exit(1)
}

convtutor_keep_freed_memory()
let status = ConvTutorCommand.run(arguments: Array(CommandLine.arguments.dropFirst()))
if let signal = ExitStatus.signal(of: status) {
    // A screen ended by Ctrl-C, SIGTERM or SIGHUP: end by the same signal, as the shell expects.
    Foundation.signal(signal, SIG_DFL)
    raise(signal)
}
exit(status)
