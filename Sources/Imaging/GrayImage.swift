import ConvKernels

/// A grey image with values on the 0...1 scale (0 black, 1 white), row by row from the top: what
/// preprocessing works on, step by step.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` values.
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0, "image size \(width)x\(height) must be at least 1x1")
        precondition(pixels.count == width * height, "\(pixels.count) pixels for \(width)x\(height)")
        (self.width, self.height, self.pixels) = (width, height, pixels)
    }

    public subscript(row: Int, column: Int) -> Float {
        get { pixels[row * width + column] }
        set { pixels[row * width + column] = newValue }
    }

    /// The image as a `[1, 1, height, width]` tensor.
    public var tensor: Tensor {
        Tensor(shape: [1, 1, height, width], data: pixels)
    }
}
