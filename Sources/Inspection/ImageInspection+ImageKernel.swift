import ConvKernels
import Imaging
import Networks

/// A kernel applied to a whole colour image, each channel on its own, by the shared `Conv2d` (the
/// same code that trains the network): what the inspector's `k` shows.
public enum ImageKernel {
    /// The largest kernel side accepted (a kernel is for looking at, not for blurring a photo away).
    public static let maximumSide = 15

    /// `image` resized (area averaging) to `width` x `height`, then convolved with `kernel` per
    /// channel, padded by repeating its edge pixels (`Pad2d`'s replicate mode; an even kernel's extra
    /// row and column go after), so the result has the same size. Zero padding would make the
    /// border of a light picture the strongest "edge" of all, and scaled to it the real edges faded.
    ///
    /// How the responses become colours: a kernel whose weights sum to about 1 (identity, blurs,
    /// sharpen, emboss) keeps the image's brightness, and its responses are clipped to 0...1; any
    /// other kernel (edge detectors sum to 0) shows each response's magnitude, scaled so that the
    /// strongest over all three channels is 1.
    ///
    /// - Throws: `KernelError` when the kernel is empty, ragged, larger than `maximumSide`, or
    ///   holds a value that is not finite, or the size is not at least 1x1.
    public static func apply(_ kernel: [[Float]], to image: RGBImage, width: Int, height: Int) throws(KernelError) -> RGBImage {
        try check(kernel)
        guard width >= 1, height >= 1 else {
            throw KernelError("the kernel's output size \(width)x\(height) is invalid; it must be at least 1x1")
        }
        let resized = image.width == width && image.height == height ? image : image.resized(width: width, height: height)
        let (kernelHeight, kernelWidth) = (kernel.count, kernel[0].count)
        // The three channels as a batch of three one-channel images, one kernel for all.
        let planes = (0..<3).flatMap { channel in resized.pixels.map { $0[channel] } }
        let input = Tensor(shape: [3, 1, height, width], data: planes)
        let weight = Tensor(shape: [1, 1, kernelHeight, kernelWidth], data: kernel.flatMap { $0 })
        let sides = Pad2d.Sides(top: (kernelHeight - 1) / 2, bottom: kernelHeight / 2,
                                left: (kernelWidth - 1) / 2, right: kernelWidth / 2)
        let padded = try Pad2d.forward(input: input, sides: sides, mode: .replicate)
        let output = try Conv2d.forward(input: padded, weight: weight, options: Conv2dOptions(), threads: 1)
        let (outputHeight, outputWidth) = (output.shape[2], output.shape[3])
        func response(_ channel: Int, _ row: Int, _ column: Int) -> Float {
            output.data[(channel * outputHeight + row) * outputWidth + column]
        }
        let sum = kernel.joined().reduce(0, +)
        let keepsBrightness = abs(sum - 1) < 0.05
        var strongest: Float = 0
        if !keepsBrightness {
            for row in 0..<height {
                for column in 0..<width {
                    for channel in 0..<3 { strongest = max(strongest, abs(response(channel, row, column))) }
                }
            }
        }
        let scale: Float = strongest > 0 ? 1 / strongest : 0
        var pixels: [SIMD3<Float>] = []
        pixels.reserveCapacity(width * height)
        for row in 0..<height {
            for column in 0..<width {
                let values = SIMD3(response(0, row, column), response(1, row, column), response(2, row, column))
                if keepsBrightness {
                    pixels.append(values.clamped(lowerBound: SIMD3(repeating: 0), upperBound: SIMD3(repeating: 1)))
                } else {
                    let magnitude = SIMD3(abs(values.x), abs(values.y), abs(values.z)) * scale
                    pixels.append(magnitude.clamped(lowerBound: SIMD3(repeating: 0), upperBound: SIMD3(repeating: 1)))
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The kernel's rules, as `apply` states them.
    static func check(_ kernel: [[Float]]) throws(KernelError) {
        guard let first = kernel.first, !first.isEmpty else {
            throw KernelError("the kernel is empty; give at least one row of at least one number")
        }
        guard kernel.allSatisfy({ $0.count == first.count }) else {
            let counts = kernel.map { String($0.count) }.joined(separator: ", ")
            throw KernelError("the kernel's rows have \(counts) numbers; every row must have as many as the first")
        }
        guard kernel.count <= maximumSide, first.count <= maximumSide else {
            throw KernelError("a \(kernel.count)x\(first.count) kernel is too large; at most \(maximumSide)x\(maximumSide)")
        }
        guard kernel.joined().allSatisfy(\.isFinite) else {
            throw KernelError("the kernel holds a value that is not a finite number")
        }
    }
}
