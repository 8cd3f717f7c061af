/// The direct fast path of conv2d for small batches with stride 1 (LeNet-5's two convolutions at
/// batches under 16): no im2col.
///
/// Each image is copied once into zero-padded planes `[C][Hp][Wp]`, and the output is computed
/// "wide": output position `(y, x)` sits at `p = y * Wp + x`, with the padded row length, so that
/// for every kernel tap the positions `p` read the contiguous run `tapOffset + p` of the padded
/// input, and the matrix products read their right-hand side straight from it (`TableGemm`). The
/// columns `x >= OW` of each wide row are computed and dropped (conv2: 140 computed for 100 kept;
/// conv1: 896 for 784), which costs less than unfolding the patches.
///
///     wide[o][p]   = sum over taps t of weight[o][t] * padded[tapOffset[t] + p]
///     dWeight[o][t] = sum over kept p of dOutputWide[o][p] * padded[tapOffset[t] + p]
///     dPadded[tapOffset[t] + p] += sum over o of weight[o][t] * dOutputWide[o][p]
///
/// The dropped positions of the output gradient are zero, so they add nothing to the input
/// gradient; for the weight gradient the padded values they would meet are masked to zero first,
/// so that an infinity in the input cannot turn `0 * inf` into a NaN the reference does not have.
extension Conv2d {
    /// Whether the direct path applies: stride 1 both ways (any padding, dilation or groups).
    static func directPathApplies(_ g: Conv2dGeometry) -> Bool {
        g.options.stride.height == 1 && g.options.stride.width == 1 && paddedPlanesAreSmall(g)
    }

    /// Whether whole padded planes (kept by the direct and the batched paths) are of the order of
    /// the input and the output. When the padding dwarfs both (a padding of a million around a 3x3
    /// grid) they would take gigabytes for a few values, so the unfolding path, whose buffers
    /// follow the output, takes such calls instead.
    static func paddedPlanesAreSmall(_ g: Conv2dGeometry) -> Bool {
        let padded = g.paddedInputSize
        guard let paddedPlane = ResourceBudget.product(padded.height, padded.width) else { return false }
        return paddedPlane <= 4 * (g.inputHeight * g.inputWidth + g.outputHeight * g.outputWidth) + 65_536
    }

    static func directForward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, bias: Tensor?, threads: Int) -> Tensor {
        let layout = WideLayout(g)
        let outputsPerGroup = g.outputChannelsPerGroup
        let wideImage = g.outputChannels * layout.wideCount
        let items = layout.workItems(threads: threads, multiplyAdds: g.multiplyAdds)
        let biasValues = bias?.data ?? [Float](repeating: 0, count: g.outputChannels)
        let inputImage = g.inputChannels * g.inputHeight * g.inputWidth
        let outputImage = g.outputChannels * g.outputHeight * g.outputWidth
        // Every kept value is written by the unwidening, so the output starts uninitialised.
        return Tensor(shape: g.outputShape) { output in
            input.data.withUnsafeBufferPointer { inputBuffer in
                weight.data.withUnsafeBufferPointer { weightBuffer in
                    layout.tapOffsets.withUnsafeBufferPointer { taps in
                        layout.outputRowOffsets.withUnsafeBufferPointer { rows in
                            biasValues.withUnsafeBufferPointer { biasBuffer in
                                nonisolated(unsafe) let w = weightBuffer.base, tapTable = taps.base, rowTable = rows.base
                                nonisolated(unsafe) let x = inputBuffer.base, y = output.base, b = biasBuffer.base
                                /// The wide products of `blocks` of one padded image.
                                func products(padded: UnsafePointer<Float>, blocks: Range<Int>, into wide: UnsafeMutablePointer<Float>) {
                                    for group in 0..<g.groups {
                                        let firstOutput = group * outputsPerGroup
                                        let source = padded + group * g.inputChannelsPerGroup * layout.planeStride
                                        let target = wide + firstOutput * layout.wideCount
                                        for block in blocks {
                                            TableGemm.multiply16(m: outputsPerGroup, k: layout.patchSize,
                                                                 a: w + firstOutput * layout.patchSize, lda: layout.patchSize,
                                                                 b: source + block * 16, bOffsets: tapTable,
                                                                 c: target + block * 16, cOffsets: rowTable, accumulate: false)
                                        }
                                    }
                                }
                                if case .imageShares(let shares) = items {
                                    // One image's blocks shared over the threads: it is padded once, and its
                                    // wide products unwidened after.
                                    let padded = allocateAlignedFloats(layout.imageSize)
                                    let wide = allocateAlignedFloats(wideImage)
                                    defer { padded.deallocate(); wide.deallocate() }
                                    nonisolated(unsafe) let paddedImage = UnsafePointer(padded), wideImageBuffer = wide
                                    for image in 0..<g.batch {
                                        layout.padImage(x + image * inputImage, into: padded)
                                        Parallel.forEach(chunks: shares.count, threads: threads) { share in
                                            products(padded: paddedImage, blocks: shares[share], into: wideImageBuffer)
                                        }
                                        layout.unwiden(wide, bias: b, into: y + image * outputImage)
                                    }
                                } else if case .images(let ranges) = items {
                                    // Whole images per chunk: padded, multiplied and unwidened while in cache.
                                    Parallel.forEach(chunks: ranges.count, threads: threads) { chunk in
                                        let padded = allocateAlignedFloats(layout.imageSize)
                                        let wide = allocateAlignedFloats(wideImage)
                                        defer { padded.deallocate(); wide.deallocate() }
                                        for image in ranges[chunk] {
                                            layout.padImage(x + image * inputImage, into: padded)
                                            products(padded: padded, blocks: 0..<(layout.wideCount / 16), into: wide)
                                            layout.unwiden(wide, bias: b, into: y + image * outputImage)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func directBackward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, dOutput: Tensor, hasBias: Bool,
                               needInputGradient: Bool, threads: Int) -> Gradients {
        let layout = WideLayout(g)
        let outputsPerGroup = g.outputChannelsPerGroup, patchSize = layout.patchSize
        let wideImage = g.outputChannels * layout.wideCount
        let padded = layout.pad(input)
        // The output gradient in wide rows, zero in the dropped columns; the bias gradient on the way.
        let wideGradient = allocateAlignedFloats(g.batch * wideImage)
        wideGradient.initialize(repeating: 0, count: g.batch * wideImage)
        defer { padded.deallocate(); wideGradient.deallocate() }
        var dBias = [Float](repeating: 0, count: g.outputChannels)
        dOutput.data.withUnsafeBufferPointer { gradientBuffer in
            var source = gradientBuffer.base
            for image in 0..<g.batch {
                for o in 0..<g.outputChannels {
                    var target = wideGradient + (image * wideImage + o * layout.wideCount)
                    dBias[o] += sumFloats(source, count: g.outputHeight * g.outputWidth)
                    for _ in 0..<g.outputHeight {
                        copyFloats(from: source, to: target, count: g.outputWidth)
                        source += g.outputWidth
                        target += layout.paddedWidth
                    }
                }
            }
        }

        // dWeight: each task a share of one group's taps, over every image.
        let tapParts = g.multiplyAdds >= Parallel.minimumParallelWork ? Parallel.split(patchSize, into: threads) : [0..<patchSize]
        let dWeight = outputsPerGroup >= broadcastMinimumOutputs
            ? directWeightGradientByBroadcast(g, layout: layout, padded: padded, dOutput: dOutput, tapParts: tapParts, threads: threads)
            : directWeightGradientByDots(g, layout: layout, padded: padded, wideGradient: wideGradient, tapParts: tapParts,
                                         threads: threads)

        let dInput = needInputGradient
            ? directInputGradient(g, layout: layout, weight: weight, wideGradient: wideGradient, threads: threads)
            : Tensor(zeros: g.inputShape)
        return Gradients(dInput: dInput, dWeight: dWeight,
                         dBias: hasBias ? Tensor(shape: [g.outputChannels], data: dBias) : nil)
    }

    /// Groups with at least this many outputs take the weight gradient by broadcasting (16 output
    /// lanes, no dropped positions); fewer fill too few lanes, and take it as masked dot products.
    static let broadcastMinimumOutputs = 9

    /// The weight gradient as dot products over wide positions: `R` outputs against `C` taps,
    /// eight positions at a time, the dropped positions' inputs masked to zero.
    private static func directWeightGradientByDots(_ g: Conv2dGeometry, layout: WideLayout, padded: UnsafePointer<Float>,
                                                   wideGradient: UnsafePointer<Float>, tapParts: [Range<Int>],
                                                   threads: Int) -> Tensor {
        let outputsPerGroup = g.outputChannelsPerGroup, patchSize = layout.patchSize
        let wideImage = g.outputChannels * layout.wideCount
        var dWeight = Tensor(zeros: g.weightShape)
        layout.tapOffsets.withUnsafeBufferPointer { taps in
            layout.keepMask.withUnsafeBufferPointer { mask in
                dWeight.data.withUnsafeMutableBufferPointer { dWeightBuffer in
                    nonisolated(unsafe) let tapTable = taps.base, keep = mask.base, dw = dWeightBuffer.base
                    nonisolated(unsafe) let x = padded, dy = wideGradient
                    Parallel.forEach(chunks: g.groups * tapParts.count, threads: threads) { task in
                        let group = task / tapParts.count, tapRange = tapParts[task % tapParts.count]
                        let firstOutput = group * outputsPerGroup
                        for image in 0..<g.batch {
                            TableGemm.maskedDot(
                                m: outputsPerGroup, n: tapRange.count, count: layout.wideCount,
                                a: dy + (image * wideImage + firstOutput * layout.wideCount), lda: layout.wideCount,
                                b: x + (image * layout.imageSize + group * g.inputChannelsPerGroup * layout.planeStride),
                                bOffsets: tapTable + tapRange.lowerBound, keep: keep,
                                c: dw + (firstOutput * patchSize + tapRange.lowerBound), ldc: patchSize)
                        }
                    }
                }
            }
        }
        return dWeight
    }

    /// The weight gradient by broadcasting: the output gradient transposed to `[positions][lanes]`
    /// (a group's outputs in 16-lane blocks), then for `R` taps at a time every kept position's
    /// input value broadcast against its 16 gradients, into `dWeight^T` `[patchSize][lanes]`,
    /// transposed back at the end. Only kept positions are visited, so nothing needs masking.
    private static func directWeightGradientByBroadcast(_ g: Conv2dGeometry, layout: WideLayout, padded: UnsafePointer<Float>,
                                                        dOutput: Tensor, tapParts: [Range<Int>], threads: Int) -> Tensor {
        let outputsPerGroup = g.outputChannelsPerGroup, patchSize = layout.patchSize
        let positions = g.outputHeight * g.outputWidth
        let lanes = (outputsPerGroup + 15) / 16 * 16
        // [image][group][positions][lanes], zero in the spare lanes.
        let transposedCount = g.batch * g.groups * positions * lanes
        let transposedGradient = allocateAlignedFloats(transposedCount)
        // [group][patchSize][lanes]
        let transposedWeight = allocateAlignedFloats(g.groups * patchSize * lanes)
        defer { transposedGradient.deallocate(); transposedWeight.deallocate() }
        if lanes > outputsPerGroup { transposedGradient.initialize(repeating: 0, count: transposedCount) }
        transposedWeight.initialize(repeating: 0, count: g.groups * patchSize * lanes)
        dOutput.data.withUnsafeBufferPointer { source in
            for image in 0..<g.batch {
                for group in 0..<g.groups {
                    transpose(rows: outputsPerGroup, columns: positions,
                              from: source.base + (image * g.outputChannels + group * outputsPerGroup) * positions, rowStride: positions,
                              to: transposedGradient + (image * g.groups + group) * positions * lanes, targetRowStride: lanes)
                }
            }
        }
        layout.tapOffsets.withUnsafeBufferPointer { taps in
            nonisolated(unsafe) let tapTable = taps.base, x = padded
            nonisolated(unsafe) let dyT = UnsafePointer(transposedGradient), dwT = transposedWeight
            Parallel.forEach(chunks: g.groups * tapParts.count, threads: threads) { task in
                let group = task / tapParts.count, tapRange = tapParts[task % tapParts.count]
                for image in 0..<g.batch {
                    TableGemm.broadcastOverGrid(
                        m: tapRange.count, lanes: lanes, rows: g.outputHeight, columns: g.outputWidth,
                        a: dyT + (image * g.groups + group) * positions * lanes,
                        b: x + (image * layout.imageSize + group * g.inputChannelsPerGroup * layout.planeStride),
                        bOffsets: tapTable + tapRange.lowerBound, bRowStride: layout.paddedWidth,
                        c: dwT + (group * patchSize + tapRange.lowerBound) * lanes, ldc: lanes)
                }
            }
        }
        return Tensor(shape: g.weightShape) { dWeight in
            for group in 0..<g.groups {
                transpose(rows: patchSize, columns: outputsPerGroup,
                          from: transposedWeight + group * patchSize * lanes, rowStride: lanes,
                          to: dWeight.base + group * outputsPerGroup * patchSize, targetRowStride: patchSize)
            }
        }
    }

    /// The input gradient: per input channel, the products `weight^T dOutputWide` of its taps
    /// (`[KH * KW][wideCount]`, in cache), each added back onto the padded plane at its tap's
    /// offset; then the padding is dropped. Work is split by image, or by channel within an image,
    /// so no two threads add into the same plane.
    private static func directInputGradient(_ g: Conv2dGeometry, layout: WideLayout, weight: Tensor,
                                            wideGradient: UnsafeMutablePointer<Float>, threads: Int) -> Tensor {
        let outputsPerGroup = g.outputChannelsPerGroup, patchSize = layout.patchSize
        let tapsPerChannel = g.kernelHeight * g.kernelWidth
        let wideImage = g.outputChannels * layout.wideCount
        let transposed = transposedWeights(g, weight: weight)
        let paddedGradient = allocateAlignedFloats(g.batch * layout.imageSize)
        paddedGradient.initialize(repeating: 0, count: g.batch * layout.imageSize)
        defer { paddedGradient.deallocate() }
        let parallel = g.multiplyAdds >= Parallel.minimumParallelWork
        let channelParts = g.batch >= threads || !parallel ? [0..<g.inputChannels] : Parallel.split(g.inputChannels, into: threads)
        transposed.withUnsafeBufferPointer { transposedBuffer in
            layout.tapOffsets.withUnsafeBufferPointer { taps in
                nonisolated(unsafe) let wT = transposedBuffer.base, tapTable = taps.base
                nonisolated(unsafe) let dy = UnsafePointer(wideGradient), dx = paddedGradient
                Parallel.forEach(chunks: g.batch * channelParts.count, threads: parallel ? threads : 1) { item in
                    let image = item / channelParts.count, channels = channelParts[item % channelParts.count]
                    let products = allocateAlignedFloats(tapsPerChannel * layout.wideCount)
                    defer { products.deallocate() }
                    for channel in channels {
                        let group = channel / g.inputChannelsPerGroup, localChannel = channel % g.inputChannelsPerGroup
                        let firstTap = localChannel * tapsPerChannel
                        Gemm.multiply(m: tapsPerChannel, n: layout.wideCount, k: outputsPerGroup,
                                      a: wT + (group * patchSize + firstTap) * outputsPerGroup, lda: outputsPerGroup,
                                      b: dy + (image * wideImage + group * outputsPerGroup * layout.wideCount),
                                      ldb: layout.wideCount, c: products, ldc: layout.wideCount, accumulate: false)
                        // The tap offsets of local channel 0, from this channel's plane.
                        let plane = dx + (image * layout.imageSize + channel * layout.planeStride)
                        for tap in 0..<tapsPerChannel {
                            addFloats(from: products + tap * layout.wideCount, to: plane + tapTable[tap],
                                      count: layout.wideCount)
                        }
                    }
                }
            }
        }
        // Every value is written by the unpadding, so the gradient starts uninitialised.
        return Tensor(shape: g.inputShape) { target in
            layout.unpad(paddedGradient, into: target.base)
        }
    }
}

/// The zero-padded image layout of the direct path, its wide output rows and its offset tables.
struct WideLayout {
    let g: Conv2dGeometry
    let paddedHeight: Int
    let paddedWidth: Int
    /// Floats from one padded channel plane to the next: `Hp * Wp` and at least 15 spare floats,
    /// rounded up to 16, since the last 16-position block of a plane reads (and, for the input
    /// gradient, adds zeros) up to 15 values past the plane's end. With the spare room no channel
    /// touches another's plane, so threads can own channels.
    let planeStride: Int
    /// Floats per padded image: `C * planeStride`.
    let imageSize: Int
    /// Wide positions per output channel: `(OH - 1) * Wp + OW`, rounded up to whole 16-position blocks.
    let wideCount: Int
    /// Input channels per group * KH * KW.
    let patchSize: Int
    /// Per tap (local channel, kernel row, kernel column): its offset in a group's padded planes.
    let tapOffsets: [Int]
    /// Per output channel of a group: its row's offset in the wide output, `o * wideCount`.
    let outputRowOffsets: [Int]
    /// Per wide position: all bits set where the position is kept (`x < OW` and inside the output), else 0.
    let keepMask: [UInt32]

    init(_ g: Conv2dGeometry) {
        self.g = g
        let options = g.options
        paddedHeight = g.inputHeight + 2 * options.padding.height
        paddedWidth = g.inputWidth + 2 * options.padding.width
        planeStride = (paddedHeight * paddedWidth + 15 + 15) / 16 * 16
        imageSize = g.inputChannels * planeStride
        let used = (g.outputHeight - 1) * paddedWidth + g.outputWidth
        wideCount = (used + 15) / 16 * 16
        patchSize = g.inputChannelsPerGroup * g.kernelHeight * g.kernelWidth
        var taps: [Int] = []
        taps.reserveCapacity(patchSize)
        for channel in 0..<g.inputChannelsPerGroup {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    taps.append(channel * planeStride + i * options.dilation.height * paddedWidth + j * options.dilation.width)
                }
            }
        }
        tapOffsets = taps
        let wideCount = wideCount
        outputRowOffsets = (0..<g.outputChannelsPerGroup).map { $0 * wideCount }
        let width = paddedWidth, outputWidth = g.outputWidth
        keepMask = (0..<wideCount).map { p in p < used && p % width < outputWidth ? UInt32.max : 0 }
    }

    /// Every image of `input` in padded planes, zero in the padding and the spare room.
    func pad(_ input: Tensor) -> UnsafeMutablePointer<Float> {
        let padded = allocateAlignedFloats(g.batch * imageSize)
        let inputImage = g.inputChannels * g.inputHeight * g.inputWidth
        input.data.withUnsafeBufferPointer { source in
            for image in 0..<g.batch { padImage(source.base + image * inputImage, into: padded + image * imageSize) }
        }
        return padded
    }

    /// One image `[C, H, W]` into padded planes (`imageSize` floats), zero in the padding and the spare room.
    func padImage(_ image: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        padded.initialize(repeating: 0, count: imageSize)
        let top = g.options.padding.height, left = g.options.padding.width
        var row = image
        for channel in 0..<g.inputChannels {
            var target = padded + (channel * planeStride + top * paddedWidth + left)
            for _ in 0..<g.inputHeight {
                copyFloats(from: row, to: target, count: g.inputWidth)
                row += g.inputWidth
                target += paddedWidth
            }
        }
    }

    /// One image's wide products `[O][wideCount]` as `[O, OH, OW]`, the kept columns plus the bias.
    func unwiden(_ wide: UnsafePointer<Float>, bias: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        var target = output
        for o in 0..<g.outputChannels {
            var source = wide + o * wideCount
            for _ in 0..<g.outputHeight {
                addFloats(source, bias[o], to: target, count: g.outputWidth)
                source += paddedWidth
                target += g.outputWidth
            }
        }
    }

    /// The inside of padded planes back to `[N, C, H, W]`.
    func unpad(_ padded: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        let top = g.options.padding.height, left = g.options.padding.width
        var row = target
        for image in 0..<g.batch {
            for channel in 0..<g.inputChannels {
                var source = padded + (image * imageSize + channel * planeStride + top * paddedWidth + left)
                for _ in 0..<g.inputHeight {
                    copyFloats(from: source, to: row, count: g.inputWidth)
                    source += paddedWidth
                    row += g.inputWidth
                }
            }
        }
    }

    /// How the forward pass shares its work over threads.
    enum WorkItems {
        /// Chunks of whole images.
        case images([Range<Int>])
        /// Each image's 16-position blocks, split evenly over the threads (fewer images than threads).
        case imageShares([Range<Int>])
    }

    /// Whole images per chunk when there are at least as many as threads (or the work is too small
    /// to share), else each image's blocks split evenly over the threads.
    func workItems(threads: Int, multiplyAdds: Int) -> WorkItems {
        let small = multiplyAdds < Parallel.minimumParallelWork
        if g.batch >= threads || small {
            // A few chunks per thread, so that uneven progress evens out.
            return .images(Parallel.split(g.batch, into: small ? 1 : min(g.batch, 4 * threads)))
        }
        return .imageShares(Parallel.split(wideCount / 16, into: threads))
    }
}

/// `to[i] = from[i] + value` for `i < count`, eight lanes at a time.
@inline(__always)
func addFloats(_ source: UnsafePointer<Float>, _ value: Float, to target: UnsafeMutablePointer<Float>, count: Int) {
    let lanes = SIMD8<Float>(repeating: value)
    var i = 0
    while count &- i >= 8 {
        UnsafeMutableRawPointer(target + i).storeBytes(
            of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self) + lanes, as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < count { target[i] = source[i] + value; i &+= 1 }
}
