import CImageGlue
import ConvKernels

/// JPEG through libjpeg-turbo (by way of CImageGlue, which replaces libjpeg's exit() on errors with a message).
///
/// Grey stays grey; YCbCr and RGB come out as 8-bit RGB; CMYK/YCCK (Adobe's inverted convention) is converted to RGB.
/// A file that ends early is an error rather than an image padded with grey; other corruption libjpeg recovers from
/// is noted in `detail`.
enum JPEGCodec {
    /// Decodes `bytes`; `turned` says the image will be turned upright afterwards (a copy the
    /// memory estimate counts). A photo too large for the memory budget is decoded at 1/2, 1/4 or
    /// 1/8 of its size (libjpeg scales in the inverse DCT, at a fraction of the cost): the network
    /// reads 28x28 and preparing shrinks anything over 512 pixels anyway.
    static func decode(_ bytes: [UInt8], name: String, turned: Bool = false,
                       budget: ResourceBudget = ImageDecoder.budget) throws(ImageError) -> PixelImage {
        var info = CIGInfo()
        let headerStatus = bytes.withUnsafeBufferPointer { cig_jpeg_header($0.baseAddress, $0.count, &info) }
        guard headerStatus == 0 else { throw corrupt(name, info) }
        let storedWidth = Int(info.width), storedHeight = Int(info.height), channels = Int(info.channels)
        guard storedWidth > 0 && storedHeight > 0 else {
            try ImageDecoder.checkSize(width: storedWidth, height: storedHeight, name: name)
            throw corrupt(name, info)
        }
        try checkDataCanHold(bytes, info: info, name: name)
        let plans = [1, 2, 4, 8].map { plan(info, scale: $0, fileBytes: bytes.count, turned: turned) }
        guard let chosen = plans.first(where: { $0.estimate.width * $0.estimate.height <= ImageDecoder.maximumPixels
                                                && ($0.estimate.bytes ?? .max) <= budget.memoryBytes }) else {
            let smallest = plans[plans.count - 1].estimate
            if smallest.width * smallest.height > ImageDecoder.maximumPixels {
                throw ImageError("\(name): \(storedWidth)x\(storedHeight) is "
                    + "\(ImageDecoder.describe(pixelCount: storedWidth * storedHeight)); even decoded at 1/8 of its size it is "
                    + "over the limit of \(ImageDecoder.describe(pixelCount: ImageDecoder.maximumPixels))")
            }
            let kind = ImageDecoder.describeKind(channels: channels, format: info.interlaced != 0 ? "progressive JPEG" : "JPEG")
            try ImageDecoder.checkMemory(smallest, kind: kind, name: name, budget: budget,
                                         advice: ", even decoded at 1/8 of its \(storedWidth)x\(storedHeight); scale it down first")
            throw corrupt(name, info)
        }
        let (width, height) = (chosen.estimate.width, chosen.estimate.height)
        let count = width * height * channels
        // What is left of the budget once the file and the samples are counted, for libjpeg's own buffers.
        let libraryLimit = budget.memoryBytes - bytes.count - count * MemoryLayout<UInt16>.size
        var status: Int32 = -1
        // Uninitialised: the pages are touched only as libjpeg writes rows into them.
        let samples = [UInt16](unsafeUninitializedCapacity: count) { output, initialized in
            status = bytes.withUnsafeBufferPointer { input in
                cig_jpeg_decode(input.baseAddress, input.count, Int32(chosen.scale), max(1 << 20, libraryLimit),
                                output.baseAddress, count, &info)
            }
            initialized = status == 0 ? count : 0
        }
        guard status == 0 else { throw corrupt(name, info) }
        var detail = describe(info)
        if chosen.scale > 1 {
            detail += "; decoded at 1/\(chosen.scale) of its \(storedWidth)x\(storedHeight) to fit the memory budget"
        }
        return PixelImage(width: width, height: height, channels: channels, maxValue: 255,
                          samples: samples, format: .jpeg, detail: detail)
    }

    /// What decoding at 1/`scale` would cost: the decoded size and the memory estimate.
    static func plan(_ info: CIGInfo, scale: Int, fileBytes: Int, turned: Bool) -> (scale: Int, estimate: ImageDecoder.MemoryEstimate) {
        let storedWidth = Int(info.width), storedHeight = Int(info.height)
        // A file of several scans is held by libjpeg as every block's 64 coefficients, 2 bytes each,
        // per component, at the stored size whatever the scale.
        let blocks = ResourceBudget.product((storedWidth + 7) / 8, (storedHeight + 7) / 8)
        let coefficientBytes = info.multiple_scans == 0 ? 0
            : blocks.flatMap { ResourceBudget.product($0, 64, 2, Int(info.components)) }
        let width = (storedWidth + scale - 1) / scale, height = (storedHeight + scale - 1) / scale
        // libjpeg's rows of MCUs (up to 16 rows each, with context for upsampling) and ours.
        let rowBytes = ResourceBudget.product(width, max(Int(info.components), Int(info.channels)), 64)
        return (scale, ImageDecoder.MemoryEstimate(width: width, height: height, channels: Int(info.channels),
                                                   fileBytes: fileBytes,
                                                   libraryBytes: ResourceBudget.sum(coefficientBytes, rowBytes),
                                                   turned: turned))
    }

    /// Huffman-coded data spends at least a bit on every 8x8 block of the full-size component: two in
    /// a sequential file (the DC difference and the end of block), one in a progressive file's first
    /// DC scan. A file too short for that many bits is refused before anything is allocated (a
    /// 379-byte file claiming 8000x8000 needs 125,000 bytes at least). Arithmetic coding has no such
    /// floor; it is held to the memory budget, and libjpeg stops where the data ends.
    static func checkDataCanHold(_ bytes: [UInt8], info: CIGInfo, name: String) throws(ImageError) {
        guard info.arithmetic == 0 else { return }
        let blocks = ((Int(info.width) + 7) / 8) * ((Int(info.height) + 7) / 8)
        let bitsPerBlock = info.interlaced != 0 ? 1 : 2
        let minimumBytes = (blocks * bitsPerBlock + 7) / 8
        guard bytes.count < minimumBytes else { return }
        throw ImageError("\(name): corrupt or truncated JPEG (its \(bytes.count) bytes cannot hold the "
            + "\(info.width)x\(info.height) pixels its header claims: its \(ResourceBudget.describeCount(blocks)) 8x8 blocks "
            + "need at least \(bitsPerBlock) bit\(bitsPerBlock == 1 ? "" : "s") each, "
            + "\(ResourceBudget.describeBytes(minimumBytes)))")
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
