import ConvKernels
import Networks
import Datasets

/// What a training run reports as it goes, in order: `started`, then `step`s with an `epoch` after
/// each epoch's last step, then one `finished`.
public enum TrainingEvent: Sendable {
    case started(TrainingStart)
    case step(StepReport)
    case epoch(EpochReport)
    /// A checkpoint asked for with `TrainingSession.saveCheckpoint(to:)` was written (or failed).
    case checkpointSaved(path: String)
    case checkpointFailed(path: String, message: String)
    /// The validation set evaluated on request (`TrainingControl.requestEvaluation()`), mid-epoch.
    case evaluated(EvaluationReport)
    case finished(TrainingOutcome)
}

public struct TrainingStart: Sendable {
    public let datasetName: String
    public let datasetDescription: String
    public let trainingImages: Int
    public let validationImages: Int
    public let testImages: Int
    public let stepsPerEpoch: Int
    public let epochs: Int
    /// The epoch (from 1) and step the run starts at (later than 1 and 0 when resuming).
    public let firstEpoch: Int
    public let firstStep: Int
    /// The spec's name ("lenet5", "resnet-mini").
    public let networkName: String
    public let parameterCount: Int
}

public struct StepReport: Sendable {
    /// The epoch, from 1.
    public let epoch: Int
    /// The batch within the epoch, from 1.
    public let batch: Int
    public let batchesPerEpoch: Int
    /// Steps taken since the run began, from 1.
    public let step: Int
    public let loss: Float
    /// The share of this batch the network got right before the update.
    public let accuracy: Float
    public let learningRate: Float
    /// Training images per second over the last half second or so.
    public let imagesPerSecond: Double
}

public struct EpochReport: Sendable, Equatable {
    public let epoch: Int
    public let step: Int
    /// The mean training loss over the epoch's batches.
    public let loss: Double
    public let trainAccuracy: Double
    public let validationLoss: Double?
    public let validationAccuracy: Double?
    public let testLoss: Double
    public let testAccuracy: Double
    public let learningRate: Float
    /// Training images per second over the epoch (evaluation not counted).
    public let imagesPerSecond: Double
    /// Seconds the epoch took, evaluation included.
    public let seconds: Double
    /// The validation set's confusion matrix (the test set's when there is no validation split).
    public let confusion: ConfusionMatrix
    /// The first few images of that set the network got wrong (at most
    /// `MisclassifiedExample.limit`), in the set's order, for a gallery of mistakes.
    public var misclassified: [MisclassifiedExample] = []
}

/// The validation set (the test set when there is none) evaluated with the weights of one moment:
/// at an epoch's end (`EpochReport.evaluation`) or on request (the `evaluated` event).
public struct EvaluationReport: Sendable, Equatable {
    /// The epoch under way (or just finished) and the steps taken so far.
    public let epoch: Int
    public let step: Int
    /// True for the validation set, false for the test set.
    public let isValidation: Bool
    public let loss: Double
    public let confusion: ConfusionMatrix
    /// The first few images it got wrong (at most `MisclassifiedExample.limit`), in the set's order.
    public let misclassified: [MisclassifiedExample]
    /// True when asked for (mid-epoch, or again after the run), false at an epoch's end.
    public let onRequest: Bool

    public init(epoch: Int, step: Int, isValidation: Bool, loss: Double, confusion: ConfusionMatrix,
                misclassified: [MisclassifiedExample], onRequest: Bool) {
        (self.epoch, self.step, self.isValidation, self.loss) = (epoch, step, isValidation, loss)
        (self.confusion, self.misclassified, self.onRequest) = (confusion, misclassified, onRequest)
    }
}

extension EpochReport {
    /// The epoch's closing evaluation, in the form an on-demand one takes.
    public var evaluation: EvaluationReport {
        EvaluationReport(epoch: epoch, step: step, isValidation: validationAccuracy != nil,
                         loss: validationLoss ?? testLoss, confusion: confusion, misclassified: misclassified,
                         onRequest: false)
    }
}

/// An evaluation image the network classified wrongly: its pixels, its label and the prediction.
public struct MisclassifiedExample: Sendable, Equatable {
    /// How many an epoch report keeps at most.
    public static let limit = 16

    /// The image's number in the set it came from (the training file for a validation image).
    public let index: Int
    public let label: Int
    public let predicted: Int
    public let rows: Int
    public let columns: Int
    /// The pixels' brightness, 0 (black) to 1 (white), row by row, before normalisation.
    public let pixels: [Float]

    public init(index: Int, label: Int, predicted: Int, rows: Int, columns: Int, pixels: [Float]) {
        precondition(pixels.count == rows * columns, "a \(rows)x\(columns) image needs \(rows * columns) pixels, got \(pixels.count)")
        self.index = index
        self.label = label
        self.predicted = predicted
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
    }
}

public struct TrainingOutcome: Sendable {
    public enum Reason: Sendable, Equatable {
        /// Every epoch ran.
        case completed
        /// The validation loss did not improve for `patience` epochs; the weights of `bestEpoch` are kept.
        case earlyStopped(bestEpoch: Int)
        /// Stopped on request.
        case stopped
        /// The loss (or a gradient) became NaN or infinite at `step`; the weights of the step before are kept.
        case diverged(step: Int, suggestedLearningRate: Float)
    }

    public let reason: Reason
    public let epochsCompleted: Int
    public let steps: Int
    /// The last epoch's figures, when one finished.
    public let lastEpoch: EpochReport?
    public let seconds: Double

    /// The message for the reason, as the command prints it.
    public var message: String {
        switch reason {
        case .completed: "finished \(epochsCompleted) epoch\(epochsCompleted == 1 ? "" : "s")"
        case .earlyStopped(let best):
            "stopped early after epoch \(epochsCompleted): the validation loss had not improved since epoch \(best), whose weights are kept"
        case .stopped: "stopped at step \(steps)"
        case .diverged(let step, let rate):
            "loss diverged at step \(step); try a learning rate below \(TrainingOutcome.format(rate))"
        }
    }

    static func format(_ rate: Float) -> String {
        let text = "\(rate)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}

/// What a screen shows of the network while it trains; taken at most every few hundred milliseconds.
public struct TrainingSnapshot: Sendable {
    public let epoch: Int
    public let step: Int
    public let networkName: String
    /// Every convolution and linear layer, in the network's order: the filters panel draws the
    /// first convolutions', the gradient panel every layer's norm.
    public let layers: [LayerState]
    /// The probe image (a validation image), its label, and what every top-level layer gave for it.
    public let probeIndex: Int
    public let probeLabel: Int
    /// `[1, C, H, W]`, normalised as the network sees it.
    public let probeInput: Tensor
    /// The last stage's output is the logits.
    public let probeStages: [Network.Stage]
    /// The softmax of the probe's logits.
    public let probeProbabilities: [Float]
    /// The latest validation confusion matrix (nil before the first epoch ends).
    public let confusion: ConfusionMatrix?

    /// A layer's weights and their gradient at the last step taken (at an epoch's end and after the
    /// run too; zeros, and a norm of 0, before the first step).
    public struct LayerState: Sendable {
        /// The summary's label ("1", "5.2") and kind ("conv", "linear").
        public let label: String
        public let kind: String
        /// `[out, in/groups, kh, kw]` for a convolution, `[out, in]` for a linear layer.
        public let weights: Tensor
        public let gradient: Tensor
        /// The gradient's L2 norm.
        public let gradientNorm: Double

        public init(label: String, kind: String, weights: Tensor, gradient: Tensor, gradientNorm: Double) {
            self.label = label
            self.kind = kind
            self.weights = weights
            self.gradient = gradient
            self.gradientNorm = gradientNorm
        }
    }

    /// The convolutions, in order.
    public var convolutions: [LayerState] { layers.filter { $0.kind == "conv" } }

    public init(epoch: Int, step: Int, networkName: String, layers: [LayerState], probeIndex: Int, probeLabel: Int,
                probeInput: Tensor, probeStages: [Network.Stage], probeProbabilities: [Float], confusion: ConfusionMatrix?) {
        self.epoch = epoch
        self.step = step
        self.networkName = networkName
        self.layers = layers
        self.probeIndex = probeIndex
        self.probeLabel = probeLabel
        self.probeInput = probeInput
        self.probeStages = probeStages
        self.probeProbabilities = probeProbabilities
        self.confusion = confusion
    }
}
