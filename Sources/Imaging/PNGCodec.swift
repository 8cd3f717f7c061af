import CImageGlue
import ConvKernels

/// PNG through libpng (by way of CImageGlue, which keeps libpng's longjmp on its side of the fence).
///
/// Every kind comes out as 8- or 16-bit grey, grey + alpha, RGB or RGBA: palettes are expanded to RGB, a tRNS chunk
/// (palette or single-colour transparency) becomes an alpha channel, grey below 8 bits is scaled up to 8 bits;
/// 16-bit samples keep all 16 bits.
enum PNGCodec {
    static func decode(_ bytes: [UInt8], name: String) throws(ImageError) -> PixelImage {
        // The size, straight from IHDR (always the first chunk, at byte 8), before libpng sees anything: libpng would
        // call a zero width corrupt, and we refuse absurd sizes before any of it is allocated.
        if bytes.count >= 24, bytes[12..<16].elementsEqual("IHDR".utf8) {
            func bigEndian(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
            try ImageDecoder.checkSize(width: bigEndian(16), height: bigEndian(20), name: name)
            try checkDataCanHold(bytes, width: bigEndian(16), height: bigEndian(20), name: name)
        }
        var info = CIGInfo()
        let headerStatus = bytes.withUnsafeBufferPointer { cig_png_header($0.baseAddress, $0.count, &info) }
        guard headerStatus == 0 else { throw corrupt(name, info) }
        let width = Int(info.width), height = Int(info.height), channels = Int(info.channels)
        try ImageDecoder.checkSize(width: width, height: height, name: name)
        // libpng's own rows (the current and previous one, and one for interlacing) and zlib's window.
        let rowBytes = ResourceBudget.product(width, channels, Int(info.bit_depth) / 8)
        let libraryBytes = ResourceBudget.sum(rowBytes.flatMap { ResourceBudget.product($0, 3) }, 65_536)
        try ImageDecoder.checkMemory(.init(width: width, height: height, channels: channels, fileBytes: bytes.count,
                                           libraryBytes: libraryBytes),
                                     kind: ImageDecoder.describeKind(channels: channels, format: "PNG"), name: name)
        let count = width * height * channels
        var status: Int32 = -1
        // Uninitialised: the pages are touched only as libpng writes rows into them.
        let samples = [UInt16](unsafeUninitializedCapacity: count) { output, initialized in
            status = bytes.withUnsafeBufferPointer { input in
                cig_png_decode(input.baseAddress, input.count, output.baseAddress, count, &info)
            }
            initialized = status == 0 ? count : 0
        }
        guard status == 0 else { throw corrupt(name, info) }
        return PixelImage(width: width, height: height, channels: channels, maxValue: info.bit_depth == 16 ? 65535 : 255,
                          samples: samples, format: .png, detail: describe(info))
    }

    /// Deflate turns one byte into at most 1,032 (a 258-byte match in a 2-bit code, the format's
    /// best case); with a margin, image data that could not fill the pixels IHDR claims is refused
    /// here, before `width * height` samples are allocated: a few hundred bytes claiming 64
    /// megapixels would otherwise cost a gigabyte before libpng found the data missing.
    static let deflateMaximumRatio = 1_100

    static func checkDataCanHold(_ bytes: [UInt8], width: Int, height: Int, name: String) throws(ImageError) {
        guard bytes.count >= 26, width > 0, height > 0 else { return }
        let bitDepth = Int(bytes[24])
        let samplesPerPixel = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(bytes[25])] ?? 1
        // The filtered rows of a non-interlaced image (an interlaced one needs more): a filter byte each.
        let rawBytes = height * (1 + (width * samplesPerPixel * bitDepth + 7) / 8)
        var compressed = 0, offset = 8
        while offset + 8 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            if bytes[(offset + 4)..<(offset + 8)].elementsEqual("IDAT".utf8) {
                compressed += max(0, min(length, bytes.count - offset - 8))
            }
            guard length >= 0, length <= bytes.count else { break }
            offset += 12 + length
        }
        guard rawBytes > compressed * deflateMaximumRatio + 4_096 else { return }
        throw ImageError("\(name): corrupt or truncated PNG (its \(compressed) bytes of image data cannot hold the "
            + "\(width)x\(height) pixels its header claims)")
    }

    /// "PNG, 8-bit palette with transparency, interlaced".
    static func describe(_ info: CIGInfo) -> String {
        let kinds = [0: "grey", 2: "RGB", 3: "palette", 4: "grey + alpha", 6: "RGBA"]
        var text = "PNG, \(info.file_bit_depth)-bit \(kinds[Int(info.file_color_type)] ?? "colour type \(info.file_color_type)")"
        if info.has_transparency != 0 { text += " with transparency" }
        if info.interlaced != 0 { text += ", interlaced" }
        return text
    }

    static func corrupt(_ name: String, _ info: CIGInfo) -> ImageError {
        ImageError("\(name): corrupt or truncated PNG (libpng: \(CIGMessage.text(of: info)))")
    }

    /// 1-4 channels; a maximum of 255 or below is written as 8 bits, above as 16 (samples rescaled unless the maximum
    /// is 255 or 65535 already).
    static func encode(_ image: PixelImage, interlaced: Bool) throws(ImageError) -> [UInt8] {
        let bitDepth = image.maxValue <= 255 ? 8 : 16
        let samples = CIGMessage.rescaled(image.samples, from: image.maxValue, to: bitDepth == 8 ? 255 : 65535)
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(CIG_MESSAGE_SIZE))
        let status = samples.withUnsafeBufferPointer { samples in
            cig_png_encode(samples.baseAddress, UInt32(image.width), UInt32(image.height), Int32(image.channels),
                           Int32(bitDepth), interlaced ? 1 : 0, &output, &size, &message)
        }
        defer { cig_free(output) }
        guard status == 0, let output else {
            throw ImageError("cannot encode a \(image.width)x\(image.height) PNG (libpng: \(CIGMessage.text(message)))")
        }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}

/// Reading CImageGlue's fixed-size message buffers.
enum CIGMessage {
    static func text(of info: CIGInfo) -> String {
        var info = info
        return withUnsafeBytes(of: &info.message) { raw in
            text(Array(raw.bindMemory(to: CChar.self)))
        }
    }

    static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let message = String(decoding: bytes, as: UTF8.self)
        return message.isEmpty ? "unknown error" : message
    }

    /// Samples on `0...from` moved to `0...to`, rounded; unchanged when the scales agree.
    static func rescaled(_ samples: [UInt16], from: Int, to: Int) -> [UInt16] {
        guard from != to else { return samples }
        return samples.map { UInt16((Int($0) * to + from / 2) / from) }
    }
}
