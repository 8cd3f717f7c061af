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
        let isTwoByTwo = g.kernel == 2 && g.stride == 2
        return Tensor(shape: g.outputShape) { output in
            input.data.withUnsafeBufferPointer { source in
                nonisolated(unsafe) let x = source.base, y = output.base
                Parallel.forEach(chunks: (planes + chunk - 1) / chunk, threads: threads) { part in
                    for plane in (part * chunk)..<min(planes, part * chunk + chunk) {
                        let input = x + plane &* inputPlane, out = y + plane &* outputPlane
                        for oy in 0..<g.outputHeight {
                            // 2 x 2 pooling with stride 2, eight outputs at a time.
                            let vectorEnd = isTwoByTwo ? g.outputWidth & ~7 : 0
                            for ox in stride(from: 0, to: vectorEnd, by: 8) {
                                let top = input + (2 &* oy &* g.inputWidth &+ 2 &* ox)
                                let value: SIMD8<Float> = isMax ? maxOfTwoByTwo(top: top, bottom: top + g.inputWidth)
                                    : sumOfTwoByTwo(top: top, bottom: top + g.inputWidth) / SIMD8(repeating: isAverage ? 4 : 1)
                                UnsafeMutableRawPointer(out + (oy &* g.outputWidth &+ ox)).storeBytes(of: value, as: SIMD8<Float>.self)
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
        if g.kernel == 2 && g.stride == 2 && g.inputHeight == 2 * g.outputHeight && g.inputWidth == 2 * g.outputWidth {
            return tiledBackward(g, input: input, dOutput: dOutput, kind: kind, threads: threads)
        }
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

    /// The backward pass of 2 x 2 windows with stride 2 that tile the input (even height and
    /// width): every input cell lies in exactly one window, so each is written once, with its
    /// share or 0, and the gradient needs no zeroing first. Eight windows at a time.
    private static func tiledBackward(_ g: Geometry, input: Tensor, dOutput: Tensor, kind: PoolKind, threads: Int) -> Tensor {
        let planes = g.batch * g.channels
        let chunk = planesPerChunk(g)
        let width = g.inputWidth, outputWidth = g.outputWidth
        let inputPlane = g.inputHeight * width, outputPlane = g.outputHeight * outputWidth
        let isMax = kind == .max
        // The reference adds each share to a zero: `share + 0` keeps its -0 from becoming a different bit pattern.
        let scale: Float = kind == .average ? 4 : 1
        return Tensor(shape: g.inputShape) { target in
            input.data.withUnsafeBufferPointer { source in
                dOutput.data.withUnsafeBufferPointer { gradient in
                    nonisolated(unsafe) let x = source.base, dy = gradient.base, dx = target.base
                    Parallel.forEach(chunks: (planes + chunk - 1) / chunk, threads: threads) { part in
                        for plane in (part * chunk)..<min(planes, part * chunk + chunk) {
                            for oy in 0..<g.outputHeight {
                                let top = x + (plane &* inputPlane &+ 2 &* oy &* width), bottom = top + width
                                let dTop = dx + (plane &* inputPlane &+ 2 &* oy &* width), dBottom = dTop + width
                                let dOut = dy + (plane &* outputPlane &+ oy &* outputWidth)
                                var ox = 0
                                while outputWidth &- ox >= 8 {
                                    let share = UnsafeRawPointer(dOut + ox).loadUnaligned(as: SIMD8<Float>.self)
                                    let (upper, lower) = isMax
                                        ? routeMaxOfTwoByTwo(share, top: top + 2 &* ox, bottom: bottom + 2 &* ox)
                                        : spreadOverTwoByTwo(share / scale)
                                    UnsafeMutableRawPointer(dTop + 2 &* ox).storeBytes(of: upper, as: SIMD16<Float>.self)
                                    UnsafeMutableRawPointer(dBottom + 2 &* ox).storeBytes(of: lower, as: SIMD16<Float>.self)
                                    ox &+= 8
                                }
                                while ox < outputWidth {
                                    let share = dOut[ox]
                                    let left = 2 &* ox, right = left &+ 1
                                    if isMax {
                                        // The reference's rule, one window: the first maximum in cell order, or the last NaN.
                                        var best = top[left], winner = 0
                                        @inline(__always) func consider(_ candidate: Float, _ cell: Int) {
                                            if candidate > best || candidate != candidate { best = candidate; winner = cell }
                                        }
                                        consider(top[right], 1)
                                        consider(bottom[left], 2)
                                        consider(bottom[right], 3)
                                        let routed = share + 0
                                        dTop[left] = winner == 0 ? routed : 0
                                        dTop[right] = winner == 1 ? routed : 0
                                        dBottom[left] = winner == 2 ? routed : 0
                                        dBottom[right] = winner == 3 ? routed : 0
                                    } else {
                                        let routed = share / scale + 0
                                        dTop[left] = routed
                                        dTop[right] = routed
                                        dBottom[left] = routed
                                        dBottom[right] = routed
                                    }
                                    ox &+= 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Eight 2 x 2 windows' shares routed to their winners (the reference's rule: the first maximum
    /// in cell order, or the last NaN), as the top and bottom input rows they cover.
    @inline(__always)
    private static func routeMaxOfTwoByTwo(_ share: SIMD8<Float>, top: UnsafePointer<Float>,
                                           bottom: UnsafePointer<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
        let upper = UnsafeRawPointer(top).loadUnaligned(as: SIMD16<Float>.self)
        let lower = UnsafeRawPointer(bottom).loadUnaligned(as: SIMD16<Float>.self)
        var best = upper.evenHalf, winner = SIMD8<Int32>.zero
        @inline(__always) func consider(_ candidate: SIMD8<Float>, _ cell: Int32) {
            let takes = (candidate .> best) .| (candidate .!= candidate)
            best.replace(with: candidate, where: takes)
            winner.replace(with: cell, where: takes)
        }
        consider(upper.oddHalf, 1)
        consider(lower.evenHalf, 2)
        consider(lower.oddHalf, 3)
        let zero = SIMD8<Float>.zero
        let routed = share + zero
        @inline(__always) func part(_ cell: Int32) -> SIMD8<Float> {
            zero.replacing(with: routed, where: winner .== SIMD8<Int32>(repeating: cell))
        }
        return (interleave(part(0), part(1)), interleave(part(2), part(3)))
    }

    /// Eight windows' shares written to all four cells of each (`share + 0`, as the reference adds it to a zero).
    @inline(__always)
    private static func spreadOverTwoByTwo(_ share: SIMD8<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
        let routed = share + SIMD8<Float>.zero
        let row = interleave(routed, routed)
        return (row, row)
    }

    /// `(even[0], odd[0], even[1], odd[1], ...)`.
    @inline(__always)
    private static func interleave(_ even: SIMD8<Float>, _ odd: SIMD8<Float>) -> SIMD16<Float> {
        SIMD16(even[0], odd[0], even[1], odd[1], even[2], odd[2], even[3], odd[3],
               even[4], odd[4], even[5], odd[5], even[6], odd[6], even[7], odd[7])
    }

    /// Eight 2 x 2 windows' sums, in the reference's cell order from 0.
    @inline(__always)
    private static func sumOfTwoByTwo(top: UnsafePointer<Float>, bottom: UnsafePointer<Float>) -> SIMD8<Float> {
        let upper = UnsafeRawPointer(top).loadUnaligned(as: SIMD16<Float>.self)
        let lower = UnsafeRawPointer(bottom).loadUnaligned(as: SIMD16<Float>.self)
        var sum = SIMD8<Float>.zero + upper.evenHalf
        sum += upper.oddHalf
        sum += lower.evenHalf
        return sum + lower.oddHalf
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
