/// The fast path of pooling without padding (LeNet-5's 2 x 2 windows with stride 2): every
/// window lies inside the image, so the loops need no bounds checks, and the planes of the batch
/// are split over the cores. The observed loops in `Pool2d.swift` stay the reference; tests hold
/// the two equal, value for value.
extension Pool2d {
    /// Whether `fastForward` / `fastBackward` apply: no observer, no padding, and no window clipped
    /// by `ceilMode`.
    static func fastPathApplies(_ g: Geometry) -> Bool {
        g.padding.height == 0 && g.padding.width == 0 && g.windowsFit
    }

    /// Planes per parallel chunk: enough work per chunk to be worth handing to a thread.
    private static func planesPerChunk(_ g: Geometry) -> Int {
        max(1, 4096 / max(1, g.inputHeight * g.inputWidth))
    }

    /// Inputs smaller than this are pooled on the calling thread alone (LeNet-5's pool1 at batch 1,
    /// 4,704 values, takes about a microsecond: less than sharing it would cost).
    static let minimumParallelInput = 1 << 15

    /// The threads worth using on `g`'s input.
    private static func usefulThreads(_ g: Geometry, _ threads: Int) -> Int {
        g.batch * g.channels * g.inputHeight * g.inputWidth >= minimumParallelInput ? threads : 1
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
                Parallel.forEach(chunks: (planes + chunk - 1) / chunk, threads: usefulThreads(g, threads)) { part in
                    for plane in (part * chunk)..<min(planes, part * chunk + chunk) {
                        let input = x + plane &* inputPlane, out = y + plane &* outputPlane
                        for oy in 0..<g.outputHeight {
                            // 2 x 2 pooling with stride 2: the whole row in vectors of windows when it is wide enough.
                            if isTwoByTwo && g.outputWidth >= 4 {
                                let top = input + 2 &* oy &* g.inputWidth, row = out + oy &* g.outputWidth
                                forEachVectorOfWindows(count: g.outputWidth) { first, wide in
                                    if wide {
                                        poolWindows(SIMD8<Float>.self, top: top + 2 &* first, bottom: top + (g.inputWidth &+ 2 &* first),
                                                    to: row + first, isMax: isMax, divisor: isAverage ? 4 : 1)
                                    } else {
                                        poolWindows(SIMD4<Float>.self, top: top + 2 &* first, bottom: top + (g.inputWidth &+ 2 &* first),
                                                    to: row + first, isMax: isMax, divisor: isAverage ? 4 : 1)
                                    }
                                }
                                continue
                            }
                            for ox in 0..<g.outputWidth {
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
                    Parallel.forEach(chunks: (planes + chunk - 1) / chunk, threads: usefulThreads(g, threads)) { part in
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
                    Parallel.forEach(chunks: (planes + chunk - 1) / chunk, threads: usefulThreads(g, threads)) { part in
                        for plane in (part * chunk)..<min(planes, part * chunk + chunk) {
                            for oy in 0..<g.outputHeight {
                                let top = x + (plane &* inputPlane &+ 2 &* oy &* width), bottom = top + width
                                let dTop = dx + (plane &* inputPlane &+ 2 &* oy &* width), dBottom = dTop + width
                                let dOut = dy + (plane &* outputPlane &+ oy &* outputWidth)
                                if outputWidth >= 4 {
                                    forEachVectorOfWindows(count: outputWidth) { first, wide in
                                        if wide {
                                            routeWindows(SIMD8<Float>.self, dOutput: dOut + first, top: top + 2 &* first,
                                                         bottom: bottom + 2 &* first, dTop: dTop + 2 &* first,
                                                         dBottom: dBottom + 2 &* first, isMax: isMax, divisor: scale)
                                        } else {
                                            routeWindows(SIMD4<Float>.self, dOutput: dOut + first, top: top + 2 &* first,
                                                         bottom: bottom + 2 &* first, dTop: dTop + 2 &* first,
                                                         dBottom: dBottom + 2 &* first, isMax: isMax, divisor: scale)
                                        }
                                    }
                                    continue
                                }
                                var ox = 0
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

    /// Calls `body(first, wide)` for vectors of windows covering `0..<count` (at least 4): eight
    /// windows at a time (`wide`) when the row has eight or more, else four; the last vector ends
    /// at the row's end, overlapping the one before it. Overlapping windows get the same values
    /// written twice, so every window is computed as if once.
    @inline(__always)
    private static func forEachVectorOfWindows(count: Int, _ body: (_ first: Int, _ wide: Bool) -> Void) {
        let lanes = count >= 8 ? 8 : 4
        var first = 0
        while first < count {
            body(min(first, count &- lanes), lanes == 8)
            first &+= lanes
        }
    }

    /// `V.scalarCount` 2 x 2 windows of pooling side by side, written to `output`: the four cells of
    /// each in the reference's order (top left, top right, bottom left, bottom right); for the
    /// maximum each takes over when larger or NaN, for the sum they are added from 0.
    @inline(__always)
    private static func poolWindows<V: WindowLanes>(_: V.Type, top: UnsafePointer<Float>, bottom: UnsafePointer<Float>,
                                                    to output: UnsafeMutablePointer<Float>, isMax: Bool, divisor: Float) {
        let (a, b) = V.loadPairs(top), (c, d) = V.loadPairs(bottom)
        let value = isMax ? V.maxInOrder(a, b, c, d) : V.sumInOrder(a, b, c, d, dividedBy: divisor)
        value.store(to: output)
    }

    /// The backward pass of `V.scalarCount` tiling 2 x 2 windows: each window's share (divided by
    /// `divisor`, plus 0 as the reference adds it to a zero) goes to its winner, and 0 to the other
    /// cells, for the maximum (the first maximum in cell order, or the last NaN), or to all four cells.
    @inline(__always)
    private static func routeWindows<V: WindowLanes>(_: V.Type, dOutput: UnsafePointer<Float>,
                                                     top: UnsafePointer<Float>, bottom: UnsafePointer<Float>,
                                                     dTop: UnsafeMutablePointer<Float>, dBottom: UnsafeMutablePointer<Float>,
                                                     isMax: Bool, divisor: Float) {
        let share = V.load(dOutput)
        guard isMax else {
            let routed = V.spread(share, dividedBy: divisor)
            V.storeInterleaved(routed, routed, to: dTop)
            V.storeInterleaved(routed, routed, to: dBottom)
            return
        }
        let (a, b) = V.loadPairs(top), (c, d) = V.loadPairs(bottom)
        let (shareA, shareB, shareC, shareD) = V.routeToMax(share, a, b, c, d)
        V.storeInterleaved(shareA, shareB, to: dTop)
        V.storeInterleaved(shareC, shareD, to: dBottom)
    }
}

/// A vector of pooling windows, one per lane: loads of two cells per window, stores back
/// interleaved, and the per-window arithmetic. Written out for each width (`SIMD8` and `SIMD4`)
/// rather than generically: generic SIMD comparisons compile to one lane at a time.
protocol WindowLanes {
    /// `2 * lanes` values from `pointer`, split into the even and the odd ones.
    static func loadPairs(_ pointer: UnsafePointer<Float>) -> (even: Self, odd: Self)
    /// `(even[0], odd[0], even[1], odd[1], ...)` stored at `pointer`.
    static func storeInterleaved(_ even: Self, _ odd: Self, to pointer: UnsafeMutablePointer<Float>)
    static func load(_ pointer: UnsafePointer<Float>) -> Self
    func store(to pointer: UnsafeMutablePointer<Float>)
    /// The reference's maximum of four cells: each takes over when larger or NaN.
    static func maxInOrder(_ a: Self, _ b: Self, _ c: Self, _ d: Self) -> Self
    /// `(((0 + a) + b) + c + d) / divisor`, the reference's order.
    static func sumInOrder(_ a: Self, _ b: Self, _ c: Self, _ d: Self, dividedBy divisor: Float) -> Self
    /// `share / divisor + 0`: what the reference adds to each zero cell.
    static func spread(_ share: Self, dividedBy divisor: Float) -> Self
    /// `share + 0` in the lane of each window's winner among cells a, b, c, d (the first maximum,
    /// or the last NaN), 0 in the others.
    static func routeToMax(_ share: Self, _ a: Self, _ b: Self, _ c: Self, _ d: Self) -> (Self, Self, Self, Self)
}

extension SIMD8: WindowLanes where Scalar == Float {
    @inline(__always)
    static func loadPairs(_ pointer: UnsafePointer<Float>) -> (even: Self, odd: Self) {
        let pairs = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
        return (pairs.evenHalf, pairs.oddHalf)
    }

    @inline(__always)
    static func storeInterleaved(_ even: Self, _ odd: Self, to pointer: UnsafeMutablePointer<Float>) {
        let pairs = SIMD16(even[0], odd[0], even[1], odd[1], even[2], odd[2], even[3], odd[3],
                           even[4], odd[4], even[5], odd[5], even[6], odd[6], even[7], odd[7])
        UnsafeMutableRawPointer(pointer).storeBytes(of: pairs, as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Self {
        UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }

    @inline(__always)
    static func maxInOrder(_ a: Self, _ b: Self, _ c: Self, _ d: Self) -> Self {
        @inline(__always) func takeOver(_ value: Self, _ candidate: Self) -> Self {
            value.replacing(with: candidate, where: (candidate .> value) .| (candidate .!= candidate))
        }
        return takeOver(takeOver(takeOver(a, b), c), d)
    }

    @inline(__always)
    static func sumInOrder(_ a: Self, _ b: Self, _ c: Self, _ d: Self, dividedBy divisor: Float) -> Self {
        var sum = Self.zero + a
        sum += b
        sum += c
        return (sum + d) / Self(repeating: divisor)
    }

    @inline(__always)
    static func spread(_ share: Self, dividedBy divisor: Float) -> Self {
        share / Self(repeating: divisor) + Self.zero
    }

    @inline(__always)
    static func routeToMax(_ share: Self, _ a: Self, _ b: Self, _ c: Self, _ d: Self) -> (Self, Self, Self, Self) {
        var best = a, winner = SIMD8<Int32>.zero
        @inline(__always) func consider(_ candidate: Self, _ cell: Int32) {
            let takes = (candidate .> best) .| (candidate .!= candidate)
            best.replace(with: candidate, where: takes)
            winner.replace(with: cell, where: takes)
        }
        consider(b, 1)
        consider(c, 2)
        consider(d, 3)
        let routed = share + Self.zero
        @inline(__always) func routedTo(_ cell: Int32) -> Self {
            Self.zero.replacing(with: routed, where: winner .== SIMD8<Int32>(repeating: cell))
        }
        return (routedTo(0), routedTo(1), routedTo(2), routedTo(3))
    }
}

extension SIMD4: WindowLanes where Scalar == Float {
    @inline(__always)
    static func loadPairs(_ pointer: UnsafePointer<Float>) -> (even: Self, odd: Self) {
        let pairs = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
        return (pairs.evenHalf, pairs.oddHalf)
    }

    @inline(__always)
    static func storeInterleaved(_ even: Self, _ odd: Self, to pointer: UnsafeMutablePointer<Float>) {
        let pairs = SIMD8(even[0], odd[0], even[1], odd[1], even[2], odd[2], even[3], odd[3])
        UnsafeMutableRawPointer(pointer).storeBytes(of: pairs, as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Self {
        UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }

    @inline(__always)
    static func maxInOrder(_ a: Self, _ b: Self, _ c: Self, _ d: Self) -> Self {
        @inline(__always) func takeOver(_ value: Self, _ candidate: Self) -> Self {
            value.replacing(with: candidate, where: (candidate .> value) .| (candidate .!= candidate))
        }
        return takeOver(takeOver(takeOver(a, b), c), d)
    }

    @inline(__always)
    static func sumInOrder(_ a: Self, _ b: Self, _ c: Self, _ d: Self, dividedBy divisor: Float) -> Self {
        var sum = Self.zero + a
        sum += b
        sum += c
        return (sum + d) / Self(repeating: divisor)
    }

    @inline(__always)
    static func spread(_ share: Self, dividedBy divisor: Float) -> Self {
        share / Self(repeating: divisor) + Self.zero
    }

    @inline(__always)
    static func routeToMax(_ share: Self, _ a: Self, _ b: Self, _ c: Self, _ d: Self) -> (Self, Self, Self, Self) {
        var best = a, winner = SIMD4<Int32>.zero
        @inline(__always) func consider(_ candidate: Self, _ cell: Int32) {
            let takes = (candidate .> best) .| (candidate .!= candidate)
            best.replace(with: candidate, where: takes)
            winner.replace(with: cell, where: takes)
        }
        consider(b, 1)
        consider(c, 2)
        consider(d, 3)
        let routed = share + Self.zero
        @inline(__always) func routedTo(_ cell: Int32) -> Self {
            Self.zero.replacing(with: routed, where: winner .== SIMD4<Int32>(repeating: cell))
        }
        return (routedTo(0), routedTo(1), routedTo(2), routedTo(3))
    }
}
