import Dispatch
import Foundation
import Lessons
import TerminalUI
import Training
import Networks
import Datasets

/// The live training screen: one run (or two overlaid for a comparison) training on background
/// threads while the screen reads their events and latest snapshots in `tick`, never waiting on
/// them. A header with the run's settings, the epoch and batch progress with its rate and ETA, the
/// loss and accuracy curves over steps, the epochs' test accuracy, and panels for the filters, the
/// probe digit, the confusion matrix and every weighted layer's gradient norm. Keys pause,
/// single-step, change the learning rate, restart with a new seed, save checkpoints, focus, zoom
/// and scroll panels, and stop (asking whether to save, and waiting for the save before leaving).
public final class TrainingScreen: Screen {
    /// The panels Tab moves between, in order.
    enum Section: Int, CaseIterable {
        case loss, accuracy, filters, probe, confusion, gradients

        var title: String {
            switch self {
            case .loss: "Loss"
            case .accuracy: "Accuracy"
            case .filters: "Filters"
            case .probe: "Probe"
            case .confusion: "Confusion"
            case .gradients: "Gradient norms"
            }
        }
    }

    public private(set) var runs: [TrainingRun]
    public private(set) var dashboard: TrainingDashboard
    /// True once every run has ended (finished, diverged, or stopped with `q`).
    public var isFinished: Bool { dashboard.isFinished || hasLeft }

    let checkpointFolder: String
    private let restart: ((Int) -> [TrainingRun])?
    private let makeSource: (TrainingRun) -> any TrainingSource
    private(set) var sources: [any TrainingSource] = []
    /// The seed `r` passes to `restart` next.
    private(set) var nextSeed = 1
    /// The screen's clock, from `tick`.
    private(set) var now = 0.0
    private(set) var paused = false
    /// The product of the + and - presses since the run started.
    private(set) var learningRateScale: Float = 1
    private(set) var focus = Section.loss
    private(set) var zoomed = false
    private(set) var showGradients = false
    /// The first layer the gradient norms panel shows (↑ and ↓ move it while the panel is focused).
    private(set) var gradientScroll = 0
    private(set) var confirmingStop = false
    private(set) var hasLeft = false
    /// True when the user answered n to "save before stopping?" (so `--save` is not written either).
    public private(set) var saveDeclined = false
    /// When `tick` last read the runs.
    private var lastCollect: Double?
    /// Counts the changes worth a new frame (reads of the runs, keys).
    private(set) var generation = 0
    /// The last frame drawn, reused while nothing changed: the app asks for 30 frames a second,
    /// the screen draws at most `framesPerSecond` (and on keys), leaving the cores to training.
    private var frameCache: (area: Rect, capabilities: TerminalCapabilities, generation: Int, frame: CellBuffer)?
    /// Checkpoints asked for and not yet answered by their run.
    private(set) var pendingSaves: [(run: Int, path: String)] = []
    /// Every checkpoint written from the screen (w, q), in order, for the summary after it closes.
    public private(set) var savedCheckpoints: [String] = []
    /// The last thing a key did, shown under the progress ("learning rate x2", "saving ...").
    private(set) var status: String?

    /// The factor `+` multiplies the learning rate by (and `-` divides it by).
    static let learningRateStep: Float = 2
    /// Frames a second while training; more would only cost the training cores.
    static let framesPerSecond = 10.0

    /// One run, or two for `--compare` (curves overlaid). `restart` makes fresh runs with a new
    /// seed for `r` (nil: `r` is unavailable). Checkpoints from `w` and `q` go to a run's `savePath`,
    /// else to `checkpointFolder` (nil: `defaultCheckpointFolder()`, beside the lessons' progress).
    public convenience init(runs: [TrainingRun], restart: ((Int) -> [TrainingRun])? = nil, checkpointFolder: String? = nil) {
        self.init(runs: runs, restart: restart,
                  checkpointFolder: checkpointFolder ?? Self.defaultCheckpointFolder()) { run in
            TrainingSession(trainer: run.trainer, onEvent: run.onEvent)
        }
    }

    /// With `makeSource` deciding where a run's events come from (a recorded sequence in tests).
    init(runs: [TrainingRun], restart: ((Int) -> [TrainingRun])?, checkpointFolder: String,
         makeSource: @escaping (TrainingRun) -> any TrainingSource) {
        self.runs = runs
        self.restart = restart
        self.checkpointFolder = checkpointFolder
        self.makeSource = makeSource
        dashboard = Self.dashboard(for: runs)
        nextSeed = Self.seed(after: runs)
    }

    deinit { stopAll() }

    /// Where `w` writes without `--save`: `$XDG_DATA_HOME/convtutor/checkpoints` when XDG_DATA_HOME
    /// is an absolute path, else `~/.local/share/convtutor/checkpoints` (the lessons' progress is
    /// kept in the folder above). Never the current folder, which may be a source tree.
    public static func defaultCheckpointFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (ProgressStore.defaultFolder(environment: environment) as NSString).appendingPathComponent("checkpoints")
    }

    /// `folder` with the home folder written `~`.
    static func shortFolder(_ folder: String, home: String = NSHomeDirectory()) -> String {
        guard !home.isEmpty, home != "/", folder.hasPrefix(home + "/") else { return folder }
        return "~" + folder.dropFirst(home.count)
    }

    /// The seed after the first run's.
    private static func seed(after runs: [TrainingRun]) -> Int {
        Int(truncatingIfNeeded: (runs.first?.trainer.configuration.seed ?? 0) &+ 1)
    }

    private static func dashboard(for runs: [TrainingRun]) -> TrainingDashboard {
        TrainingDashboard(runs: runs.map { ($0.label, $0.trainer.configuration.batchSize) })
    }

    /// "Training lenet5", "Training: compare".
    public var title: String {
        runs.count > 1 ? "Training: compare" : "Training " + (runs.first?.trainer.network.spec.name ?? "")
    }

    public var keyHelp: [KeyHint] {
        var hints = [KeyHint("p", "pause / resume"), KeyHint("s", "one step while paused"),
                     KeyHint("+ -", "learning rate x2 / /2")]
        if restart != nil { hints.append(KeyHint("r", "restart with a new seed")) }
        hints += [KeyHint("w", "save a checkpoint (to --save FILE, else " + Self.shortFolder(checkpointFolder) + ")"),
                  KeyHint("Tab", "focus the next panel"), KeyHint("Enter", "zoom the focused panel"), KeyHint("Esc", "unzoom"),
                  KeyHint("g", "filters: weights / gradients"), KeyHint("n N", "probe: next / previous digit"),
                  KeyHint("c", "confusion matrix: evaluate now"),
                  KeyHint("↑ ↓", "gradient norms: scroll the layers (panel focused)"),
                  KeyHint("q", "stop (asks whether to save)"),
                  KeyHint("?", "this help")]
        return hints
    }

    public var helpText: String {
        "The network trains on background threads while this screen reads what it reports, ten times a second: "
            + "the screen never slows the training. The **loss** curve is each step's batch loss (faint) and its "
            + "moving average; the **accuracy** curve is the batches' accuracy as they were trained (averaged) "
            + "and the held-out validation accuracy at each epoch's end. The test accuracy is measured once "
            + "per epoch; `c` evaluates the validation set at once for a fresh confusion matrix, and `n` shows the next "
            + "probe digit. The **gradient norms** panel has a bar per conv and linear layer, input side first: the "
            + "size of the layer's weight gradient at the last step on a log scale (a decade per tick), the same "
            + "scale for both runs when comparing. Bars shrinking decade by decade towards the input are "
            + "**vanishing gradients**: compare plain-mini with resnet-mini, whose skip connections carry the "
            + "gradient back. ↑ and ↓ scroll it when it is focused. `+` and `-` double and halve the learning "
            + "rate from the next step; too high a rate makes the loss **diverge**, and the screen says which "
            + "rate to try. `w` writes a checkpoint that "
            + "`convtutor inspect --model` reads: to the file `--save` names, else into "
            + Self.shortFolder(checkpointFolder) + ", one file per step saved; the screen shows its full path. "
            + "The elapsed clock stops while the run is paused. Once the run has ended, `r` starts a new one."
    }

    var canRestart: Bool { restart != nil }

    public var isAnimating: Bool { !hasLeft && (sources.isEmpty || !dashboard.isFinished || !pendingSaves.isEmpty) }

    // MARK: Running

    /// Starts the runs' sessions (the first tick does it; so does the first key).
    func startIfNeeded() {
        guard sources.isEmpty, !hasLeft, !runs.isEmpty else { return }
        sources = runs.map(makeSource)
        if paused { for source in sources where !source.isPaused { source.togglePause() } }
    }

    /// Reads every run's new events and latest snapshot; never waits.
    public func tick(time: Double) {
        now = time
        startIfNeeded()
        if let lastCollect, time >= lastCollect, time - lastCollect < 1 / Self.framesPerSecond { return }
        lastCollect = time
        collect()
    }

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        if let cache = frameCache, cache.area == area, cache.capabilities == capabilities,
           cache.generation == generation, cache.frame.width == buffer.width, cache.frame.height == buffer.height {
            for y in area.y..<max(area.y, area.maxY) {
                for x in area.x..<max(area.x, area.maxX) { buffer[x, y] = cache.frame[x, y] }
            }
            return
        }
        draw(into: &buffer, area: area, capabilities: capabilities)
        frameCache = (area, capabilities, generation, buffer)
    }

    private func collect() {
        generation &+= 1
        for index in sources.indices { read(run: index) }
        // A run that ended before serving a checkpoint request never will: write it here.
        for pending in pendingSaves where sources[pending.run].isFinished {
            read(run: pending.run)  // it may have served it just before ending
            guard pendingSaves.contains(where: { $0.run == pending.run && $0.path == pending.path }) else { continue }
            let result = sources[pending.run].saveFinishedRun(to: pending.path)
            dashboard.apply([result], toRun: pending.run, time: now)
            noteCheckpoint(result, run: pending.run)
        }
    }

    private func read(run index: Int) {
        let source = sources[index]
        let events = source.takeEvents()
        dashboard.apply(events, toRun: index, time: now)
        dashboard.update(snapshot: source.latestSnapshot, forRun: index)
        for event in events { noteCheckpoint(event, run: index) }
    }

    private func noteCheckpoint(_ event: TrainingEvent, run: Int) {
        switch event {
        case .checkpointSaved(let path):
            pendingSaves.removeAll { $0.run == run && $0.path == path }
            if !savedCheckpoints.contains(path) { savedCheckpoints.append(path) }
            status = "checkpoint saved: \(path)"
        case .checkpointFailed(let path, let message):
            pendingSaves.removeAll { $0.run == run && $0.path == path }
            status = "checkpoint failed: \(message)"
        default:
            break
        }
    }

    private func stopAll() {
        for source in sources { source.stop() }
    }

    // MARK: Keys

    public func handle(_ event: KeyEvent) -> ScreenAction {
        generation &+= 1
        startIfNeeded()
        if confirmingStop {
            switch event {
            case .character("y"), .character("Y"):
                saveAll()
                waitForSaves()
                return leave()
            case .character("n"), .character("N"):
                saveDeclined = true
                waitForSaves()  // a save already asked for with w still finishes
                return leave()
            case .escape:
                confirmingStop = false
            default:
                break
            }
            return .none
        }
        // Keys that act on a running trainer: once every run has ended, say so instead.
        let runKeys: Set<Character> = ["p", " ", "s", "+", "=", "-", "_"]
        if runHasEnded, case .character(let key) = event, runKeys.contains(key) {
            status = endedText
            return .none
        }
        switch event {
        case .character("p"), .character(" "):
            paused.toggle()
            for source in sources where source.isPaused != paused { source.togglePause() }
            dashboard.setPaused(paused, at: now)
            status = paused ? "paused: s steps once, p resumes" : nil
        case .character("s"):
            guard paused else {
                status = "s steps once while paused; p pauses"
                break
            }
            for source in sources { source.step() }
        case .character("+"), .character("="):
            scaleLearningRate(by: Self.learningRateStep)
        case .character("-"), .character("_"):
            scaleLearningRate(by: 1 / Self.learningRateStep)
        case .character("r"):
            restartRuns()
        case .character("w"):
            saveAll()
        case .character("g"):
            showGradients.toggle()
        case .character("n"), .character("N"):
            let offset = event == .character("n") ? 1 : -1
            for source in sources { source.moveProbe(by: offset) }
            status = "probe: the \(offset > 0 ? "next" : "previous") validation digit"
            collect()  // a finished run answers at once, and the screen no longer ticks then
        case .character("c"):
            for source in sources { source.requestEvaluation() }
            status = "evaluating the validation set with the weights as they are now"
            collect()
        case .up where focus == .gradients:
            gradientScroll = max(0, gradientScroll - 1)
        case .down where focus == .gradients:
            gradientScroll = min(gradientScroll + 1, max(0, gradientLayerCount - 1))
        case .up, .down:
            status = "↑ and ↓ scroll the gradient norms: Tab to focus them"
        case .tab:
            focus = Section(rawValue: (focus.rawValue + 1) % Section.allCases.count) ?? .loss
        case .backTab:
            focus = Section(rawValue: (focus.rawValue + Section.allCases.count - 1) % Section.allCases.count) ?? .loss
        case .enter:
            zoomed.toggle()
        case .escape:
            if zoomed {
                zoomed = false
            } else {
                confirmingStop = true
            }
        case .character("q"):
            confirmingStop = true
        default:
            break
        }
        return .none
    }

    /// True once every run has ended (keys that act on a running trainer can do nothing then).
    var runHasEnded: Bool { !sources.isEmpty && dashboard.isFinished }

    /// What p, s, + and - say once the run has ended.
    var endedText: String {
        (runs.count > 1 ? "both runs have ended" : "the run has ended")
            + (canRestart ? ": r starts a new one, w saves a checkpoint, q leaves" : ": w saves a checkpoint, q leaves")
    }

    private func scaleLearningRate(by factor: Float) {
        learningRateScale *= factor
        for source in sources { source.scaleLearningRate(by: factor) }
        status = "learning rate x\(Self.scaleText(learningRateScale)) from the next step"
    }

    /// "2", "0.5", "0.25": the scale as a short number.
    static func scaleText(_ scale: Float) -> String {
        let text = "\(scale)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    private func restartRuns() {
        guard let restart else {
            status = "restart is not available here"
            return
        }
        stopAll()
        let seed = nextSeed
        runs = restart(seed)
        nextSeed = max(seed + 1, Self.seed(after: runs))
        sources = []
        pendingSaves = []
        dashboard = Self.dashboard(for: runs)
        learningRateScale = 1
        if paused {
            // The new run starts paused, as the old one was: its clock too.
            dashboard.setPaused(true, at: now)
            status = "restarted with seed \(seed), paused: p starts it, s steps once"
        } else {
            status = "restarted with seed \(seed)"
        }
        startIfNeeded()
    }

    /// Where run `index`'s checkpoint goes: "FOLDER/lenet5-modern-step1200.safetensors" (the network's
    /// name, the run's label, the steps taken).
    func checkpointPath(run index: Int) -> String {
        if runs.indices.contains(index), let savePath = runs[index].savePath { return savePath }
        let label = runs.indices.contains(index) ? runs[index].label : "run\(index + 1)"
        let safe = String(label.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "-" })
        let network = runs.indices.contains(index) ? runs[index].trainer.network.spec.name : "network"
        // "resnet-mini-step186" when the label is the network's name (`--compare resnet-mini,plain-mini`).
        let prefix = safe == network ? network : "\(network)-\(safe.isEmpty ? "run" : safe)"
        let name = "\(prefix)-step\(dashboard.runs[index].stepsTaken).safetensors"
        if checkpointFolder.isEmpty { return name }
        return checkpointFolder.hasSuffix("/") ? checkpointFolder + name : checkpointFolder + "/" + name
    }

    /// Asks every run for a checkpoint (a finished run is written at once).
    private func saveAll() {
        for (index, source) in sources.enumerated() {
            let path = checkpointPath(run: index)
            guard !pendingSaves.contains(where: { $0.run == index && $0.path == path }) else { continue }
            if source.isFinished {
                let result = source.saveFinishedRun(to: path)
                dashboard.apply([result], toRun: index, time: now)
                noteCheckpoint(result, run: index)
            } else {
                pendingSaves.append((index, path))
                source.saveCheckpoint(to: path)
                status = "saving a checkpoint to \(path)"
            }
        }
    }

    /// Blocks until every checkpoint asked for is written or has failed (`q` during a save waits
    /// for it): the runs serve requests between steps, even paused; a run that ends first is
    /// written here.
    func waitForSaves() {
        let pause = DispatchSemaphore(value: 0)
        while !pendingSaves.isEmpty {
            collect()
            if !pendingSaves.isEmpty { _ = pause.wait(timeout: .now() + .milliseconds(5)) }
        }
    }

    /// After the screen has closed: stops every run, waits for each to end, and hands back its
    /// trainer as it ended with the outcome (nil for a run that was never started), so that the
    /// command can write `--save`, finish `--log` and print a summary.
    public func closeRuns() -> [(trainer: Trainer, outcome: TrainingOutcome)?] {
        stopAll()
        hasLeft = true
        return runs.indices.map { index in sources.indices.contains(index) ? sources[index].endedRun() : nil }
    }

    private func leave() -> ScreenAction {
        stopAll()
        hasLeft = true
        confirmingStop = false
        return .pop
    }
}
