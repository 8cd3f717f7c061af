@testable import ConvKernels
import Testing

/// Gradients of the quadratic `f(p) = sum(curvature_i * (p_i - target_i)^2 / 2)` over a list of tensors,
/// `curvature * (p - target)`, so that the gradient changes as the optimizer moves.
private func quadraticGradients(_ parameters: [Tensor], curvature: [[Float]], target: [[Float]]) -> [Tensor] {
    parameters.indices.map { k in
        Tensor(shape: parameters[k].shape,
               data: parameters[k].data.indices.map { i in curvature[k][i] * (parameters[k].data[i] - target[k][i]) })
    }
}

/// The same gradient in Double, for the independent reference recurrences.
private func quadraticGradient(_ p: Double, curvature: Float, target: Float) -> Double {
    Double(curvature) * (p - Double(target))
}

private let startValues: [[Float]] = [[1, -2, 0.5, 3], [-1, 0.25, 2]]
private let startShapes: [[Int]] = [[2, 1, 1, 2], [3]]
private let curvatures: [[Float]] = [[1, 2, 0.5, 4], [3, 1, 0.25]]
private let targets: [[Float]] = [[0, 1, -1, 2], [0.5, 0, 1]]

private func startParameters() -> [Tensor] {
    zip(startShapes, startValues).map { Tensor(shape: $0, data: $1) }
}

@Suite("SGD")
struct SGDTests {
    @Test("plain SGD: p -= lr * g, worked by hand")
    func plainStep() throws {
        var optimizer = try SGD(learningRate: 0.1)
        var parameters = [Tensor(shape: [2], data: [1, -2])]
        optimizer.step(parameters: &parameters, gradients: [Tensor(shape: [2], data: [0.5, 0.25])])
        // 1 - 0.1 * 0.5 = 0.95; -2 - 0.1 * 0.25 = -2.025
        expectClose(parameters[0], Tensor(shape: [2], data: [0.95, -2.025]), tolerance: 1e-7)
        #expect(optimizer.momentumBuffers.isEmpty, "no momentum, no state")
    }

    @Test("momentum: the first step copies the gradient into the buffer, dampening applies only later")
    func momentumFirstStep() throws {
        var optimizer = try SGD(learningRate: 0.1, momentum: 0.9, dampening: 0.5)
        var parameters = [Tensor(shape: [1], data: [1])]
        let gradient = [Tensor(shape: [1], data: [2])]
        // Step 1: buffer = 2 (not 0.5 * 2), p = 1 - 0.1 * 2 = 0.8.
        optimizer.step(parameters: &parameters, gradients: gradient)
        #expect(abs(parameters[0].data[0] - 0.8) < 1e-6)
        #expect(optimizer.momentumBuffers[0].data == [2])
        // Step 2: buffer = 0.9 * 2 + 0.5 * 2 = 2.8, p = 0.8 - 0.28 = 0.52.
        optimizer.step(parameters: &parameters, gradients: gradient)
        #expect(abs(parameters[0].data[0] - 0.52) < 1e-6)
        #expect(abs(optimizer.momentumBuffers[0].data[0] - 2.8) < 1e-6)
        // Step 3: buffer = 0.9 * 2.8 + 0.5 * 2 = 3.52, p = 0.52 - 0.352 = 0.168.
        optimizer.step(parameters: &parameters, gradients: gradient)
        #expect(abs(parameters[0].data[0] - 0.168) < 1e-6)
    }

    @Test("weight decay adds weightDecay * p to the gradient")
    func weightDecay() throws {
        var optimizer = try SGD(learningRate: 0.1, weightDecay: 0.01)
        var parameters = [Tensor(shape: [1], data: [2])]
        let gradient = [Tensor(shape: [1], data: [1])]
        // Step 1: g = 1 + 0.01 * 2 = 1.02, p = 2 - 0.102 = 1.898.
        optimizer.step(parameters: &parameters, gradients: gradient)
        #expect(abs(parameters[0].data[0] - 1.898) < 1e-6)
        // Step 2: g = 1 + 0.01 * 1.898 = 1.01898, p = 1.898 - 0.101898 = 1.796102.
        optimizer.step(parameters: &parameters, gradients: gradient)
        #expect(abs(parameters[0].data[0] - 1.796102) < 1e-6)
    }

    @Test("Nesterov: g + momentum * buffer")
    func nesterov() throws {
        var optimizer = try SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        var parameters = [Tensor(shape: [1], data: [1])]
        // Step 1, g = 2: buffer = 2, g = 2 + 0.9 * 2 = 3.8, p = 1 - 0.38 = 0.62.
        optimizer.step(parameters: &parameters, gradients: [Tensor(shape: [1], data: [2])])
        #expect(abs(parameters[0].data[0] - 0.62) < 1e-6)
        // Step 2, g = 1: buffer = 0.9 * 2 + 1 = 2.8, g = 1 + 0.9 * 2.8 = 3.52, p = 0.62 - 0.352 = 0.268.
        optimizer.step(parameters: &parameters, gradients: [Tensor(shape: [1], data: [1])])
        #expect(abs(parameters[0].data[0] - 0.268) < 1e-6)
    }

    @Test("momentum, dampening, decay and Nesterov over several tensors match a Double reference",
          arguments: [(0.9 as Float, 0 as Float, true), (0.8, 0.3, false), (0, 0, false)])
    func referenceRecurrence(momentum: Float, dampening: Float, nesterov: Bool) throws {
        let rate: Float = 0.05, decay: Float = 0.02
        var optimizer = try SGD(learningRate: rate, momentum: momentum, weightDecay: decay,
                                dampening: dampening, nesterov: nesterov)
        var parameters = startParameters()
        var reference = startValues.map { $0.map(Double.init) }
        var buffers = reference.map { $0.map { _ in 0.0 } }
        for step in 0..<6 {
            optimizer.step(parameters: &parameters,
                           gradients: quadraticGradients(parameters, curvature: curvatures, target: targets))
            for k in reference.indices {
                for i in reference[k].indices {
                    var g = quadraticGradient(reference[k][i], curvature: curvatures[k][i], target: targets[k][i])
                    g += Double(decay) * reference[k][i]
                    if momentum != 0 {
                        buffers[k][i] = step == 0 ? g : Double(momentum) * buffers[k][i] + (1 - Double(dampening)) * g
                        g = nesterov ? g + Double(momentum) * buffers[k][i] : buffers[k][i]
                    }
                    reference[k][i] -= Double(rate) * g
                }
            }
        }
        for k in reference.indices {
            expectClose(parameters[k], Tensor(shape: startShapes[k], data: reference[k].map { Float($0) }),
                        tolerance: 1e-5, "parameter \(k)")
        }
    }

    @Test("works through the Optimizer protocol, and the learning rate can be changed between steps")
    func protocolAndRate() throws {
        var optimizer: any Optimizer = try SGD(learningRate: 1)
        optimizer.learningRate = 0.5
        var parameters = [Tensor(shape: [1], data: [1])]
        optimizer.step(parameters: &parameters, gradients: [Tensor(shape: [1], data: [1])])
        #expect(parameters[0].data == [0.5])
    }

    @Test("invalid settings are rejected as PyTorch rejects them")
    func badSettings() {
        #expect(kernelErrorMessage { _ = try SGD(learningRate: -0.1) }.contains("learning rate -0.1 is invalid"))
        #expect(kernelErrorMessage { _ = try SGD(learningRate: 0.1, momentum: -1) }.contains("momentum -1.0 is invalid"))
        #expect(kernelErrorMessage { _ = try SGD(learningRate: 0.1, weightDecay: -1) }.contains("weight decay"))
        #expect(kernelErrorMessage { _ = try SGD(learningRate: 0.1, nesterov: true) }
            .contains("needs momentum above 0 and dampening 0"))
        #expect(kernelErrorMessage { _ = try SGD(learningRate: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true) }
            .contains("needs momentum above 0 and dampening 0"))
    }
}

@Suite("Adam")
struct AdamTests {
    @Test("first step with a constant gradient moves by the learning rate, worked by hand")
    func firstStep() throws {
        var optimizer = try Adam(learningRate: 0.1)
        var parameters = [Tensor(shape: [1], data: [1])]
        // g = 2: m = 0.1 * 2 = 0.2, v = 0.001 * 4 = 0.004; step size = 0.1 / (1 - 0.9) = 1;
        // denominator = sqrt(0.004) / sqrt(1 - 0.999) + 1e-8 = 2 + 1e-8; p = 1 - 1 * 0.2 / 2 = 0.9.
        optimizer.step(parameters: &parameters, gradients: [Tensor(shape: [1], data: [2])])
        #expect(abs(parameters[0].data[0] - 0.9) < 1e-6)
        #expect(abs(optimizer.firstMoments[0].data[0] - 0.2) < 1e-7)
        // Float(0.999) is 0.99900001, so 1 - beta2 is 0.00099999 here: v is 0.004 to about 1e-5 relative.
        #expect(abs(optimizer.secondMoments[0].data[0] - 0.004) < 1e-7)
        #expect(optimizer.stepCount == 1)
        // Step 2, g = 2 again: m = 0.18 + 0.2 = 0.38, v = 0.003996 + 0.004 = 0.007996;
        // step size = 0.1 / 0.19; denominator = sqrt(0.007996) / sqrt(0.001999) + 1e-8 = 2 (+ 1e-8);
        // p = 0.9 - (0.1 / 0.19) * 0.38 / 2 = 0.8.
        optimizer.step(parameters: &parameters, gradients: [Tensor(shape: [1], data: [2])])
        #expect(abs(parameters[0].data[0] - 0.8) < 1e-6)
    }

    @Test("Adam and AdamW over several tensors match a Double reference",
          arguments: [(0 as Float, false), (0.05, false), (0.05, true)])
    func referenceRecurrence(decay: Float, decoupled: Bool) throws {
        let rate: Float = 0.02, beta1: Float = 0.8, beta2: Float = 0.99, epsilon: Float = 1e-6
        var optimizer = try Adam(learningRate: rate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                 weightDecay: decay, decoupledWeightDecay: decoupled)
        var parameters = startParameters()
        var reference = startValues.map { $0.map(Double.init) }
        var m = reference.map { $0.map { _ in 0.0 } }, v = m
        let b1 = Double(beta1), b2 = Double(beta2)
        for t in 1...7 {
            optimizer.step(parameters: &parameters,
                           gradients: quadraticGradients(parameters, curvature: curvatures, target: targets))
            var correction1 = 1.0, correction2 = 1.0
            for _ in 0..<t { correction1 *= b1; correction2 *= b2 }
            correction1 = 1 - correction1
            correction2 = 1 - correction2
            for k in reference.indices {
                for i in reference[k].indices {
                    var g = quadraticGradient(reference[k][i], curvature: curvatures[k][i], target: targets[k][i])
                    if decoupled {
                        reference[k][i] *= 1 - Double(rate) * Double(decay)
                    } else {
                        g += Double(decay) * reference[k][i]
                    }
                    m[k][i] = b1 * m[k][i] + (1 - b1) * g
                    v[k][i] = b2 * v[k][i] + (1 - b2) * g * g
                    let mHat = m[k][i] / correction1, vHat = v[k][i] / correction2
                    // PyTorch's step size lr / correction1 and denominator sqrt(v) / sqrt(correction2) + eps
                    // are this textbook form rearranged.
                    reference[k][i] -= Double(rate) * mHat / (vHat.squareRoot() + Double(epsilon))
                }
            }
        }
        for k in reference.indices {
            expectClose(parameters[k], Tensor(shape: startShapes[k], data: reference[k].map { Float($0) }),
                        tolerance: 1e-5, "parameter \(k)")
        }
    }

    @Test("AdamW shrinks a parameter with zero gradient by lr * decay; Adam's L2 acts through the gradient")
    func decoupledDecay() throws {
        var adamW = try Adam.adamW(learningRate: 0.1, weightDecay: 0.5)
        #expect(adamW.decoupledWeightDecay)
        var parameters = [Tensor(shape: [1], data: [1])]
        // m = v = 0, so only the shrink acts: p = 1 * (1 - 0.1 * 0.5) = 0.95.
        adamW.step(parameters: &parameters, gradients: [Tensor(shape: [1], data: [0])])
        #expect(abs(parameters[0].data[0] - 0.95) < 1e-6)

        var adam = try Adam(learningRate: 0.1, weightDecay: 0.5)
        parameters = [Tensor(shape: [1], data: [1])]
        // g = 0 + 0.5 * 1 = 0.5; Adam's first step moves by lr * g / |g| = 0.1.
        adam.step(parameters: &parameters, gradients: [Tensor(shape: [1], data: [0])])
        #expect(abs(parameters[0].data[0] - 0.9) < 1e-6)
    }

    @Test("minimises a simple quadratic")
    func minimisesQuadratic() throws {
        var optimizer = try Adam(learningRate: 0.05)
        var parameters = startParameters()
        for _ in 0..<2000 {
            optimizer.step(parameters: &parameters,
                           gradients: quadraticGradients(parameters, curvature: curvatures, target: targets))
        }
        for k in parameters.indices {
            expectClose(parameters[k], Tensor(shape: startShapes[k], data: targets[k]), tolerance: 1e-2, "parameter \(k)")
        }
    }

    @Test("the vectorised step equals the one-value-at-a-time reference bit for bit, on 1 and 2 threads",
          arguments: [(0 as Float, false), (0.05, false), (0.05, true)], [1, 2])
    func vectorisedEqualsReference(decay settings: (decay: Float, decoupled: Bool), threads: Int) throws {
        let (decay, decoupled) = settings
        // Sizes around the 8-lane vectors and the parallel threshold, and LeNet-5's largest weight.
        let shapes = [[1], [7], [8], [9], [23], [8191], [8193], [120, 400]]
        var random = SeededRandom(seed: 77)
        var fast = try Adam(learningRate: 0.01, weightDecay: decay, decoupledWeightDecay: decoupled)
        fast.threads = threads
        var reference = fast
        var fastParameters = shapes.map { random.uniformTensor(shape: $0) }
        var referenceParameters = fastParameters
        for _ in 0..<4 {
            // Gradients with zeros and large values mixed in, so moments of every size meet.
            let gradients = shapes.map { shape in
                var gradient = random.uniformTensor(shape: shape, in: -3..<3)
                for i in stride(from: 0, to: gradient.count, by: 5) { gradient.data[i] = 0 }
                return gradient
            }
            fast.step(parameters: &fastParameters, gradients: gradients)
            reference.referenceStep(parameters: &referenceParameters, gradients: gradients)
        }
        #expect(fastParameters == referenceParameters)
        #expect(fast.firstMoments == reference.firstMoments)
        #expect(fast.secondMoments == reference.secondMoments)
    }

    @Test("invalid settings are rejected as PyTorch rejects them")
    func badSettings() {
        #expect(kernelErrorMessage { _ = try Adam(learningRate: -1) }.contains("learning rate -1.0 is invalid"))
        #expect(kernelErrorMessage { _ = try Adam(beta1: 1) }.contains("beta1 1.0 is invalid"))
        #expect(kernelErrorMessage { _ = try Adam(beta2: -0.1) }.contains("beta2 -0.1 is invalid"))
        #expect(kernelErrorMessage { _ = try Adam(epsilon: -1e-8) }.contains("epsilon"))
        #expect(kernelErrorMessage { _ = try Adam(weightDecay: -1) }.contains("weight decay"))
    }
}
