import ConvKernels
import Foundation
import Networks
import Datasets

/// Everything that decides a training run, with the defaults `convtutor train` uses: the default
/// recipe the README documents (Adam at 0.003, batch 32, 100 warm-up steps, the `anneal` schedule).
public struct TrainingConfiguration: Sendable {
    /// The network, before `batchNorm` and `dropout` edit it (default: the built-in lenet5).
    public var architecture: NetworkSpec = BuiltInArchitecture.spec(named: "lenet5")!
    /// Dropout probability after the hidden linear layers' activations, in training only (0 = none).
    public var dropout: Float = 0
    /// Batch normalisation after every convolution that has none.
    public var batchNorm = false
    public var optimizer: TrainingOptimizer.Kind = .adam
    /// nil takes the optimizer's default (`TrainingOptimizer.Kind.defaultLearningRate`).
    public var learningRate: Float?
    /// SGD's momentum.
    public var momentum: Float = 0.9
    public var schedule: TrainingSchedule = .anneal
    /// Learning-rate warm-up: the rate rises linearly from near 0 over this many first steps.
    public var warmupSteps: Int = 100
    public var batchSize: Int = 32
    public var epochs: Int = 10
    public var threads: Int = Parallel.defaultThreads
    public var seed: UInt64 = 0
    /// Images held out of the training set for validation (curves, early stopping).
    public var validationCount: Int = 5_000
    /// Random shifts, rotations, scaling and noise on training images; nil for none.
    public var augmentation: Augmentation?
    /// L2 weight decay, added to the gradients as PyTorch's `weight_decay`.
    public var weightDecay: Float = 0
    /// L1: `l1 * sign(w)` added to the gradients of the weights (not the biases).
    public var l1: Float = 0
    /// Stop after this many epochs without a better validation loss, keeping the best weights; nil never stops early.
    public var patience: Int?
    /// The shortest time between two snapshots, in seconds.
    public var snapshotInterval: Double = 0.25
    /// Which validation image the snapshots show flowing through the network.
    public var probeIndex: Int = 0
    /// How many training images to use (nil for all): a small subset shows overfitting.
    public var trainingSubset: Int?

    public init() {}

    /// The network that trains: `architecture` with the options applied.
    public var spec: NetworkSpec { (batchNorm ? architecture.withBatchNorm() : architecture).withDropout(dropout) }

    /// The learning rate to start from.
    public var baseLearningRate: Float { learningRate ?? optimizer.defaultLearningRate }

    /// The ranges `validate()` accepts, in one place so that help texts and messages agree.
    public enum Limits {
        /// A step holds about 125 KB per image of the batch (activations, unfolded windows and
        /// gradients, measured): 2048 images take about 250 MB, so two --compare runs together stay
        /// well inside the 1 GB ceiling; 65,536 would take 8 GB.
        public static let batchSize = 1...2048
        public static let epochs = 1...ResumePosition.maximumEpochs
        public static let threads = 1...256
        /// Images: far more than any dataset that fits the memory budget (about 650,000 of 28x28),
        /// small enough that adding two never overflows.
        public static let images = 0...10_000_000
        public static let warmupSteps = 0...10_000_000
        public static let patience = 1...ResumePosition.maximumEpochs
        /// Weight decay and L1: 1 already shrinks every weight to nothing within a few steps.
        public static let penalty: ClosedRange<Float> = 0...1
    }

    /// Checks every setting, naming the command-line flag of the first one that is wrong and the
    /// range it takes ("--lr must be a finite number greater than 0 (for example 0.001); got -0.1").
    public func validate() throws(KernelError) {
        let rate = baseLearningRate
        // No upper bound beyond finite: a rate that diverges costs nothing, is caught at the step
        // it happens and is a lesson of its own.
        guard rate > 0 && rate.isFinite else {
            throw KernelError("--lr must be a finite number greater than 0 (for example 0.001); got \(Self.text(rate))")
        }
        try Self.check("--batch-size", batchSize, in: Limits.batchSize, unit: "images per step")
        try Self.check("--epochs", epochs, in: Limits.epochs, unit: "epochs")
        try Self.check("--threads", threads, in: Limits.threads, unit: "threads")
        try Self.check("--validation", validationCount, in: Limits.images, unit: "images")
        guard momentum >= 0 && momentum < 1 else {
            throw KernelError("--momentum must be from 0 to below 1; got \(Self.text(momentum))")
        }
        guard dropout >= 0 && dropout < 1 else {
            throw KernelError("--dropout must be from 0 (none) to below 1; got \(Self.text(dropout))")
        }
        guard Limits.penalty.contains(weightDecay) else {
            throw KernelError("--weight-decay must be from 0 to 1; got \(Self.text(weightDecay))")
        }
        guard Limits.penalty.contains(l1) else {
            throw KernelError("--l1 must be from 0 to 1; got \(Self.text(l1))")
        }
        if let patience { try Self.check("--patience", patience, in: Limits.patience, unit: "epochs") }
        if let trainingSubset {
            try Self.check("--subset", trainingSubset, in: 1...Limits.images.upperBound,
                           unit: "images (more than the training set holds takes all of it)")
        }
        try Self.check("--warmup", warmupSteps, in: Limits.warmupSteps, unit: "steps")
        if case .perEpoch(let perEpoch) = schedule { try perEpoch.validate() }
    }

    /// "--epochs must be from 1 to 10000 epochs; got 0".
    static func check(_ flag: String, _ value: Int, in range: ClosedRange<Int>, unit: String) throws(KernelError) {
        guard range.contains(value) else {
            throw KernelError("\(flag) must be from \(range.lowerBound) to \(range.upperBound) \(unit); got \(value)")
        }
    }

    /// A value as typed: 0.001 rather than 0.0010000000475 (Float's shortest form), nan and inf as such.
    static func text(_ value: Float) -> String { "\(value)" }
}

/// How the learning rate moves over a run.
public enum TrainingSchedule: Hashable, Sendable {
    /// The default: from its peak the rate falls along a cosine to a tenth of it over the first
    /// epoch, then along a second cosine to 0 over the remaining epochs, step by step. Annealing
    /// within the first epoch is what takes LeNet-5 past 98.5% on MNIST in one epoch.
    case anneal
    /// A rate set per epoch, as PyTorch's schedulers (constant, step, exponential, cosine).
    case perEpoch(LearningRateSchedule)

    /// The factor on the base rate at `step` (from 0) of a run of `epochs` epochs of `stepsPerEpoch` steps.
    public func factor(step: Int, stepsPerEpoch: Int, epochs: Int) -> Float {
        switch self {
        case .perEpoch(let schedule):
            return schedule.rate(base: 1, epoch: step / max(1, stepsPerEpoch))
        case .anneal:
            let first = Double(max(1, stepsPerEpoch)), position = Double(step)
            if position < first {
                return Float(0.1 + 0.9 * (1 + cos(Double.pi * position / first)) / 2)
            }
            let rest = max(1, Double(epochs) * first - first)
            return Float(0.1 * (1 + cos(Double.pi * min(1, (position - first) / rest))) / 2)
        }
    }
}
