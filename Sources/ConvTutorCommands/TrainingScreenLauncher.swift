import ArgumentParser
import CursesBackend
import Foundation
import TerminalUI
import Training
import TutorApp
import Networks
import Datasets

/// Opens the live training screen on the terminal: `convtutor train` on a terminal without --no-tui,
/// and the home menu's "Train LeNet-5".
enum TrainingScreenLauncher {
    /// Trains `command`'s runs on the screen until the user quits; never returns with the terminal
    /// in curses mode; returns the exit status. Errors a user can cause are reported before the
    /// screen opens: a bad flag throws (exit 2); a checkpoint that cannot be read throws a
    /// `CommandFailure` (exit 1); a dataset that fails to load is reported and the built-in digits are
    /// offered instead.
    static func run(command: TrainCommand) throws -> Int32 {
        let resume: (checkpoint: Checkpoint, name: String)?
        do {
            resume = try command.loadResume()
        } catch {
            throw command.failure("\(error)")
        }
        let plans = try command.makeRunPlans(resume: resume)
        let data: TrainingData
        do {
            data = try command.loadData()
        } catch {
            data = try offerBuiltInDigits(after: error)
        }
        var runs: [TrainingRun]
        do {
            runs = try makeRuns(plans, data: data, resume: resume)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw command.failure("\(error)")
        }
        // --save and --log (one run only; validate() refuses them with --compare).
        let logFile = try command.openLog()
        if runs.count == 1 {
            runs[0].savePath = command.save
            runs[0].onEvent = TrainCommand.logWriter(logFile)
        }
        // `r`: the same options from step 0 with a new seed (never the --resume checkpoint).
        let restart: (Int) -> [TrainingRun] = { seed in
            var fresh = plans
            for index in fresh.indices { fresh[index].configuration.seed = UInt64(truncatingIfNeeded: seed) }
            return (try? makeRuns(fresh, data: data, resume: nil)) ?? []
        }
        let screen = TrainingScreen(runs: runs, restart: restart)
        return TutorLauncher.runOnTerminal(screen, noColor: command.display.noColor, ascii: command.display.ascii,
                                    failure: { "convtutor train: \($0); add --no-tui to train without the screen" },
                                    afterClose: {
            report(screen, command: command, logFile: logFile) ? ExitStatus.success : ExitStatus.failure
        })
    }

    /// After the screen closes: each run's end, like the headless command's (--save written unless
    /// the user said no, the last --log line), and the checkpoints written from the screen. False
    /// when a run diverged or --save failed.
    private static func report(_ screen: TrainingScreen, command: TrainCommand, logFile: TrainingLogFile?) -> Bool {
        let ended = screen.closeRuns()
        var succeeded = true
        for (run, result) in zip(screen.runs, ended) {
            guard let (trainer, outcome) = result else { continue }
            if screen.runs.count == 1 {
                // "No checkpoint written" only when the screen wrote none either.
                succeeded = command.finishRun(trainer, outcome: outcome, logFile: logFile,
                                              writeSave: !screen.saveDeclined,
                                              mentionSave: screen.savedCheckpoints.isEmpty) && succeeded
            } else {
                print("\(run.label): " + command.summary(outcome, checkpoint: nil, mentionSave: false))
            }
        }
        let others = screen.savedCheckpoints.filter { $0 != command.save }
        if !others.isEmpty {
            print("Checkpoints written from the screen: \(others.joined(separator: ", ")).")
        }
        return succeeded
    }

    /// The home menu's "Train LeNet-5": the default recipe on the default data (MNIST from the
    /// cache, else the built-in digits); nil when no trainer can be made, so the menu explains instead.
    static func homeTrainingScreen() -> (any Screen)? {
        let data = (try? TrainingData.defaultChoice(seed: 0)) ?? TrainingData.builtInDigits(seed: 0)
        let configuration = TrainingConfiguration()
        let plans = [(label: TrainCommand.describe(configuration), configuration: configuration)]
        guard let runs = try? makeRuns(plans, data: data, resume: nil) else { return nil }
        let restart: (Int) -> [TrainingRun] = { seed in
            var fresh = configuration
            fresh.seed = UInt64(truncatingIfNeeded: seed)
            return (try? makeRuns([(plans[0].label, fresh)], data: data, resume: nil)) ?? []
        }
        return TrainingScreen(runs: runs, restart: restart)
    }

    /// One `TrainingRun` per plan on `data`.
    static func makeRuns(_ plans: [(label: String, configuration: TrainingConfiguration)], data: TrainingData,
                         resume: (checkpoint: Checkpoint, name: String)?) throws -> [TrainingRun] {
        let trainers = try TrainCommand.makeTrainers(plans, data: data, resume: resume)
        return zip(plans, trainers).map { plan, trainer in
            TrainingRun(label: plan.label, trainer: trainer, dataset: datasetLine(trainer))
        }
    }

    /// "MNIST 55,000 train / 5,000 val / 10,000 test", for the screen's header.
    static func datasetLine(_ trainer: Trainer) -> String {
        "\(trainer.data.name) \(trainer.trainingIndices.count.formatted()) train / "
            + "\(trainer.validationIndices.count.formatted()) val / \(trainer.data.test.count.formatted()) test"
    }

    /// The dataset did not load: says why and asks (on the terminal, before the screen opens)
    /// whether to train on the built-in digits instead; anything but yes exits 1.
    private static func offerBuiltInDigits(after error: any Error) throws(CommandFailure) -> TrainingData {
        printStandardError("convtutor train: \(error)")
        FileHandle.standardError.write(Data("Train on the built-in digits instead (made in memory, nothing downloaded)? [Y/n] ".utf8))
        let answer = (readLine() ?? "n").trimmingCharacters(in: .whitespaces).lowercased()
        guard answer.isEmpty || answer == "y" || answer == "yes" else {
            throw CommandFailure("Not training. Give --data builtin for the built-in digits, or --data DIR with an "
                + "MNIST-layout IDX set ('convtutor data fetch mnist' stores MNIST where train finds it without --data).")
        }
        printStandardError("Making the built-in digits...")
        return TrainingData.builtInDigits(seed: 0)
    }
}
