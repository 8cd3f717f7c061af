import ConvKernels
import Foundation
import Networks
import Datasets

/// The optimizer a training run uses (`--optimizer adam|sgd`), with its state in a form a checkpoint
/// can carry so that `--resume` continues exactly where the run stopped.
public enum TrainingOptimizer: Sendable {
    case adam(Adam)
    case sgd(SGD)

    public enum Kind: String, CaseIterable, Sendable {
        case adam, sgd
        /// The learning rate used when none is given.
        public var defaultLearningRate: Float { self == .adam ? 3e-3 : 0.05 }
    }

    /// A fresh optimizer: Adam with PyTorch's betas, or SGD with `momentum`; `weightDecay` is L2,
    /// coupled as PyTorch's `weight_decay` is.
    public init(kind: Kind, learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 0,
                threads: Int = Parallel.defaultThreads) throws(KernelError) {
        switch kind {
        case .adam:
            var adam = try Adam(learningRate: learningRate, weightDecay: weightDecay)
            adam.threads = threads
            self = .adam(adam)
        case .sgd: self = .sgd(try SGD(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay))
        }
    }

    public var kind: Kind {
        if case .adam = self { return .adam }
        return .sgd
    }

    public var learningRate: Float {
        get {
            switch self {
            case .adam(let adam): adam.learningRate
            case .sgd(let sgd): sgd.learningRate
            }
        }
        set {
            switch self {
            case .adam(var adam): adam.learningRate = newValue; self = .adam(adam)
            case .sgd(var sgd): sgd.learningRate = newValue; self = .sgd(sgd)
            }
        }
    }

    public mutating func step(parameters: inout [Tensor], gradients: [Tensor]) {
        switch self {
        case .adam(var adam):
            self = .sgd(Self.placeholder)  // drop the enum's reference so the state is updated in place
            adam.step(parameters: &parameters, gradients: gradients)
            self = .adam(adam)
        case .sgd(var sgd):
            self = .sgd(Self.placeholder)
            sgd.step(parameters: &parameters, gradients: gradients)
            self = .sgd(sgd)
        }
    }

    /// Holds the enum's place while its optimizer is out being updated (a valid SGD: rate 0).
    private static let placeholder: SGD = {
        do { return try SGD(learningRate: 0) } catch { preconditionFailure("SGD with learning rate 0 is valid: \(error)") }
    }()

    // MARK: State in checkpoint metadata

    /// The metadata entries that hold state tensors (base64), as opposed to the recipe and counts:
    /// what a weights-only checkpoint leaves out (tools/strip_optimizer_state.py removes them).
    public static let stateKeys = ["optimizer.exp_avg", "optimizer.exp_avg_sq", "optimizer.momentum_buffer"]

    /// The state as metadata entries: `optimizer`, `optimizer.step`, and each state tensor list
    /// concatenated in parameter order as base64 of little-endian float32.
    public var metadata: [String: String] {
        switch self {
        case .adam(let adam):
            var entries = ["optimizer": "adam", "optimizer.step": "\(adam.stepCount)"]
            if !adam.firstMoments.isEmpty {
                entries["optimizer.exp_avg"] = Self.encode(adam.firstMoments)
                entries["optimizer.exp_avg_sq"] = Self.encode(adam.secondMoments)
            }
            return entries
        case .sgd(let sgd):
            var entries = ["optimizer": "sgd", "optimizer.momentum": "\(sgd.momentum)"]
            if !sgd.momentumBuffers.isEmpty { entries["optimizer.momentum_buffer"] = Self.encode(sgd.momentumBuffers) }
            return entries
        }
    }

    /// Restores the state that `metadata` wrote, for parameters of `shapes`.
    ///
    /// A checkpoint whose state tensors were removed (weights only, like the shipped pretrained model)
    /// is refused once steps were taken: Adam restarted with empty moments but its step count kept
    /// would take steps about three times too large, and a fresh optimizer would not continue the
    /// run either, which is what `--resume` promises.
    ///
    /// - Throws: `CheckpointError` naming the checkpoint when the optimizer differs or the state is
    ///   missing or damaged.
    public mutating func restore(from metadata: [String: String], shapes: [[Int]], name: String) throws(CheckpointError) {
        guard let written = metadata["optimizer"] else {
            throw CheckpointError("\(name): holds no optimizer state (it was not written by convtutor train), so it cannot be resumed; "
                + "use it with --model, or train afresh")
        }
        guard written == kind.rawValue else {
            throw CheckpointError("\(name): was trained with \(written), not \(kind.rawValue); give --optimizer \(written) to resume it")
        }
        switch self {
        case .adam(var adam):
            guard metadata["optimizer.step"] != nil else {
                throw CheckpointError("\(name): optimizer.step is missing; give a checkpoint written by convtutor train --save")
            }
            let step = try ResumePosition.count("optimizer.step", in: metadata, maximum: ResumePosition.maximumSteps, name: name)
            adam.stepCount = step
            switch (metadata["optimizer.exp_avg"], metadata["optimizer.exp_avg_sq"]) {
            case (let first?, let second?):
                adam.firstMoments = try Self.decode(first, shapes: shapes, field: "optimizer.exp_avg", name: name)
                adam.secondMoments = try Self.decode(second, shapes: shapes, field: "optimizer.exp_avg_sq", name: name)
            case (nil, nil) where step == 0:
                break  // saved before the first step: Adam has no moments yet
            case (nil, nil):
                throw Self.weightsOnly(name: name, state: "Adam's moments (optimizer.exp_avg, optimizer.exp_avg_sq)", steps: step)
            case (_?, nil), (nil, _?):
                throw CheckpointError("\(name): holds one of optimizer.exp_avg and optimizer.exp_avg_sq but not the other; "
                    + "the file is damaged, give a checkpoint written by convtutor train --save")
            }
            self = .adam(adam)
        case .sgd(var sgd):
            if let buffers = metadata["optimizer.momentum_buffer"] {
                sgd.momentumBuffers = try Self.decode(buffers, shapes: shapes, field: "optimizer.momentum_buffer", name: name)
            } else if let steps = metadata["step"].flatMap(Int.init), steps > 0, steps <= ResumePosition.maximumSteps,
                      metadata["optimizer.momentum"].flatMap(Float.init).map({ $0 != 0 }) ?? true {
                throw Self.weightsOnly(name: name, state: "SGD's momentum buffers (optimizer.momentum_buffer)", steps: steps)
            }
            self = .sgd(sgd)
        }
    }

    /// The error for a checkpoint that holds the weights after `steps` steps but not the optimizer's state.
    private static func weightsOnly(name: String, state: String, steps: Int) -> CheckpointError {
        CheckpointError("\(name): holds the weights after \(steps) steps but not \(state): it is weights only, like "
            + "the shipped pretrained model, so training cannot continue where it stopped; use it with inspect --model, "
            + "or resume from a checkpoint written by convtutor train --save (which keeps the state)")
    }

    static func encode(_ tensors: [Tensor]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tensors.reduce(0) { $0 + $1.count } * 4)
        for tensor in tensors {
            for value in tensor.data { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        }
        return Data(bytes).base64EncodedString()
    }

    static func decode(_ text: String, shapes: [[Int]], field: String, name: String) throws(CheckpointError) -> [Tensor] {
        guard let data = Data(base64Encoded: text) else {
            throw CheckpointError("\(name): \(field) is not base64")
        }
        let expected = shapes.reduce(0) { $0 + $1.reduce(1, *) } * 4
        guard data.count == expected else {
            throw CheckpointError("\(name): \(field) holds \(data.count) bytes; this network's state takes \(expected)")
        }
        var tensors: [Tensor] = []
        var offset = 0
        for shape in shapes {
            let count = shape.reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            data.withUnsafeBytes { raw in
                for index in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: offset + index * 4, as: UInt32.self)
                    values[index] = Float(bitPattern: UInt32(littleEndian: bits))
                }
            }
            offset += count * 4
            tensors.append(Tensor(shape: shape, data: values))
        }
        return tensors
    }
}
