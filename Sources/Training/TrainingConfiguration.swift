import ConvKernels
import Foundation
import Networks
import Datasets

/// Everything that decides a training run, with the defaults `convtutor train` uses: the default
/// recipe the README documents (Adam at 0.003, batch 32, 100 warm-up steps, the `anneal` schedule).
public struct TrainingConfiguration: Sendable {
    public var variant: LeNet5.Variant = .modern
    public var modelOptions = LeNet5.Options()
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

    /// The learning rate to start from.
    public var baseLearningRate: Float { learningRate ?? optimizer.defaultLearningRate }

    /// Checks every setting, naming the command-line flag of the first one that is wrong.
    public func validate() throws(KernelError) {
        let rate = baseLearningRate
        guard rate > 0 && rate.isFinite else {
            throw KernelError("--lr \(rate) is invalid; the learning rate must be a number above 0 (for example 0.001)")
        }
        guard batchSize >= 1 && batchSize <= 65_536 else {
            throw KernelError("--batch-size \(batchSize) is invalid; give a number from 1 to 65536")
        }
        guard epochs >= 1 && epochs <= 10_000 else {
            throw KernelError("--epochs \(epochs) is invalid; give a number from 1 to 10000")
        }
        guard threads >= 1 && threads <= 256 else {
            throw KernelError("--threads \(threads) is invalid; give a number from 1 to 256")
        }
        guard validationCount >= 0 else {
            throw KernelError("--validation \(validationCount) is invalid; give 0 or more images")
        }
        guard momentum >= 0 && momentum < 1 else {
            throw KernelError("--momentum \(momentum) is invalid; give a number from 0 to below 1")
        }
        guard weightDecay >= 0 && weightDecay.isFinite else {
            throw KernelError("--weight-decay \(weightDecay) is invalid; give a number, 0 or more")
        }
        guard l1 >= 0 && l1.isFinite else {
            throw KernelError("--l1 \(l1) is invalid; give a number, 0 or more")
        }
        if let patience, patience < 1 {
            throw KernelError("--patience \(patience) is invalid; give a number of epochs, 1 or more")
        }
        if let trainingSubset, trainingSubset < 1 {
            throw KernelError("--subset \(trainingSubset) is invalid; give a number of images, 1 or more")
        }
        guard warmupSteps >= 0 else {
            throw KernelError("--warmup \(warmupSteps) is invalid; give a number of steps, 0 or more")
        }
        try modelOptions.validate()
        if case .perEpoch(let perEpoch) = schedule { try perEpoch.validate() }
    }
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
