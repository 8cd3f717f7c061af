@testable import ConvKernels
import Testing

/// The largest difference between two tensors relative to the larger magnitude of either (at least
/// `magnitudeFloor`).
func relativeDifference(_ a: Tensor, _ b: Tensor, magnitudeFloor: Float = 1e-6) -> Float {
    precondition(a.shape == b.shape, "shapes differ: \(a.shape) vs \(b.shape)")
    let scale = max(a.maxMagnitude, b.maxMagnitude, magnitudeFloor)
    var largest: Float = 0
    for index in 0..<a.count { largest = max(largest, abs(a.data[index] - b.data[index])) }
    return largest / scale
}

/// Expects two tensors equal in shape and within `tolerance` relative to their largest magnitude.
///
/// - Parameter magnitudeFloor: the smallest magnitude to measure against. A sum of many terms that
///   cancel (a bias gradient over a batch) can be far smaller than its terms, while its rounding
///   error scales with the terms: pass their magnitude here.
func expectClose(_ a: Tensor, _ b: Tensor, tolerance: Float = 1e-5, magnitudeFloor: Float = 1e-6, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.shape == b.shape, "\(what): shapes \(a.shape) and \(b.shape)", sourceLocation: sourceLocation)
    guard a.shape == b.shape else { return }
    let difference = relativeDifference(a, b, magnitudeFloor: magnitudeFloor)
    #expect(difference <= tolerance, "\(what): relative difference \(difference) > \(tolerance)",
            sourceLocation: sourceLocation)
}

/// Central finite differences of `loss(x) = sum(forward(x) * weights)` with respect to every value of `x`,
/// in Double, so a backward pass can be checked against it.
///
/// - Parameter forward: the op, as a function of the one tensor being perturbed.
/// - Parameter outputWeights: the fixed random `dOutput` that turns the output into a scalar.
func numericalGradient(of x: Tensor, outputWeights: Tensor, step: Float = 1e-2,
                       _ forward: (Tensor) -> Tensor) -> Tensor {
    func loss(_ t: Tensor) -> Double {
        let y = forward(t)
        precondition(y.shape == outputWeights.shape, "output \(y.shape) vs weights \(outputWeights.shape)")
        var total = 0.0
        for index in 0..<y.count { total += Double(y.data[index]) * Double(outputWeights.data[index]) }
        return total
    }
    var gradient = Tensor(zeros: x.shape)
    var probe = x
    for index in 0..<x.count {
        let original = probe.data[index]
        probe.data[index] = original + step
        let plus = loss(probe)
        probe.data[index] = original - step
        let minus = loss(probe)
        probe.data[index] = original
        gradient.data[index] = Float((plus - minus) / (2 * Double(step)))
    }
    return gradient
}

/// A 3x3 grid 0...8 as a 1x1x3x3 tensor: the worked examples' X.
let gridX = Tensor(grid: [[0, 1, 2], [3, 4, 5], [6, 7, 8]])
/// The worked examples' 2x2 kernel K as a 1x1x2x2 weight.
let kernelK = Tensor(grid: [[0, 1], [2, 3]])

/// The message of the `KernelError` that `body` throws, or "" when it throws none.
func kernelErrorMessage(_ body: () throws -> Void) -> String {
    do {
        try body()
        return ""
    } catch let error as KernelError {
        return error.message
    } catch {
        return "unexpected error \(error)"
    }
}

/// Conv2d's fast backward against the plain reference, with and without the bias and the input's
/// gradient. Gradients are sums over the batch whose terms are products of values in [-1, 1]: they
/// are measured against that term size, since heavy cancellation can leave a sum far smaller.
func expectBackwardMatchesReference(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, dOutput: Tensor, threads: Int,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
    let fastGradients = Conv2d.fastBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: true,
                                            needInputGradient: true, threads: threads)
    let referenceGradients = Conv2d.referenceBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: true)
    expectClose(fastGradients.dInput, referenceGradients.dInput, tolerance: 1e-5, magnitudeFloor: 1, "dInput")
    expectClose(fastGradients.dWeight, referenceGradients.dWeight, tolerance: 1e-5, magnitudeFloor: 1, "dWeight")
    expectClose(fastGradients.dBias!, referenceGradients.dBias!, tolerance: 1e-5, magnitudeFloor: 1, "dBias")

    let withoutInput = Conv2d.fastBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: false,
                                           needInputGradient: false, threads: threads)
    #expect(withoutInput.dBias == nil, sourceLocation: sourceLocation)
    #expect(withoutInput.dInput == Tensor(zeros: input.shape), sourceLocation: sourceLocation)
    expectClose(withoutInput.dWeight, referenceGradients.dWeight, tolerance: 1e-5, magnitudeFloor: 1, "dWeight without dInput")
}
