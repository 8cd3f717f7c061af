/// The file formats the inspector reads (and the sample generator writes).
public enum ImageFormat: String, Sendable, CaseIterable {
    case png, jpeg, pgm, ppm
}

/// A decoded image exactly as its file holds it: `channels` samples per pixel, interleaved, row by
/// row from the top, each in `0...maxValue`.
///
/// Palette images arrive expanded to RGB or RGBA; 16-bit samples keep all 16 bits (`maxValue`
/// 65535); a PGM or PPM keeps its own maximum (any of 1...65535).
public struct PixelImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 grey, 2 grey and alpha, 3 RGB, 4 RGBA.
    public let channels: Int
    /// 255 for 8-bit samples, 65535 for 16-bit, or a Netpbm file's own maximum.
    public let maxValue: Int
    /// `width * height * channels` samples.
    public let samples: [UInt16]
    /// Where the image came from, and what it was before expanding: "PNG, 8-bit palette".
    public let format: ImageFormat
    public let detail: String

    public init(width: Int, height: Int, channels: Int, maxValue: Int, samples: [UInt16],
                format: ImageFormat, detail: String) {
        precondition(width > 0 && height > 0, "image size \(width)x\(height) must be at least 1x1")
        precondition((1...4).contains(channels), "\(channels) channels; an image has 1 to 4")
        precondition((1...65535).contains(maxValue), "maximum sample \(maxValue) must be 1...65535")
        precondition(samples.count == width * height * channels,
                     "\(samples.count) samples for \(width)x\(height)x\(channels)")
        (self.width, self.height, self.channels, self.maxValue) = (width, height, channels, maxValue)
        (self.samples, self.format, self.detail) = (samples, format, detail)
    }

    /// Whether the image has colour (RGB or RGBA) rather than grey.
    public var isColor: Bool { channels >= 3 }
    /// Whether the image has an alpha channel.
    public var hasAlpha: Bool { channels == 2 || channels == 4 }
}
