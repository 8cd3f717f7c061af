/// How the learning rate changes from epoch to epoch, as PyTorch's schedulers in closed form.
/// Epochs count from 0; `rate(base:epoch:)` is the learning rate to train epoch `epoch` with.
///
/// - `constant`: `base` (no scheduler).
/// - `step(every:factor:)`: `torch.optim.lr_scheduler.StepLR(step_size=every, gamma=factor)`,
///   `base * factor^floor(epoch / every)`.
/// - `exponential(factor:)`: `torch.optim.lr_scheduler.ExponentialLR(gamma=factor)`, `base * factor^epoch`.
/// - `cosine(totalEpochs:minimum:)`: `torch.optim.lr_scheduler.CosineAnnealingLR(T_max=totalEpochs,
///   eta_min=minimum)` in its closed form,
///   `minimum + (base - minimum) * (1 + cos(pi * epoch / totalEpochs)) / 2`; it reaches `minimum` at
///   `epoch = totalEpochs` and, like PyTorch's closed form, rises again after it.
///
/// The arithmetic is done in Double, as PyTorch does it in Python floats.
public enum LearningRateSchedule: Hashable, Sendable {
    case constant
    case step(every: Int, factor: Float)
    case exponential(factor: Float)
    case cosine(totalEpochs: Int, minimum: Float = 0)

    /// Throws when the schedule cannot be used: a step of fewer than 1 epoch, a cosine period of fewer
    /// than 1 epoch, a factor that is not a finite number above 0, or a negative or infinite minimum.
    public func validate() throws(KernelError) {
        switch self {
        case .constant:
            return
        case .step(let every, let factor):
            guard every >= 1 else {
                throw KernelError("step schedule every \(every) epochs is invalid; the step must be at least 1 epoch")
            }
            try Self.checkFactor(factor, schedule: "step")
        case .exponential(let factor):
            try Self.checkFactor(factor, schedule: "exponential")
        case .cosine(let totalEpochs, let minimum):
            guard totalEpochs >= 1 else {
                throw KernelError("cosine schedule over \(totalEpochs) epochs is invalid; it needs at least 1 epoch")
            }
            guard minimum >= 0 && minimum.isFinite else {
                throw KernelError("cosine schedule minimum \(minimum) is invalid; it must be a finite number, 0 or more")
            }
        }
    }

    /// The learning rate for epoch `epoch` (from 0) when training starts at `base`.
    public func rate(base: Float, epoch: Int) -> Float {
        precondition(epoch >= 0, "LearningRateSchedule.rate: epoch \(epoch) is negative; epochs count from 0")
        switch self {
        case .constant:
            return base
        case .step(let every, let factor):
            precondition(every >= 1, "LearningRateSchedule.step every \(every) epochs: validate() the schedule first")
            return Float(Double(base) * Math.pow(Double(factor), epoch / every))
        case .exponential(let factor):
            return Float(Double(base) * Math.pow(Double(factor), epoch))
        case .cosine(let totalEpochs, let minimum):
            precondition(totalEpochs >= 1,
                         "LearningRateSchedule.cosine over \(totalEpochs) epochs: validate() the schedule first")
            let low = Double(minimum)
            let phase = Double.pi * Double(epoch) / Double(totalEpochs)
            return Float(low + (Double(base) - low) * (1 + Math.cos(phase)) / 2)
        }
    }

    private static func checkFactor(_ factor: Float, schedule: String) throws(KernelError) {
        guard factor > 0 && factor.isFinite else {
            throw KernelError("\(schedule) schedule factor \(factor) is invalid; it must be a finite number above 0")
        }
    }

}
