import CImageGlue

/// JPEG through libjpeg-turbo (by way of CImageGlue, which replaces libjpeg's exit() on errors with a message).
///
/// Grey stays grey; YCbCr and RGB come out as 8-bit RGB; CMYK/YCCK (Adobe's inverted convention) is converted to RGB.
/// A file that ends early is an error rather than an image padded with grey; other corruption libjpeg recovers from
/// is noted in `detail`.
enum JPEGCodec {
    static func decode(_ bytes: [UInt8], name: String) throws(ImageError) -> PixelImage {
        var info = CIGInfo()
        let headerStatus = bytes.withUnsafeBufferPointer { cig_jpeg_header($0.baseAddress, $0.count, &info) }
        guard headerStatus == 0 else { throw corrupt(name, info) }
        let width = Int(info.width), height = Int(info.height), channels = Int(info.channels)
        try ImageDecoder.checkSize(width: width, height: height, name: name)
        var decoded = [UInt8](repeating: 0, count: width * height * channels)
        let status = bytes.withUnsafeBufferPointer { input in
            decoded.withUnsafeMutableBufferPointer { output in
                cig_jpeg_decode(input.baseAddress, input.count, output.baseAddress, output.count, &info)
            }
        }
        guard status == 0 else { throw corrupt(name, info) }
        return PixelImage(width: width, height: height, channels: channels, maxValue: 255,
                          samples: decoded.map(UInt16.init), format: .jpeg, detail: describe(info))
    }

    /// "JPEG, YCbCr, progressive".
    static func describe(_ info: CIGInfo) -> String {
        // J_COLOR_SPACE: 1 grayscale, 2 RGB, 3 YCbCr, 4 CMYK, 5 YCCK.
        let spaces = [1: "grey", 2: "RGB", 3: "YCbCr", 4: "CMYK", 5: "YCCK"]
        var text = "JPEG, \(spaces[Int(info.file_color_type)] ?? "colour space \(info.file_color_type)")"
        if info.file_color_type == 4 || info.file_color_type == 5 { text += " converted to RGB" }
        if info.interlaced != 0 { text += ", progressive" }
        if info.warnings > 0 {
            text += "; libjpeg recovered from \(info.warnings) problem\(info.warnings == 1 ? "" : "s") (\(CIGMessage.text(of: info)))"
        }
        return text
    }

    static func corrupt(_ name: String, _ info: CIGInfo) -> ImageError {
        ImageError("\(name): corrupt or truncated JPEG (libjpeg: \(CIGMessage.text(of: info)))")
    }

    /// 8-bit grey (grey or grey + alpha) or RGB (RGB or RGBA); alpha is composited over white, other maxima rescaled.
    static func encode(_ image: PixelImage, quality: Int, progressive: Bool) throws(ImageError) -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw ImageError("JPEG quality \(quality) is out of range; it must be 1...100")
        }
        let channels = image.isColor ? 3 : 1
        let samples: [UInt8]
        if image.hasAlpha || image.isColor {
            let colour = image.rgb()
            samples = channels == 3
                ? colour.pixels.flatMap { pixel in (0..<3).map { UInt8((pixel[$0] * 255).rounded()) } }
                : colour.pixels.map { UInt8(($0.x * 255).rounded()) }
        } else {
            samples = CIGMessage.rescaled(image.samples, from: image.maxValue, to: 255).map { UInt8($0) }
        }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(CIG_MESSAGE_SIZE))
        let status = samples.withUnsafeBufferPointer { samples in
            cig_jpeg_encode(samples.baseAddress, UInt32(image.width), UInt32(image.height), Int32(channels),
                            Int32(quality), progressive ? 1 : 0, &output, &size, &message)
        }
        defer { cig_free(output) }
        guard status == 0, let output else {
            throw ImageError("cannot encode a \(image.width)x\(image.height) JPEG (libjpeg: \(CIGMessage.text(message)))")
        }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}
