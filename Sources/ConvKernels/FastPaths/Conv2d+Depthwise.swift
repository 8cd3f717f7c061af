/// The fast path of depthwise conv2d (groups = input channels = output channels, MobileNet's 3x3
/// layers): each plane of each image is its own small convolution, so the planes are shared over
/// the threads and each is computed as a few long vector loops, at any stride.
///
/// A plane is zero-padded and split into `sH * sW` phase planes `[Hq][Wq]`
/// (`Hq = ceil(Hp / sH)`, `Wq = ceil(Wp / sW)`): padded cell `(r, c)` goes to phase
/// `(r % sH, c % sW)` at `(r / sH, c / sW)`. Output `(y, x)` then reads, for every kernel tap,
/// the cell `tapOffset + y * Wq + x` of one phase, so in "wide" positions `p = y * Wq + x` each tap
/// is one contiguous run, as in the direct path, stride or not:
///
///     wide[p]       = sum over taps t of weight[t] * phases[tapOffset[t] + p]
///     dWeight[t]    = sum over kept p of dOutputWide[p] * phases[tapOffset[t] + p]
///     dPhases[tapOffset[t] + p] += weight[t] * dOutputWide[p]
///
/// The forward sums the taps in the reference's order with a separate multiply and add, so its
/// output is the reference's bit for bit. Per-plane weight and bias gradients are summed over the
/// batch in image order afterwards, so the result does not depend on the thread count.
extension Conv2d {
    /// Whether the depthwise path applies: one input and one output channel per group, and strides
    /// no longer than the padded plane. (There are `sH * sW` phase planes of `ceil(Hp / sH) *
    /// ceil(Wp / sW)` cells: under twice the padded plane each way while the strides fit in it, but
    /// a stride of a billion over a 3x3 grid would ask for 10^18 of them.)
    static func depthwisePathApplies(_ g: Conv2dGeometry) -> Bool {
        let padded = g.paddedInputSize
        return g.inputChannelsPerGroup == 1 && g.outputChannelsPerGroup == 1 && paddedPlanesAreSmall(g)
            && g.options.stride.height <= padded.height && g.options.stride.width <= padded.width
    }

    static func depthwiseForward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, bias: Tensor?, threads: Int) -> Tensor {
        let layout = PhaseLayout(g)
        let planes = g.batch * g.inputChannels
        let chunks = layout.chunks(planes: planes, threads: threads)
        let biasValues = bias?.data
        // Every output value is written by the unwidening, so the output starts uninitialised.
        return Tensor(shape: g.outputShape) { output in
            input.data.withUnsafeBufferPointer { inputBuffer in
                weight.data.withUnsafeBufferPointer { weightBuffer in
                    layout.tapOffsets.withUnsafeBufferPointer { taps in
                        nonisolated(unsafe) let x = inputBuffer.base, w = weightBuffer.base, y = output.base
                        nonisolated(unsafe) let tapTable = taps.base
                        Parallel.forEach(chunks: chunks.count, threads: threads) { chunk in
                            let phases = allocateAlignedFloats(layout.phaseCount)
                            let wide = allocateAlignedFloats(layout.wideCount)
                            defer { phases.deallocate(); wide.deallocate() }
                            for plane in chunks[chunk] {
                                let c = plane % g.inputChannels
                                layout.split(x + plane * layout.inputPlane, into: phases)
                                let weights = w + c * layout.tapCount
                                var p = 0
                                while p < layout.wideCount {
                                    var sum = SIMD8<Float>.zero
                                    for t in 0..<layout.tapCount {
                                        sum += loadEight(phases + (tapTable[t] &+ p)) * SIMD8<Float>(repeating: weights[t])
                                    }
                                    storeEight(sum, wide + p)
                                    p &+= 8
                                }
                                let biasValue = biasValues?[c] ?? 0
                                var target = y + plane * layout.outputPlane
                                for row in 0..<g.outputHeight {
                                    let source = wide + row * layout.phaseWidth
                                    for column in 0..<g.outputWidth { target[column] = source[column] + biasValue }
                                    target += g.outputWidth
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func depthwiseBackward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, dOutput: Tensor, hasBias: Bool,
                                  needInputGradient: Bool, threads: Int) -> Gradients {
        let layout = PhaseLayout(g)
        let planes = g.batch * g.inputChannels
        let chunks = layout.chunks(planes: planes, threads: threads)
        let taps = layout.tapCount
        // Per plane: its weight and bias gradients, summed over the images in order afterwards.
        let partialWeights = allocateAlignedFloats(planes * taps)
        let partialBiases = allocateAlignedFloats(planes)
        defer { partialWeights.deallocate(); partialBiases.deallocate() }
        func run(_ dx: UnsafeMutablePointer<Float>?) {
            input.data.withUnsafeBufferPointer { inputBuffer in
                weight.data.withUnsafeBufferPointer { weightBuffer in
                    dOutput.data.withUnsafeBufferPointer { gradientBuffer in
                        layout.tapOffsets.withUnsafeBufferPointer { tapBuffer in
                            layout.keepMask.withUnsafeBufferPointer { maskBuffer in
                                nonisolated(unsafe) let x = inputBuffer.base, w = weightBuffer.base, dy = gradientBuffer.base
                                nonisolated(unsafe) let tapTable = tapBuffer.base, keep = maskBuffer.base
                                nonisolated(unsafe) let dWeights = partialWeights, dBiases = partialBiases, dInputs = dx
                                Parallel.forEach(chunks: chunks.count, threads: threads) { chunk in
                                    let phases = allocateAlignedFloats(layout.phaseCount)
                                    let dPhases = allocateAlignedFloats(layout.phaseCount)
                                    let wide = allocateAlignedFloats(layout.wideCount)
                                    defer { phases.deallocate(); dPhases.deallocate(); wide.deallocate() }
                                    // The dropped positions of the wide gradient stay zero.
                                    wide.initialize(repeating: 0, count: layout.wideCount)
                                    for plane in chunks[chunk] {
                                        let c = plane % g.inputChannels
                                        let gradient = dy + plane * layout.outputPlane
                                        dBiases[plane] = sumFloats(gradient, count: layout.outputPlane)
                                        for row in 0..<g.outputHeight {
                                            copyFloats(from: gradient + row * g.outputWidth, to: wide + row * layout.phaseWidth,
                                                       count: g.outputWidth)
                                        }
                                        layout.split(x + plane * layout.inputPlane, into: phases)
                                        for t in 0..<taps {
                                            dWeights[plane * taps + t] = maskedDot(wide, phases + tapTable[t], keep: keep,
                                                                                   count: layout.wideCount)
                                        }
                                        guard let dInputs else { continue }
                                        dPhases.initialize(repeating: 0, count: layout.phaseCount)
                                        let weights = w + c * taps
                                        for t in 0..<taps {
                                            let scale = SIMD8<Float>(repeating: weights[t])
                                            let target = dPhases + tapTable[t]
                                            var p = 0
                                            while p < layout.wideCount {
                                                storeEight(loadEight(target + p) + scale * loadEight(wide + p), target + p)
                                                p &+= 8
                                            }
                                        }
                                        layout.unsplit(dPhases, into: dInputs + plane * layout.inputPlane)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let dInput: Tensor
        if needInputGradient {
            // Every value is written by the unsplitting, so the input gradient starts uninitialised.
            dInput = Tensor(shape: g.inputShape) { target in run(target.base) }
        } else {
            run(nil)
            dInput = Tensor(zeros: g.inputShape)
        }
        let channels = g.inputChannels
        let dWeight = Tensor(shape: g.weightShape) { target in
            target.initialize(repeating: 0)
            for n in 0..<g.batch {
                addFloats(from: partialWeights + n * channels * taps, to: target.base, count: channels * taps)
            }
        }
        var dBias = [Float](repeating: 0, count: channels)
        for n in 0..<g.batch {
            for c in 0..<channels { dBias[c] += partialBiases[n * channels + c] }
        }
        return Gradients(dInput: dInput, dWeight: dWeight,
                         dBias: hasBias ? Tensor(shape: [channels], data: dBias) : nil)
    }
}

/// `sum over p < count of a[p] * (keep[p] != 0 ? b[p] : 0)`, eight lanes in four chains; `count`
/// is a multiple of 8. The mask clears b's bits, so a dropped value adds exactly 0 even when it is
/// infinite or NaN.
@inline(__always)
private func maskedDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, keep: UnsafePointer<UInt32>, count: Int) -> Float {
    @inline(__always) func term(_ p: Int) -> SIMD8<Float> {
        let bits = UnsafeRawPointer(b + p).loadUnaligned(as: SIMD8<UInt32>.self)
            & UnsafeRawPointer(keep + p).loadUnaligned(as: SIMD8<UInt32>.self)
        return loadEight(a + p) * unsafeBitCast(bits, to: SIMD8<Float>.self)
    }
    var first = SIMD8<Float>.zero, second = SIMD8<Float>.zero
    var p = 0
    while count &- p >= 16 {
        first += term(p)
        second += term(p &+ 8)
        p &+= 16
    }
    if p < count { first += term(p) }
    return (first + second).sum()
}

@inline(__always)
private func loadEight(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func storeEight(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}

/// One plane's phase planes and the wide positions of the depthwise path.
struct PhaseLayout {
    let g: Conv2dGeometry
    let strideHeight: Int
    let strideWidth: Int
    /// `ceil(Hp / sH)` and `ceil(Wp / sW)`: one phase plane's rows and columns.
    let phaseHeight: Int
    let phaseWidth: Int
    /// Floats of all phase planes of one input plane, with room for the last wide block's reads.
    let phaseCount: Int
    /// Wide positions `(OH - 1) * Wq + OW`, rounded up to whole 8-position blocks.
    let wideCount: Int
    let tapCount: Int
    /// Per tap (kernel row, kernel column): the offset of output (0, 0)'s cell in the phase planes.
    let tapOffsets: [Int]
    /// Per wide position: all bits set where the position is an output (`x < OW`), else 0.
    let keepMask: [UInt32]
    let inputPlane: Int
    let outputPlane: Int
    /// Per input row: where its padded row starts in the phase planes.
    let rowStarts: [Int]
    /// Per input column: its cell's offset from its row's start (strided layouts only).
    let columnOffsets: [Int]

    init(_ g: Conv2dGeometry) {
        self.g = g
        let options = g.options
        strideHeight = options.stride.height
        strideWidth = options.stride.width
        let paddedHeight = g.inputHeight + 2 * options.padding.height
        let paddedWidth = g.inputWidth + 2 * options.padding.width
        phaseHeight = (paddedHeight + strideHeight - 1) / strideHeight
        phaseWidth = (paddedWidth + strideWidth - 1) / strideWidth
        let phaseSize = phaseHeight * phaseWidth
        let used = (g.outputHeight - 1) * phaseWidth + g.outputWidth
        wideCount = (used + 7) / 8 * 8
        tapCount = g.kernelHeight * g.kernelWidth
        var taps: [Int] = []
        for i in 0..<g.kernelHeight {
            for j in 0..<g.kernelWidth {
                let row = i * options.dilation.height, column = j * options.dilation.width
                let phase = (row % strideHeight) * strideWidth + column % strideWidth
                taps.append(phase * phaseSize + (row / strideHeight) * phaseWidth + column / strideWidth)
            }
        }
        tapOffsets = taps
        // A tap's reads end at its offset + wideCount; the largest offset's are past the planes by
        // at most the rounding of wideCount.
        phaseCount = max(strideHeight * strideWidth * phaseSize, (taps.max() ?? 0) + wideCount)
        let width = phaseWidth, outputWidth = g.outputWidth
        keepMask = (0..<wideCount).map { p in p < used && p % width < outputWidth ? UInt32.max : 0 }
        inputPlane = g.inputHeight * g.inputWidth
        outputPlane = g.outputHeight * g.outputWidth
        // Tables, so that no division is left in the per-plane loops.
        let (top, left, strideHeight, strideWidth) = (options.padding.height, options.padding.width, strideHeight, strideWidth)
        let phaseWidth = phaseWidth
        rowStarts = (0..<g.inputHeight).map { h in
            ((h + top) % strideHeight) * strideWidth * phaseSize + ((h + top) / strideHeight) * phaseWidth
        }
        columnOffsets = (0..<g.inputWidth).map { w in ((w + left) % strideWidth) * phaseSize + (w + left) / strideWidth }
    }

    /// Planes `0 ..< planes` (image-major) in runs for the threads: a few per thread, so uneven
    /// progress balances out; one run when the whole convolution is too small to share.
    func chunks(planes: Int, threads: Int) -> [Range<Int>] {
        let parts = g.multiplyAdds >= Parallel.minimumParallelWork ? 4 * max(1, threads) : 1
        return Parallel.split(planes, into: parts)
    }

    /// One input plane `[H, W]` into its zero-padded phase planes (`phaseCount` floats).
    func split(_ plane: UnsafePointer<Float>, into phases: UnsafeMutablePointer<Float>) {
        phases.initialize(repeating: 0, count: phaseCount)
        let left = g.options.padding.width
        rowStarts.withUnsafeBufferPointer { rows in
            columnOffsets.withUnsafeBufferPointer { columns in
                for h in 0..<g.inputHeight {
                    let rowBase = phases + rows[h], source = plane + h &* g.inputWidth
                    if strideWidth == 1 {
                        copyFloats(from: source, to: rowBase + left, count: g.inputWidth)
                    } else {
                        for w in 0..<g.inputWidth { rowBase[columns[w]] = source[w] }
                    }
                }
            }
        }
    }

    /// The adjoint of `split` without the padding: the phase planes' image cells back to a plane `[H, W]`.
    func unsplit(_ phases: UnsafePointer<Float>, into plane: UnsafeMutablePointer<Float>) {
        let left = g.options.padding.width
        rowStarts.withUnsafeBufferPointer { rows in
            columnOffsets.withUnsafeBufferPointer { columns in
                for h in 0..<g.inputHeight {
                    let rowBase = phases + rows[h], target = plane + h &* g.inputWidth
                    if strideWidth == 1 {
                        copyFloats(from: rowBase + left, to: target, count: g.inputWidth)
                    } else {
                        for w in 0..<g.inputWidth { target[w] = rowBase[columns[w]] }
                    }
                }
            }
        }
    }
}
