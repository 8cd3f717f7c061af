import ArgumentParser
import CommonIO
import ConvKernels
import Foundation
import Training
import Networks
import Datasets

extension TrainingOptimizer.Kind: ExpressibleByArgument {}

/// `convtutor train`: trains a network (LeNet-5 unless --arch says) on the live screen (on a terminal) or headless.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train LeNet-5 or any network spec on MNIST or the built-in digits, with checkpoints PyTorch can read.",
        discussion: """
            Without --data, trains on MNIST if 'convtutor data fetch mnist' has stored it in the cache, \
            else on the built-in digits (made in memory, nothing downloaded), and says which it chose; \
            --data builtin always takes the built-in digits. \
            5,000 training images are held out for validation; the test set is used only for the \
            reported test figures.

            The default recipe: Adam at a peak learning rate of 0.003, batch 32, 100 warm-up steps, \
            and the anneal schedule (a cosine down to a tenth over the first epoch, then a second \
            cosine to 0 over the rest); PyTorch's initialisation; inputs normalised by the training \
            set's mean and deviation. On MNIST it passes 98.5% after one epoch.

            When standard input and output are a terminal, training runs on the live screen (curves, \
            filters, a probe digit, the confusion matrix; ? lists its keys; w writes a checkpoint to \
            --save, else into $XDG_DATA_HOME/convtutor/checkpoints (~/.local/share/convtutor/checkpoints), \
            and q offers one). With --no-tui, or without a terminal, it runs \
            headless: a progress bar on standard error when that is a terminal, and each epoch's \
            figures on standard output. --log writes JSON Lines (one "epoch" event per epoch and a \
            last "done" event) as they happen, in place: a link is followed, a FIFO (its reader \
            started first) or a character device such as /dev/stdout is written to directly; a log \
            cut short by a crash keeps its lines so far. --save is written atomically (a temporary \
            file, then a rename; a link is followed, a device or FIFO refused). Ctrl-C, SIGTERM or \
            SIGHUP (a dropped SSH connection) stop at the next step and still write --save and --log; \
            a second one quits at once. On the screen, w and q write to --save when it is given (q \
            asks first).

            --arch NAME|FILE trains another network: a built-in architecture (lenet5, \
            lenet5-classic, lenet5-gap, vgg-mini, resnet-mini, plain-mini, mobilenet-mini, \
            inception-mini; convtutor model --arch NAME shows one) or a spec file you wrote (see \
            convtutor model --help). A checkpoint records its network, so --resume needs no --arch.

            --compare A,B trains two networks or option sets at once, each on half the threads, and \
            overlays their curves (headless: both runs' epoch lines, each labelled [A] or [B]). Each \
            side starts from the other flags and changes them with one or more of: a network (a \
            built-in name such as resnet-mini, or a spec file); modern, classic (lenet5 and \
            lenet5-classic); plain (no dropout, augmentation or batch normalisation); dropout or \
            dropout=P (0.5 unless given); augment; batch-norm; subset=N (train on N images) or full \
            (every image); lr=RATE. Join several with +, as in dropout=0.3+augment.

            Examples:
              convtutor train --epochs 1
              convtutor train --no-tui --epochs 1
              convtutor train --arch resnet-mini --epochs 2
              convtutor train --arch my-net.toml --save my-net.safetensors
              convtutor train --compare resnet-mini,plain-mini --epochs 2
              convtutor train --compare classic,modern --epochs 3
              convtutor train --compare dropout,plain --subset 2000
              convtutor train --compare augment,plain
              convtutor train --no-tui --compare subset=1000,full --epochs 5
              convtutor train --no-tui --data ~/mnist --save lenet.safetensors --log train.jsonl
              convtutor train --no-tui --optimizer sgd --lr 0.05 --schedule step:3:0.5
              convtutor train --no-tui --resume lenet.safetensors --epochs 20 --save lenet.safetensors

            Exit status: 0 when training ran (also when a first Ctrl-C, SIGTERM or SIGHUP stopped it \
            early), 1 when it could not (a bad file, a dataset over the memory budget or with labels \
            outside 0 to 9, a diverged loss, --save or --log not written), 2 for a bad flag or value, \
            and 128 + the signal's number (130, 143, 129) when a second signal ended it.
            """)

    @Flag(name: .customLong("no-tui"), help: "Train without the live screen (it opens when standard input and output are a terminal).")
    var noTUI = false

    @Option(help: ArgumentHelp("Train two option sets side by side, A,B (see the examples).", valueName: "A,B"))
    var compare: String?

    @OptionGroup var display: DisplayOptions

    @Option(help: ArgumentHelp("A folder of MNIST-layout IDX files (plain or .gz), or builtin for the built-in digits.",
                               valueName: "dir"), completion: .custom(Completion.datasetFolders))
    var data: String?

    @Option(help: "Epochs to train (1 to 10000).")
    var epochs: Int = 10

    @Option(name: .customLong("batch-size"), help: "Images per step (1 to 2048: a step holds about 125 KB per image).")
    var batchSize: Int = 32

    @Option(help: "The optimizer: adam or sgd (with momentum).")
    var optimizer: TrainingOptimizer.Kind = .adam

    @Option(help: ArgumentHelp("The peak learning rate, a finite number above 0 (default 0.003 for adam, 0.05 for sgd).", valueName: "rate"))
    var lr: Float?

    @Option(help: "SGD's momentum (0 to below 1).")
    var momentum: Float = 0.9

    @Option(help: ArgumentHelp("The learning-rate schedule: anneal, constant, step:EVERY:FACTOR, exponential:FACTOR or cosine[:MINIMUM] (per epoch, spanning --epochs).",
                               valueName: "schedule"))
    var schedule: String = "anneal"

    @Option(help: ArgumentHelp("Steps over which the learning rate rises from near 0 at the start (0 to 10000000).", valueName: "steps"))
    var warmup: Int = 100

    @Option(help: ArgumentHelp("The network: a built-in architecture (default lenet5) or a spec file (.toml).",
                               valueName: "name|file"), completion: .file(extensions: ["toml"]))
    var arch: String?

    @Option(help: "Which LeNet-5: modern (ReLU, max pooling; --arch lenet5) or classic (tanh, average pooling; --arch lenet5-classic).")
    var variant: LeNetVariant?

    @Option(help: ArgumentHelp("Dropout probability after the hidden linear layers (LeNet-5's fc1 and fc2; 0 for none, up to below 1).",
                               valueName: "p"))
    var dropout: Float = 0

    @Flag(name: .customLong("batch-norm"), help: "Batch normalisation after each convolution that has none.")
    var batchNorm = false

    @Option(name: .customLong("weight-decay"), help: ArgumentHelp("L2 weight decay (0 to 1).", valueName: "lambda"))
    var weightDecay: Float = 0

    @Option(help: ArgumentHelp("L1 penalty on the weights (0 to 1).", valueName: "lambda"))
    var l1: Float = 0

    @Flag(help: "Random shifts, small rotations, scaling and noise on training images.")
    var augment = false

    @Option(help: ArgumentHelp("Training images held out for validation (0 to 10000000, fewer than the training set holds).", valueName: "count"))
    var validation: Int = 5_000

    @Option(help: ArgumentHelp("Stop after this many epochs (1 to 10000) without a better validation loss, keeping the best weights.",
                               valueName: "epochs"))
    var patience: Int?

    @Option(help: ArgumentHelp("Train on only this many images, 1 to 10000000 (to watch overfitting).", valueName: "count"))
    var subset: Int?

    @Option(help: "The seed for initialisation, the validation split, shuffling, dropout and augmentation (0 to 18446744073709551615).")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Threads to train with, 1 to 256 (default: every core).", valueName: "count"))
    var threads: Int = Parallel.defaultThreads

    @Option(help: ArgumentHelp("Write the trained network here (safetensors, written atomically).", valueName: "file"),
            completion: .file(extensions: Completion.checkpointExtensions))
    var save: String?

    @Option(help: ArgumentHelp("Continue from a checkpoint written by convtutor train.", valueName: "file"),
            completion: .file(extensions: Completion.checkpointExtensions))
    var resume: String?

    @Option(help: ArgumentHelp("Write JSON Lines events here as they happen (in place: a file, a FIFO or /dev/stdout).",
                               valueName: "file"), completion: .file())
    var log: String?

    func validate() throws {
        do {
            for plan in try makeRunPlans() { try plan.configuration.validate() }
        } catch let error as KernelError {
            throw ValidationError(error.message)
        } catch is CommandFailure {
            // A network that cannot be read: run() meets it again and reports it as the failure it is (exit 1).
        }
        if compare != nil {
            for (flag, value) in [("--save", save), ("--log", log), ("--resume", resume)] where value != nil {
                throw ValidationError("\(flag) takes one run and --compare trains two; drop \(flag) or --compare")
            }
        }
        if let save {
            if let refusal = AtomicFile.refusal(toWrite: save) { throw ValidationError("--save \(save) \(refusal.reason)") }
            try checkWritable(save, flag: "--save")
        }
        if let log { try checkLogDestination(log) }
        if let resume, !FileManager.default.fileExists(atPath: resume) {
            throw ValidationError("--resume \(resume): no such file; give a checkpoint written by convtutor train --save")
        }
        if let data, data != Self.builtInDataName {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--data \(data): no such folder; give a folder holding train-images-idx3-ubyte, "
                    + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (or their .gz)")
            }
        }
    }

    /// The folder must exist and take a new file; the file itself, if there, must not be a folder.
    private func checkWritable(_ path: String, flag: String) throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("\(flag) \(path) is a folder; give a file name")
        }
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(flag) \(path): the folder \(folder) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw ValidationError("\(flag) \(path): the folder \(folder) is not writable")
        }
    }

    /// --log is written in place (see `TrainingLogFile`): an existing file, FIFO or character device
    /// needs only to be writable; a new file needs a folder that takes one.
    private func checkLogDestination(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else { return try checkWritable(path, flag: "--log") }
        switch status.st_mode & S_IFMT {
        case S_IFREG, S_IFIFO, S_IFCHR:
            guard access(path, W_OK) == 0 else { throw ValidationError("--log \(path): no permission to write it") }
        default:
            throw ValidationError("--log \(path) is \(FileKind.describe(mode: status.st_mode)); give the path of a file "
                + "to write (or a FIFO, or a character device such as /dev/stdout)")
        }
    }

    /// True when a flag chose the network or changed it; without one, --resume trains the
    /// checkpoint's network as it recorded it.
    var choosesNetwork: Bool { arch != nil || variant != nil || batchNorm || dropout != 0 }

    /// The network --arch and --variant name (lenet5 when neither does).
    func architecture() throws -> NetworkSpec {
        if let variant {
            guard arch == nil || arch == variant.architecture else {
                throw ValidationError("--variant \(variant.rawValue) chooses LeNet-5 (\(variant.architecture)) and --arch "
                    + "\(arch!) another network; give one of them")
            }
            return BuiltInArchitecture.spec(named: variant.architecture)!
        }
        return try NetworkChoice.buildableSpec(named: arch ?? "lenet5", command: "train")
    }

    func makeConfiguration() throws -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.architecture = try architecture()
        configuration.dropout = dropout
        configuration.batchNorm = batchNorm
        configuration.optimizer = optimizer
        configuration.learningRate = lr
        configuration.momentum = momentum
        configuration.schedule = try Self.parseSchedule(schedule, epochs: epochs)
        configuration.warmupSteps = warmup
        configuration.batchSize = batchSize
        configuration.epochs = epochs
        configuration.threads = threads
        configuration.seed = seed
        configuration.validationCount = validation
        configuration.augmentation = augment ? Augmentation() : nil
        configuration.weightDecay = weightDecay
        configuration.l1 = l1
        configuration.patience = patience
        configuration.trainingSubset = subset
        return configuration
    }

    static func parseSchedule(_ text: String, epochs: Int) throws -> TrainingSchedule {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let accepted = "give anneal, constant, step:EVERY:FACTOR (e.g. step:3:0.5), exponential:FACTOR (e.g. exponential:0.9) or cosine[:MINIMUM]"
        switch (parts.first ?? "", parts.count) {
        case ("anneal", 1): return .anneal
        case ("constant", 1): return .perEpoch(.constant)
        case ("step", 3):
            guard let every = Int(parts[1]), let factor = Float(parts[2]) else { break }
            return try checked(.step(every: every, factor: factor), text: text)
        case ("exponential", 2):
            guard let factor = Float(parts[1]) else { break }
            return try checked(.exponential(factor: factor), text: text)
        case ("cosine", 1): return .perEpoch(.cosine(totalEpochs: max(1, epochs)))
        case ("cosine", 2):
            guard let minimum = Float(parts[1]) else { break }
            return try checked(.cosine(totalEpochs: max(1, epochs), minimum: minimum), text: text)
        default: break
        }
        throw ValidationError("--schedule \(text) is not understood; \(accepted)")
    }

    /// `schedule` when its numbers are in range, else a usage error that names the flag.
    private static func checked(_ schedule: LearningRateSchedule, text: String) throws -> TrainingSchedule {
        do {
            try schedule.validate()
        } catch {
            throw ValidationError("--schedule \(text): \(error.message)")
        }
        return .perEpoch(schedule)
    }

    /// True when `run` opens the live screen: standard input and output are a terminal and --no-tui was not given.
    var opensScreen: Bool { !noTUI && isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    /// The runs to train, each with the label the legend and the epoch lines give it: one, or two for
    /// --compare (each on half the threads, so that together they use what one run would).
    func makeRunPlans() throws -> [(label: String, configuration: TrainingConfiguration)] {
        let base = try makeConfiguration()
        guard let compare else { return [(Self.describe(base), base)] }
        let sides = try CompareSide.parsePair(compare)
        return sides.map { side in
            var configuration = side.applied(to: base)
            configuration.threads = max(1, base.threads / 2)
            return (side.label, configuration)
        }
    }

    /// "lenet5", "lenet5-classic, dropout 0.5, batch norm, augmented, 1,000 images": a single run's label.
    static func describe(_ configuration: TrainingConfiguration) -> String {
        var parts = [configuration.architecture.name]
        if configuration.dropout > 0 { parts.append("dropout \(configuration.dropout)") }
        if configuration.batchNorm { parts.append("batch norm") }
        if configuration.augmentation != nil { parts.append("augmented") }
        if let subset = configuration.trainingSubset { parts.append("\(subset.formatted()) images") }
        return parts.joined(separator: ", ")
    }

    /// `--data builtin`: the built-in digits even when MNIST is in the cache.
    static let builtInDataName = "builtin"

    /// The checkpoint given to --resume, read (or nil without --resume).
    func loadResume() throws(CheckpointError) -> (checkpoint: Checkpoint, name: String)? {
        guard let resume else { return nil }
        return (try Checkpoint(path: resume), resume)
    }

    /// The images: --data's folder, else MNIST from the cache, else the built-in digits.
    func loadData() throws(DatasetError) -> TrainingData {
        if data == Self.builtInDataName { return TrainingData.builtInDigits(seed: 0) }
        if let data { return try TrainingData.idx(directory: data) }
        return try TrainingData.defaultChoice(seed: 0)
    }

    /// The runs to train from `resume`: without a flag that chooses the network, the network the
    /// checkpoint recorded (so that --resume needs nothing else, and the screen's r restarts it).
    func makeRunPlans(resume: (checkpoint: Checkpoint, name: String)?) throws
        -> [(label: String, configuration: TrainingConfiguration)] {
        var plans = try makeRunPlans()
        guard let (checkpoint, name) = resume, !choosesNetwork else { return plans }
        let recorded: NetworkSpec
        do {
            recorded = try Network(checkpoint: checkpoint, file: name).spec
        } catch {
            throw failure("\(error)")
        }
        for index in plans.indices {
            plans[index].configuration.architecture = recorded
            plans[index].configuration.dropout = 0
            plans[index].configuration.batchNorm = false
            plans[index].label = Self.describe(plans[index].configuration)
        }
        return plans
    }

    /// One trainer per plan on `data`. A setting the trainer refuses is a usage error (exit 2); a
    /// checkpoint, network or split that does not fit is thrown as is.
    static func makeTrainers(_ plans: [(label: String, configuration: TrainingConfiguration)], data: TrainingData,
                             resume: (checkpoint: Checkpoint, name: String)?) throws -> [Trainer] {
        do {
            return try plans.map { try Trainer(configuration: $0.configuration, data: data, resume: resume) }
        } catch let error as KernelError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        if opensScreen {
            let status = try TrainingScreenLauncher.run(command: self)
            if status != ExitStatus.success { throw ExitCode(status) }
            return
        }
        let resumeFrom: (checkpoint: Checkpoint, name: String)?
        do {
            resumeFrom = try loadResume()
        } catch {
            throw failure("\(error)")
        }
        // The networks before the data: a spec that cannot be read is said at once.
        let plans = try makeRunPlans(resume: resumeFrom)
        let trainingData: TrainingData
        do {
            trainingData = try loadData()
        } catch {
            throw failure("\(error)")
        }
        let trainers: [Trainer]
        do {
            trainers = try Self.makeTrainers(plans, data: trainingData, resume: resumeFrom)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw failure("\(error)")
        }
        printStandardError(dataChoiceLine(trainingData))
        if trainers.count == 1 {
            try runHeadless(trainers[0], configuration: plans[0].configuration)
        } else {
            try runCompared(trainers, plans: plans)
        }
    }

    /// One run without the screen: the progress bar, epoch lines, --log and --save.
    private func runHeadless(_ trainer: Trainer, configuration: TrainingConfiguration) throws {
        let logFile = try openLog()
        let printer = TrainingProgressPrinter(showsBar: isatty(STDERR_FILENO) == 1, configuration: configuration)
        let writeLog = Self.logWriter(logFile)
        // In place before the run starts, so that a signal as soon as its first line appears is caught.
        let interrupts = InterruptHandler()
        let session = TrainingSession(trainer: trainer, onEvent: { event in
            printer.handle(event)
            writeLog(event)
        })
        interrupts.whenStopped { session.control.stop() }
        let (finished, outcome) = session.wait()
        printer.clearBar()
        // The handler stays until --save is written: a hang-up during the save must not end it.
        let succeeded = finishRun(finished, outcome: outcome, logFile: logFile, writeSave: true)
        interrupts.cancel()
        if !succeeded { throw ExitCode(ExitStatus.failure) }
    }

    /// Opens the --log file for writing (nil without --log); one that cannot be opened ends the command.
    func openLog() throws(CommandFailure) -> TrainingLogFile? {
        guard let log else { return nil }
        do {
            return try TrainingLogFile(path: log)
        } catch {
            throw failure("--log \(log) \(error.reason)")
        }
    }

    /// Writes each event's --log line as it comes, but the final one: `finishRun` writes that after
    /// the save, so that it can name the checkpoint.
    static func logWriter(_ logFile: TrainingLogFile?) -> @Sendable (TrainingEvent) -> Void {
        { event in
            if case .finished = event { return }
            if let logFile, let line = TrainingLog.line(for: event) { logFile.write(line: line) }
        }
    }

    /// After a run (headless or on the screen): writes --save (unless `writeSave` is false: the user
    /// declined on the screen), the final --log line, and the summary. False when the run diverged
    /// or --save or --log could not be written.
    func finishRun(_ trainer: Trainer, outcome: TrainingOutcome, logFile: TrainingLogFile?, writeSave: Bool,
                   mentionSave: Bool = true) -> Bool {
        var finished = trainer
        var written: String?
        if let save, writeSave {
            finished.lastTestAccuracy = outcome.lastEpoch?.testAccuracy
            do {
                try finished.checkpoint().write(to: save)
                written = save
            } catch {
                printStandardError("convtutor train: \(error)")
            }
        }
        var logFailed = false
        if let logFile {
            if let line = TrainingLog.line(for: .finished(outcome), checkpointPath: written) { logFile.write(line: line) }
            logFile.close()
            if let reason = logFile.failure {
                printStandardError("convtutor train: --log \(logFile.path) \(reason)")
                logFailed = true
            }
        }
        print(summary(outcome, checkpoint: written, mentionSave: mentionSave))
        if case .diverged = outcome.reason {
            printStandardError("convtutor train: \(outcome.message)")
            return false
        }
        return !(save != nil && writeSave && written == nil) && !logFailed
    }

    /// --compare without the screen: both runs at once, each epoch line labelled with its side.
    private func runCompared(_ trainers: [Trainer], plans: [(label: String, configuration: TrainingConfiguration)]) throws {
        let width = plans.map(\.label.count).max() ?? 0
        let sessions = zip(trainers, plans).map { trainer, plan in
            let label = "[" + plan.label + "]" + String(repeating: " ", count: width - plan.label.count)
            let printer = TrainingProgressPrinter(showsBar: false, configuration: plan.configuration, label: label)
            return TrainingSession(trainer: trainer, onEvent: { printer.handle($0) })
        }
        let interrupts = InterruptHandler()
        interrupts.whenStopped { for session in sessions { session.control.stop() } }
        let outcomes = sessions.map { $0.wait().outcome }
        interrupts.cancel()
        var diverged = false
        for (plan, outcome) in zip(plans, outcomes) {
            print("[\(plan.label)] " + summary(outcome, checkpoint: nil, mentionSave: false))
            if case .diverged = outcome.reason {
                printStandardError("convtutor train: [\(plan.label)] \(outcome.message)")
                diverged = true
            }
        }
        if diverged { throw ExitCode(ExitStatus.failure) }
    }

    func dataChoiceLine(_ data: TrainingData) -> String {
        switch data.source {
        case .builtInDigits where self.data == Self.builtInDataName:
            "Training on the \(data.description)."
        case .builtInDigits:
            "Training on the \(data.description). (No MNIST in the cache: 'convtutor data fetch mnist' stores it, or give --data DIR.)"
        default:
            "Training on \(data.description)."
        }
    }

    func summary(_ outcome: TrainingOutcome, checkpoint: String?, mentionSave: Bool = true) -> String {
        var lines: [String] = []
        let duration = TrainingProgressPrinter.duration(outcome.seconds)
        if let last = outcome.lastEpoch {
            lines.append("Done: \(outcome.message) in \(duration). Test accuracy after epoch \(last.epoch): "
                + "\(percent(last.testAccuracy)) (loss \(String(format: "%.4f", last.testLoss))), "
                + "\(Int(last.imagesPerSecond.rounded()).formatted()) images/s.")
        } else {
            lines.append("Done: \(outcome.message) in \(duration), before the first epoch ended.")
        }
        if let checkpoint {
            lines.append("Checkpoint written to \(checkpoint) (safetensors; loads in PyTorch with safetensors.torch.load_file).")
        } else if save == nil && mentionSave {
            lines.append("No checkpoint written; give --save FILE to keep the weights.")
        }
        return lines.joined(separator: "\n")
    }

    func failure(_ message: String) -> CommandFailure {
        CommandFailure("convtutor train: \(message)")
    }
}

func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }

/// Writes `line` to standard error, ignoring failure: after an SSH connection drops, the terminal
/// answers every write with an error, and a run must still get to writing its checkpoint.
func printStandardError(_ line: String) {
    writeIgnoringFailure(line + "\n", to: STDERR_FILENO)
}

/// Writes `text` to `descriptor`, giving up quietly on an error (a hung-up terminal, a closed pipe).
/// `FileHandle.write(_:)` would stop the program on one.
func writeIgnoringFailure(_ text: String, to descriptor: Int32) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { return }
        offset += written
    }
}

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP (a dropped SSH connection) call `stop` once, so training
/// ends at the next step and --save is still written; a second signal ends the process at once, by
/// that signal (status 128 + its number, as `ExitStatus.interrupted(by:)` says: 130, 143, 129).
/// While it is in place SIGPIPE is ignored, so a log or output reader that goes away makes a write
/// fail instead of killing the run before it saves.
final class InterruptHandler: @unchecked Sendable {
    static let stoppingSignals = [SIGINT, SIGTERM, SIGHUP]
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var stop: (@Sendable () -> Void)?
    private var stopRequested = false

    init() {
        let count = ManagedAtomicCounter()
        signal(SIGPIPE, SIG_IGN)
        for number in Self.stoppingSignals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in  // the cycle through `source` ends at cancel(), which drops the handler
                // Two signals that arrive before the handler runs come as one event with data 2.
                let arrived = max(1, Int(source.data))
                let before = count.add(arrived)
                if before == 0 {
                    printStandardError("\nconvtutor train: stopping at the next step and writing what --save and --log ask "
                        + "for (Ctrl-C again to quit at once)")
                    requestStop()
                }
                if before + arrived >= 2 { dieBySignal(number) }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// What the first signal does; called at once if one already came.
    func whenStopped(_ action: @escaping @Sendable () -> Void) {
        lock.lock()
        stop = action
        let already = stopRequested
        lock.unlock()
        if already { action() }
    }

    private func requestStop() {
        lock.lock()
        stopRequested = true
        let action = stop
        lock.unlock()
        action?()
    }

    func cancel() {
        for source in sources { source.cancel() }
        for number in Self.stoppingSignals { signal(number, SIG_DFL) }
        signal(SIGPIPE, SIG_DFL)
    }
}

/// A counter bumped from a signal handler's queue.
final class ManagedAtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    /// Adds `amount`; returns the value before.
    func add(_ amount: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += amount
        return value - amount
    }
}
