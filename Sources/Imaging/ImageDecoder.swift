import CommonIO
import ConvKernels
import Foundation

/// Reads image files: PNG (libpng), JPEG (libjpeg-turbo) and Netpbm PGM/PPM (here, in Swift).
///
/// Nothing a header claims is trusted before it is checked: the size against `maximumPixels`, the
/// data against what that size needs (a PNG or JPEG cannot compress below a known ratio, a Netpbm
/// raster's size is exact), and what decoding and preparing the image will hold in memory against
/// `budget` (see `ImageDecoder+Budget.swift`), all before the pixels are allocated.
public enum ImageDecoder {
    /// Width × height above this is refused from the header, before anything is allocated (a JPEG's
    /// decoded size, after any scaling; the memory budget is usually the tighter limit).
    public static let maximumPixels = 64_000_000

    /// Image files larger than this are refused before they are read: a 12-megapixel photo is a
    /// few MB, and what decodes from more than this would not fit the memory budget anyway.
    public static let maximumFileBytes = 64 * 1_000_000

    /// Reads and decodes a PNG, JPEG, PGM or PPM (P2/P5, P3/P6), told apart by the file's first bytes, not its name.
    /// Errors name the file: not found, a folder, not a regular file (a FIFO is refused without waiting, a link to a
    /// device is not read), larger than `maximumFileBytes`, empty, not a supported format (say what it starts with and
    /// what is accepted), truncated/corrupt, zero-sized, too large ("40000x40000 is 1.6 gigapixels; the limit is 64
    /// megapixels"), or over the memory budget. `limit` may lower the file-size limit for a caller that
    /// expects smaller files.
    public static func decode(path: String, limit: Int = maximumFileBytes) throws(ImageError) -> PixelImage {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, limit: min(limit, maximumFileBytes))
        } catch {
            switch error.kind {
            case .folder: throw ImageError("\(path): is a folder, not an image file")
            case .tooLarge: throw ImageError("\(path): \(error.reason); accepted are PNG, JPEG, PGM and PPM files up to that size")
            case .notRegular: throw ImageError("\(path): \(error.reason); give a PNG, JPEG, PGM or PPM file")
            default: throw ImageError("\(path): \(error.reason)")
            }
        }
        return try decode(bytes: bytes, name: path)
    }

    /// Decodes an image held in memory; `name` is what error messages call it (usually its path).
    public static func decode(bytes: [UInt8], name: String) throws(ImageError) -> PixelImage {
        guard !bytes.isEmpty else { throw ImageError("\(name): the file is empty; expected a PNG, JPEG, PGM or PPM image") }
        switch ImageSignature(bytes) {
        case .png: return try PNGCodec.decode(bytes, name: name)
        case .jpeg:
            // A phone's photo is stored as the sensor saw it, with the turn to make it upright in EXIF.
            let orientation = ExifOrientation.read(jpeg: bytes)
            let turned = orientation.map { (2...8).contains($0) } ?? false
            let image = try JPEGCodec.decode(bytes, name: name, turned: turned)
            guard let orientation else { return image }
            return ExifOrientation.upright(image, orientation: orientation)
        case .netpbm: return try NetpbmCodec.decode(bytes, name: name)
        case .unsupported(let what):
            throw ImageError("\(name): \(what); accepted are PNG, JPEG, PGM (P2, P5) and PPM (P3, P6) files")
        }
    }

    /// Refuses a zero-sized image or one above `maximumPixels`, from the header's numbers alone.
    static func checkSize(width: Int, height: Int, name: String) throws(ImageError) {
        guard width > 0 && height > 0 else {
            throw ImageError("\(name): the image is \(width)x\(height); an image needs at least one pixel each way")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maximumPixels {
            let size = overflow ? "more than \(Int.max) pixels" : describe(pixelCount: pixels)
            throw ImageError("\(name): \(width)x\(height) is \(size); the limit is \(describe(pixelCount: maximumPixels))")
        }
    }

    /// "a grey PNG", "an RGB JPEG", "an RGBA PNG" (channels as decoded).
    static func describeKind(channels: Int, format: String) -> String {
        switch channels {
        case 1: "a grey \(format)"
        case 2: "a grey + alpha \(format)"
        case 3: "an RGB \(format)"
        default: "an RGBA \(format)"
        }
    }

    /// "1.6 gigapixels", "64 megapixels", "80.5 megapixels".
    static func describe(pixelCount: Int) -> String {
        func amount(_ value: Double) -> String {
            let rounded = (value * 10).rounded() / 10
            return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        }
        if pixelCount >= 1_000_000_000 { return "\(amount(Double(pixelCount) / 1e9)) gigapixels" }
        if pixelCount >= 1_000_000 { return "\(amount(Double(pixelCount) / 1e6)) megapixels" }
        return "\(pixelCount) pixels"
    }
}

/// What a file's first bytes say it is.
enum ImageSignature: Equatable {
    case png, jpeg, netpbm
    /// Why it is not accepted: "it starts with "hell"".
    case unsupported(String)

    init(_ bytes: [UInt8]) {
        let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.starts(with: pngMagic) { self = .png; return }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { self = .jpeg; return }
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "P") {
            switch bytes[1] {
            case UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "6"):
                self = .netpbm; return
            case UInt8(ascii: "1"), UInt8(ascii: "4"):
                self = .unsupported("a PBM bitmap (P\(Character(UnicodeScalar(bytes[1])))), which is not supported"); return
            case UInt8(ascii: "7"):
                self = .unsupported("a PAM file (P7), which is not supported"); return
            default: break
            }
        }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            self = .unsupported("starts like a PNG but its signature is damaged"); return
        }
        self = .unsupported("not a PNG, JPEG, PGM or PPM file (it starts with \(Self.describeStart(bytes)))")
    }

    /// The first few bytes as text when they are printable ("hell"), else in hex (0x00 0x01 0x02 0x03).
    static func describeStart(_ bytes: [UInt8]) -> String {
        let start = bytes.prefix(4)
        if start.allSatisfy({ (0x20...0x7E).contains($0) }) {
            return "\"" + String(decoding: start, as: UTF8.self) + "\""
        }
        return start.map { "0x" + String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined(separator: " ")
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
