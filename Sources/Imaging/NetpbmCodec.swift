/// Netpbm grey and colour maps, read and written here: PGM (P2 ASCII, P5 binary) and PPM (P3 ASCII, P6 binary),
/// any maximum sample value 1...65535 (binary samples above 255 take two bytes, most significant first).
enum NetpbmCodec {
    static func decode(_ bytes: [UInt8], name: String) throws(ImageError) -> PixelImage {
        var reader = HeaderReader(bytes: bytes, name: name)
        let magic = bytes[1]
        let ascii = magic == UInt8(ascii: "2") || magic == UInt8(ascii: "3")
        let channels = (magic == UInt8(ascii: "2") || magic == UInt8(ascii: "5")) ? 1 : 3
        let kind = channels == 1 ? "PGM" : "PPM"
        reader.position = 2
        let width = try reader.number(field: "width", kind: kind)
        let height = try reader.number(field: "height", kind: kind)
        let maxValue = try reader.number(field: "maximum value", kind: kind)
        try ImageDecoder.checkSize(width: width, height: height, name: name)
        guard (1...65535).contains(maxValue) else {
            throw ImageError("\(name): \(kind) maximum value \(maxValue) is out of range; it must be 1...65535")
        }
        let count = width * height * channels
        // The raster's size is known exactly (binary) or at least (ASCII: a digit and a separator per
        // sample): a file too short for it is refused before the samples are allocated.
        let bytesPerSample = maxValue > 255 ? 2 : 1
        let rasterStart = reader.position + 1
        let available = bytes.count - rasterStart
        if ascii {
            guard available >= 2 * count - 1 else {
                throw ImageError("\(name): truncated \(kind): \(width)x\(height) has \(count) samples, which need at least "
                    + "\(2 * count - 1) bytes as ASCII numbers (a digit and a space each), the file has \(max(0, available + 1)) after the header")
            }
        } else {
            // Exactly one whitespace byte separates the header from the raster.
            guard reader.position < bytes.count, reader.isWhitespace(bytes[reader.position]) else {
                throw ImageError("\(name): \(kind) header ends without the pixel data (truncated)")
            }
            guard available >= count * bytesPerSample else {
                throw ImageError("\(name): truncated \(kind): \(width)x\(height) needs \(count * bytesPerSample) bytes of pixel data, the file has \(max(0, available))")
            }
        }
        try ImageDecoder.checkMemory(.init(width: width, height: height, channels: channels, fileBytes: bytes.count,
                                           libraryBytes: 0),
                                     kind: ImageDecoder.describeKind(channels: channels, format: kind), name: name)
        var samples = [UInt16](repeating: 0, count: count)
        if ascii {
            for index in 0..<count {
                let value = try reader.number(field: "sample \(index + 1) of \(count)", kind: kind)
                guard value <= maxValue else {
                    throw ImageError("\(name): \(kind) sample \(index + 1) is \(value), above the maximum value \(maxValue)")
                }
                samples[index] = UInt16(value)
            }
        } else {
            let start = rasterStart
            var bad: (index: Int, value: Int)?
            bytes.withUnsafeBufferPointer { raw in
                samples.withUnsafeMutableBufferPointer { out in
                    for index in 0..<count {
                        let value = bytesPerSample == 1
                            ? Int(raw[start + index])
                            : Int(raw[start + 2 * index]) << 8 | Int(raw[start + 2 * index + 1])
                        if value > maxValue && bad == nil { bad = (index, value) }
                        out[index] = UInt16(truncatingIfNeeded: value)
                    }
                }
            }
            if let bad {
                throw ImageError("\(name): corrupt \(kind): sample \(bad.index + 1) is \(bad.value), above the maximum value \(maxValue)")
            }
        }
        let detail = "\(kind) (\(magic == UInt8(ascii: "2") || magic == UInt8(ascii: "3") ? "ASCII" : "binary") P\(Character(UnicodeScalar(magic)))), maximum value \(maxValue)"
        return PixelImage(width: width, height: height, channels: channels, maxValue: maxValue, samples: samples,
                          format: channels == 1 ? .pgm : .ppm, detail: detail)
    }

    /// PGM for grey, PPM for colour (alpha is composited over white first, as `rgb()` and `grayscale()` do).
    static func encode(_ image: PixelImage, ascii: Bool) -> [UInt8] {
        let grey = image.channels <= 2
        let channels = grey ? 1 : 3
        let samples: [UInt16]
        if image.hasAlpha {
            samples = compositedOverWhite(image)
        } else {
            samples = image.samples
        }
        let magic = grey ? (ascii ? "P2" : "P5") : (ascii ? "P3" : "P6")
        var output = Array("\(magic)\n\(image.width) \(image.height)\n\(image.maxValue)\n".utf8)
        if ascii {
            let perLine = image.width * channels
            output.reserveCapacity(output.count + samples.count * 4)
            for (index, sample) in samples.enumerated() {
                output.append(contentsOf: String(sample).utf8)
                output.append((index + 1) % perLine == 0 ? UInt8(ascii: "\n") : UInt8(ascii: " "))
            }
        } else if image.maxValue > 255 {
            output.reserveCapacity(output.count + samples.count * 2)
            for sample in samples {
                output.append(UInt8(sample >> 8))
                output.append(UInt8(sample & 0xFF))
            }
        } else {
            output.append(contentsOf: samples.lazy.map { UInt8(truncatingIfNeeded: $0) })
        }
        return output
    }

    /// The colour (or grey) samples without alpha, blended over a white background, on the same scale.
    private static func compositedOverWhite(_ image: PixelImage) -> [UInt16] {
        let colours = image.channels - 1
        let maximum = Double(image.maxValue)
        var result = [UInt16]()
        result.reserveCapacity(image.width * image.height * colours)
        var index = 0
        while index < image.samples.count {
            let alpha = Double(image.samples[index + colours]) / maximum
            for channel in 0..<colours {
                let value = Double(image.samples[index + channel]) * alpha + maximum * (1 - alpha)
                result.append(UInt16(value.rounded()))
            }
            index += image.channels
        }
        return result
    }

    /// Reads the whitespace-separated decimal numbers of a header (and of an ASCII raster), skipping `#` comments.
    private struct HeaderReader {
        let bytes: [UInt8]
        let name: String
        var position = 0

        func isWhitespace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
        }

        mutating func number(field: String, kind: String) throws(ImageError) -> Int {
            while position < bytes.count {
                if isWhitespace(bytes[position]) {
                    position += 1
                } else if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count && bytes[position] != 0x0A && bytes[position] != 0x0D { position += 1 }
                } else {
                    break
                }
            }
            guard position < bytes.count else {
                throw ImageError("\(name): truncated \(kind): the file ends before the \(field)")
            }
            var value = 0
            var digits = 0
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                // Saturate: anything this large is refused by the size or maximum-value check anyway.
                value = min(value * 10 + Int(bytes[position] - UInt8(ascii: "0")), 1 << 40)
                digits += 1
                position += 1
            }
            guard digits > 0 else {
                let found = ImageSignature.describeStart(Array(bytes[position...].prefix(4)))
                throw ImageError("\(name): corrupt \(kind) header: expected the \(field) as a decimal number, found \(found)")
            }
            return value
        }
    }
}
