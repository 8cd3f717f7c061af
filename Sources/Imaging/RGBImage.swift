/// A colour image with each channel on the 0...1 scale, row by row from the top: what the inspector shows and what
/// kernels are applied to.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` pixels, red, green and blue each in 0...1.
    public var pixels: [SIMD3<Float>]

    public init(width: Int, height: Int, pixels: [SIMD3<Float>]) {
        precondition(width > 0 && height > 0, "image size \(width)x\(height) must be at least 1x1")
        precondition(pixels.count == width * height, "\(pixels.count) pixels for \(width)x\(height)")
        (self.width, self.height, self.pixels) = (width, height, pixels)
    }

    public subscript(row: Int, column: Int) -> SIMD3<Float> {
        get { pixels[row * width + column] }
        set { pixels[row * width + column] = newValue }
    }

    /// The image at another size, each output pixel the area-weighted mean of the input pixels it covers (a box
    /// filter), up or down.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "target size \(newWidth)x\(newHeight) must be at least 1x1")
        let resampler = AreaResampler(from: (width, height), to: (newWidth, newHeight))
        var planes = [[Float]](repeating: [], count: 3)
        for channel in 0..<3 {
            planes[channel] = resampler.resample(pixels.map { $0[channel] })
        }
        let result = (0..<newWidth * newHeight).map { SIMD3(planes[0][$0], planes[1][$0], planes[2][$0]) }
        return RGBImage(width: newWidth, height: newHeight, pixels: result)
    }

    /// Luma by ITU-R BT.601: 0.299 red + 0.587 green + 0.114 blue.
    public var gray: GrayImage {
        GrayImage(width: width, height: height, pixels: pixels.map(Luma.bt601))
    }
}

/// ITU-R BT.601 luma, the weights MNIST-era tools (and PIL's "L" mode) use.
enum Luma {
    static let weights = SIMD3<Float>(0.299, 0.587, 0.114)
    static func bt601(_ colour: SIMD3<Float>) -> Float { (colour * weights).sum() }
}
