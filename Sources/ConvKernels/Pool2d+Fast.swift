/// The fast path of pooling without padding (LeNet-5's 2 x 2 windows with stride 2): every
/// window lies inside the image, so the loops need no bounds checks, and the planes of the batch
/// are split over the cores. The observed loops in `Pool2d.swift` stay the reference; tests hold
/// the two equal, value for value.
extension Pool2d {
    /// Whether `fastForward` / `fastBackward` apply: no observer and no padding.
    static func fastPathApplies(_ g: Geometry) -> Bool {
        g.padding.height == 0 && g.padding.width == 0
    }

    /// Planes per parallel chunk: enough work per chunk to be worth handing to a thread.
    private static func planesPerChunk(_ g: Geometry) -> Int {
        max(1, 4096 / max(1, g.inputHeight * g.inputWidth))
    }

    static func fastForward(_ g: Geometry, input: Tensor, kind: PoolKind, threads: Int) -> Tensor {
        let planes = g.batch * g.channels
        let chunk = planesPerChunk(g)
        let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputHeight * g.outputWidth
        let kernelHeight = g.kernel.height, kernelWidth = g.kernel.width
        let divisor = Float(kernelHeight * kernelWidth)
        // Decided once: comparing the enum inside the loops costs a call per window.
        let isMax = kind == .max, isAverage = kind == .average
        let isMaxTwoByTwo = isMax && g.kernel == 2 && g.stride == 2
        return Tensor(shape: g.outputShape) { output in
            input.data.withUnsafeBufferPointer { source in
                nonisolated(unsafe) let x = source.base, y = output.base
                Parallel.forEach(chunks: (planes + chunk - 1) / chunk, threads: threads) { part in
                    for plane in (part * chunk)..<min(planes, part * chunk + chunk) {
                        let input = x + plane &* inputPlane, out = y + plane &* outputPlane
                        for oy in 0..<g.outputHeight {
                            // 2 x 2 max pooling with stride 2, eight outputs at a time.
                            let vectorEnd = isMaxTwoByTwo ? g.outputWidth & ~7 : 0
                            for ox in stride(from: 0, to: vectorEnd, by: 8) {
                                let top = input + (2 &* oy &* g.inputWidth &+ 2 &* ox)
                                UnsafeMutableRawPointer(out + (oy &* g.outputWidth &+ ox)).storeBytes(
                                    of: maxOfTwoByTwo(top: top, bottom: top + g.inputWidth), as: SIMD8<Float>.self)
                            }
                            for ox in vectorEnd..<g.outputWidth {
                                let corner = input + (oy &* g.stride.height &* g.inputWidth &+ ox &* g.stride.width)
                                var value: Float
                                if isMax {
                                    // PyTorch's rule, as in the reference: a larger value or a NaN takes over.
                                    value = corner[0]
                                    for i in 0..<kernelHeight {
                                        for j in 0..<kernelWidth {
                                            let candidate = corner[i &* g.inputWidth &+ j]
                                            // A select, not a branch: on real data the comparison is a coin toss.
                                            let takes = candidate > value || candidate != candidate
                                            value = takes ? candidate : value
                                        }
                                    }
                                } else {
                                    value = 0
                                    for i in 0..<kernelHeight {
                                        for j in 0..<kernelWidth { value += corner[i &* g.inputWidth &+ j] }
                                    }
                                    if isAverage { value /= divisor }
                                }
                                out[oy &* g.outputWidth &+ ox] = value
                            }
                        }
                    }
                }
            }
        }
    }

    static func fastBackward(_ g: Geometry, input: Tensor, dOutput: Tensor, kind: PoolKind, threads: Int) -> Tensor {
        let planes = g.batch * g.channels
        let chunk = planesPerChunk(g)
        let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputHeight * g.outputWidth
        let kernelHeight = g.kernel.height, kernelWidth = g.kernel.width
        let divisor = Float(kernelHeight * kernelWidth)
        let isMax = kind == .max, isAverage = kind == .average
        var dInput = Tensor(zeros: g.inputShape)
        input.data.withUnsafeBufferPointer { source in
            dOutput.data.withUnsafeBufferPointer { gradient in
                dInput.data.withUnsafeMutableBufferPointer { target in
                    nonisolated(unsafe) let x = source.base, dy = gradient.base, dx = target.base
                    Parallel.forEach(chunks: (planes + chunk - 1) / chunk, threads: threads) { part in
                        for plane in (part * chunk)..<min(planes, part * chunk + chunk) {
                            let input = x + plane &* inputPlane, dIn = dx + plane &* inputPlane
                            let dOut = dy + plane &* outputPlane
                            for oy in 0..<g.outputHeight {
                                for ox in 0..<g.outputWidth {
                                    let offset = oy &* g.stride.height &* g.inputWidth &+ ox &* g.stride.width
                                    let share = dOut[oy &* g.outputWidth &+ ox]
                                    if isMax {
                                        // The reference's rule exactly: the first maximum, or the last NaN.
                                        var best = input[offset], winner = offset
                                        for i in 0..<kernelHeight {
                                            for j in 0..<kernelWidth {
                                                let cell = offset &+ i &* g.inputWidth &+ j
                                                let candidate = input[cell]
                                                let takes = candidate > best || candidate != candidate
                                                best = takes ? candidate : best
                                                winner = takes ? cell : winner
                                            }
                                        }
                                        dIn[winner] += share
                                    } else {
                                        let value = isAverage ? share / divisor : share
                                        for i in 0..<kernelHeight {
                                            for j in 0..<kernelWidth { dIn[offset &+ i &* g.inputWidth &+ j] += value }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dInput
    }

    /// Eight 2 x 2 windows side by side: the four cells of each in the reference's order (top
    /// left, top right, bottom left, bottom right), each taking over when larger or NaN.
    @inline(__always)
    private static func maxOfTwoByTwo(top: UnsafePointer<Float>, bottom: UnsafePointer<Float>) -> SIMD8<Float> {
        @inline(__always) func takeOver(_ value: SIMD8<Float>, _ candidate: SIMD8<Float>) -> SIMD8<Float> {
            value.replacing(with: candidate, where: (candidate .> value) .| (candidate .!= candidate))
        }
        let upper = UnsafeRawPointer(top).loadUnaligned(as: SIMD16<Float>.self)
        let lower = UnsafeRawPointer(bottom).loadUnaligned(as: SIMD16<Float>.self)
        return takeOver(takeOver(takeOver(upper.evenHalf, upper.oddHalf), lower.evenHalf), lower.oddHalf)
    }
}
