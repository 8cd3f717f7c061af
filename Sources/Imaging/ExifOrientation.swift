/// The EXIF orientation a camera or phone writes into a JPEG instead of turning the pixels: how the
/// stored image must be turned to be seen upright (TIFF tag 0x0112, values 1 to 8).
///
///     1 upright            2 mirrored left-right      3 turned 180°     4 mirrored top-bottom
///     5 transposed         6 turned 90° clockwise     7 transversed     8 turned 90° anticlockwise
///
/// A phone held upright usually stores 6, so a photo of handwriting read without it arrives on its side.
public enum ExifOrientation {
    /// The orientation in a JPEG's APP1 "Exif" segment, or nil when there is none (or it is damaged:
    /// a bad EXIF block never stops an image from loading).
    public static func read(jpeg bytes: [UInt8]) -> Int? {
        var offset = 2  // after SOI
        while offset + 4 <= bytes.count, bytes[offset] == 0xFF {
            let marker = bytes[offset + 1]
            if marker == 0xDA || marker == 0xD9 { return nil }  // image data or end: no EXIF before it
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
            let segment = (offset + 4)..<(offset + 2 + length)
            if marker == 0xE1, segment.count >= 14, Array(bytes[segment.lowerBound..<(segment.lowerBound + 6)]) == Array("Exif\0\0".utf8) {
                return orientation(tiff: Array(bytes[(segment.lowerBound + 6)..<segment.upperBound]))
            }
            offset += 2 + length
        }
        return nil
    }

    /// Tag 0x0112 of IFD0 in a TIFF block (either byte order).
    static func orientation(tiff: [UInt8]) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        func read16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return littleEndian ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func read32(_ at: Int) -> Int? {
            guard let high = read16(littleEndian ? at + 2 : at), let low = read16(littleEndian ? at : at + 2) else { return nil }
            return high << 16 | low
        }
        guard read16(2) == 42, let ifd = read32(4), let count = read16(ifd) else { return nil }
        for entry in 0..<count {
            let at = ifd + 2 + entry * 12
            guard let tag = read16(at) else { return nil }
            if tag == 0x0112 {
                // Type SHORT, one value, stored in the first two bytes of the value field.
                guard let value = read16(at + 8), (1...8).contains(value) else { return nil }
                return value
            }
        }
        return nil
    }

    /// `image` turned upright for `orientation`, its detail saying so (1 gives it back unchanged).
    public static func upright(_ image: PixelImage, orientation: Int) -> PixelImage {
        guard (2...8).contains(orientation) else { return image }
        let (width, height, channels) = (image.width, image.height, image.channels)
        // Orientations 5 to 8 swap the sides.
        let swaps = orientation >= 5
        let (outputWidth, outputHeight) = swaps ? (height, width) : (width, height)
        var samples = [UInt16](repeating: 0, count: image.samples.count)
        for row in 0..<outputHeight {
            for column in 0..<outputWidth {
                // The stored pixel seen at (row, column) once upright.
                let (sourceRow, sourceColumn): (Int, Int) = switch orientation {
                case 2: (row, width - 1 - column)
                case 3: (height - 1 - row, width - 1 - column)
                case 4: (height - 1 - row, column)
                case 5: (column, row)
                case 6: (height - 1 - column, row)
                case 7: (height - 1 - column, width - 1 - row)
                default: (column, width - 1 - row)  // 8
                }
                let source = (sourceRow * width + sourceColumn) * channels
                let target = (row * outputWidth + column) * channels
                for channel in 0..<channels { samples[target + channel] = image.samples[source + channel] }
            }
        }
        return PixelImage(width: outputWidth, height: outputHeight, channels: channels, maxValue: image.maxValue,
                          samples: samples, format: image.format,
                          detail: image.detail + ", turned upright (EXIF orientation \(orientation))")
    }
}
