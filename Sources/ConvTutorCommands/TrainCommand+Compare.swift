import ArgumentParser
import Training
import Networks
import Datasets

/// One side of `convtutor train --compare A,B`: changes made to the command's own options.
///
/// A side is one or more settings joined by `+` (`resnet-mini`, `classic`, `dropout=0.3+augment`,
/// `subset=1000`); each starts from the options given on the command line, so
/// `--compare resnet-mini,plain-mini --epochs 3` trains both networks for 3 epochs.
struct CompareSide: Equatable {
    /// One setting of a side.
    enum Setting: Equatable {
        /// Another network: a built-in architecture, a zoo table or a spec file (`modern` and
        /// `classic` are lenet5 and lenet5-classic).
        case network(NetworkSpec)
        /// No dropout, augmentation or batch normalisation.
        case plain
        case dropout(Float)
        case augment
        case batchNorm
        case subset(Int)
        /// Every training image (no subset).
        case full
        case learningRate(Float)
    }

    /// The side as typed; the legend's label.
    let label: String
    let settings: [Setting]

    /// What a side may hold, for messages and --help.
    static let accepted = "a network (a built-in such as resnet-mini, or a spec file), modern, classic, plain, dropout or "
        + "dropout=P, augment, batch-norm, subset=N, full or lr=RATE (several joined by +)"

    /// Both sides of `text` ("classic,modern").
    static func parsePair(_ text: String) throws -> [CompareSide] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("--compare \(text): give two networks or option sets separated by a comma, such as "
                + "resnet-mini,plain-mini, classic,modern, dropout,plain, augment,plain or subset=1000,full")
        }
        let sides = try parts.map { try parse($0, whole: text) }
        guard sides[0].settings != sides[1].settings else {
            throw ValidationError("--compare \(text): both sides are the same run; give two different option sets, "
                + "such as classic,modern")
        }
        return sides
    }

    /// One side ("dropout=0.3+augment"); `whole` is the flag's value, for messages.
    static func parse(_ text: String, whole: String) throws -> CompareSide {
        var settings: [Setting] = []
        for word in text.split(separator: "+", omittingEmptySubsequences: false).map(String.init) {
            let pieces = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let name = pieces[0], value = pieces.count == 2 ? pieces[1] : nil
            switch (name, value) {
            case ("modern", nil): settings.append(.network(BuiltInArchitecture.spec(named: "lenet5")!))
            case ("classic", nil): settings.append(.network(BuiltInArchitecture.spec(named: "lenet5-classic")!))
            case (_, nil) where BuiltInArchitecture.named(name) != nil || ModelZoo.spec(named: name) != nil
                || NetworkChoice.isFile(name):
                settings.append(.network(try NetworkChoice.buildableSpec(named: name, command: "train --compare")))
            case ("plain", nil): settings.append(.plain)
            case ("dropout", nil): settings.append(.dropout(0.5))
            case ("dropout", let value?):
                guard let p = Float(value), p > 0, p < 1 else {
                    throw ValidationError("--compare \(whole): dropout=\(value) is invalid; give a probability above 0 and below 1, "
                        + "such as dropout=0.3")
                }
                settings.append(.dropout(p))
            case ("augment", nil): settings.append(.augment)
            case ("batch-norm", nil): settings.append(.batchNorm)
            case ("full", nil): settings.append(.full)
            case ("subset", let value?):
                guard let count = Int(value), count >= 1 else {
                    throw ValidationError("--compare \(whole): subset=\(value) is invalid; give a number of images, 1 or more, "
                        + "such as subset=1000")
                }
                settings.append(.subset(count))
            case ("lr", let value?):
                guard let rate = Float(value), rate > 0, rate.isFinite else {
                    throw ValidationError("--compare \(whole): lr=\(value) is invalid; give a learning rate above 0, such as lr=0.001")
                }
                settings.append(.learningRate(rate))
            default:
                throw ValidationError("--compare \(whole): '\(word)' is not understood; each side is \(accepted)")
            }
        }
        return CompareSide(label: text, settings: settings)
    }

    /// `base` with this side's settings applied, in order.
    func applied(to base: TrainingConfiguration) -> TrainingConfiguration {
        var configuration = base
        for setting in settings {
            switch setting {
            case .network(let spec): configuration.architecture = spec
            case .plain:
                configuration.dropout = 0
                configuration.batchNorm = false
                configuration.augmentation = nil
            case .dropout(let p): configuration.dropout = p
            case .augment: configuration.augmentation = Augmentation()
            case .batchNorm: configuration.batchNorm = true
            case .subset(let count): configuration.trainingSubset = count
            case .full: configuration.trainingSubset = nil
            case .learningRate(let rate): configuration.learningRate = rate
            }
        }
        return configuration
    }
}
