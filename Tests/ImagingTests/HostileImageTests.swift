import CImageGlue
import ConvKernels
import Foundation
import Testing
@testable import Imaging

/// Issue 13: an image costs what it should. A header's size is weighed before anything is allocated
/// for it: against the data that could fill it, and against the memory decoding and preparing it
/// would take; files are read only when they are regular files of a sane size.
@Suite("images: hostile headers, sizes and files")
struct HostileImageTests {
    func message(_ bytes: [UInt8], _ name: String = "bad") -> String {
        TestImages.errorMessage { () throws(ImageError) in try ImageDecoder.decode(bytes: bytes, name: name) } ?? "no error"
    }

    // MARK: Hand-built files

    /// A small JPEG whose SOF claims `width` x `height`.
    static func jpeg(claiming width: Int, _ height: Int, progressive: Bool = false, channels: Int = 1) throws -> [UInt8] {
        var bytes = try ImageEncoder.jpeg(JPEGDecoderTests.smooth(width: 8, height: 8, channels: channels), quality: 90,
                                          progressive: progressive)
        let marker: UInt8 = progressive ? 0xC2 : 0xC0
        let sof = try #require((2..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == marker })
        bytes.replaceSubrange(sof + 5..<sof + 9, with: [UInt8(height >> 8 & 0xFF), UInt8(height & 0xFF),
                                                        UInt8(width >> 8 & 0xFF), UInt8(width & 0xFF)])
        return bytes
    }

    /// A PNG whose IHDR claims `width` x `height` (any 32-bit values), followed by `idat` as its image data.
    static func png(claiming width: UInt32, _ height: UInt32, bitDepth: UInt8 = 8, colourType: UInt8 = 0,
                    idat: [UInt8] = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) -> [UInt8] {
        func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        func chunk(_ kind: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(kind.utf8) + data
            return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
        }
        let ihdr = bigEndian(width) + bigEndian(height) + [bitDepth, colourType, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestImages.fixturePath(name))))
    }

    // MARK: The reported examples

    @Test("a few hundred bytes of JPEG claiming 8000x8000 are refused from the header, baseline and progressive")
    func tinyJPEGClaimingHugeSize() throws {
        let baseline = try Self.jpeg(claiming: 8000, 8000)
        #expect(baseline.count < 1000)
        #expect(message(baseline, "bad.jpg") == "bad.jpg: corrupt or truncated JPEG (its \(baseline.count) bytes cannot hold "
            + "the 8000x8000 pixels its header claims: its 1.0 million 8x8 blocks need at least 2 bits each, 250 KB)")
        let progressive = try Self.jpeg(claiming: 8000, 8000, progressive: true, channels: 3)
        #expect(message(progressive, "bad.jpg") == "bad.jpg: corrupt or truncated JPEG (its \(progressive.count) bytes cannot "
            + "hold the 8000x8000 pixels its header claims: its 1.0 million 8x8 blocks need at least 1 bit each, 125 KB)")
    }

    @Test("an 8 KB PNG that really is 8000x8000 is refused by what it would cost in memory, with what is accepted")
    func tinyPNGThatDecodesHuge() throws {
        #expect(message(try Self.fixture("grey1-8000x8000.png"), "grey.png") == "grey.png: decoding and preparing a grey PNG "
            + "of 8000x8000 would need 657 MB of memory; the limit is 512 MB (a grey PNG like this one is accepted up to "
            + "about 49.9 megapixels); scale it down first")
        #expect(message(try Self.fixture("palette1-8000x8000.png"), "palette.png") == "palette.png: decoding and preparing "
            + "an RGB PNG of 8000x8000 would need 913 MB of memory; the limit is 512 MB (an RGB PNG like this one is "
            + "accepted up to about 35.9 megapixels); scale it down first")
    }

    @Test("a Netpbm raster too short for its size is refused before the samples are allocated, binary and ASCII")
    func netpbmTooShort() {
        #expect(message(Array("P5\n8000 8000\n255\n".utf8) + [UInt8](repeating: 0, count: 10), "big.pgm")
            == "big.pgm: truncated PGM: 8000x8000 needs 64000000 bytes of pixel data, the file has 10")
        #expect(message(Array("P6\n4000 4000\n65535\n".utf8) + [UInt8](repeating: 0, count: 10), "big.ppm")
            == "big.ppm: truncated PPM: 4000x4000 needs 96000000 bytes of pixel data, the file has 10")
        #expect(message(Array("P2\n8000 8000\n255\n0 0 0".utf8), "big.pgm") == "big.pgm: truncated PGM: 8000x8000 has "
            + "64000000 samples, which need at least 127999999 bytes as ASCII numbers (a digit and a space each), the file "
            + "has 6 after the header")
    }

    // MARK: Sweeps

    @Test("every format claiming every kind of size with a few bytes of data: an error or an image, never a crash",
          arguments: [(0, 5), (5, 0), (1, 1), (7, 3), (8000, 8000), (40000, 40000), (65535, 65535), (1, 64_000_001),
                      (64_000_001, 1), (Int(Int32.max), 2), (Int(UInt32.max), Int(UInt32.max))])
    func sweepClaimedSizes(width: Int, height: Int) throws {
        var files: [(String, [UInt8])] = []
        for magic in ["P2", "P3", "P5", "P6"] {
            for maximum in [255, 65535] {
                files.append(("\(magic)-\(maximum)", Array("\(magic)\n\(width) \(height)\n\(maximum)\n".utf8) + [1, 2, 3, 4, 5]))
            }
        }
        for (depth, colour) in [(1, 0), (8, 0), (16, 0), (8, 2), (16, 2), (8, 3), (8, 4), (16, 6)] as [(UInt8, UInt8)] {
            files.append(("png-\(depth)-\(colour)",
                          Self.png(claiming: UInt32(truncatingIfNeeded: width), UInt32(truncatingIfNeeded: height),
                                   bitDepth: depth, colourType: colour)))
        }
        if width <= 65535 && height <= 65535 {
            for progressive in [false, true] {
                for channels in [1, 3] {
                    files.append(("jpeg-\(progressive)-\(channels)",
                                  try Self.jpeg(claiming: width, height, progressive: progressive, channels: channels)))
                }
            }
        }
        for (name, bytes) in files {
            let text = message(bytes, name)
            // Anything past a few thousand pixels cannot be in a few bytes: it must be refused.
            let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
            if overflow || pixels > 10_000 {
                #expect(text.hasPrefix("\(name): "), "\(name) \(width)x\(height): \(text)")
            }
        }
    }

    // MARK: The memory estimate

    @Test("the estimate counts samples, library buffers, the EXIF turn and the grey copies; overflow is over budget")
    func memoryEstimate() {
        let photo = ImageDecoder.MemoryEstimate(width: 4000, height: 3000, channels: 3, fileBytes: 4_000_000,
                                                libraryBytes: 4000 * 3 * 64, turned: true)
        // 12 MP: 72 MB of samples, then the larger of the turn (72 MB) and preparing: the grey copies (96 MB),
        // the shrink's rows (6 MB) and its weights (two per input pixel of each side and per output pixel, 16 bytes each).
        #expect(photo.bytes == 4_000_000 + 72_000_000 + 96_000_000 + 3000 * 512 * 4 + (4000 + 3000 + 1024) * 2 * 16)
        #expect(photo.bytes! < ImageDecoder.budget.memoryBytes)
        let huge = ImageDecoder.MemoryEstimate(width: 8000, height: 8000, channels: 3, fileBytes: 379, libraryBytes: 0)
        #expect(huge.bytes! > ImageDecoder.budget.memoryBytes)
        #expect(ImageDecoder.MemoryEstimate(width: .max, height: 2, channels: 1, fileBytes: 0, libraryBytes: 0).bytes == nil)
        #expect(ImageDecoder.MemoryEstimate(width: 2, height: 2, channels: 1, fileBytes: 0, libraryBytes: nil).bytes == nil)
    }

    @Test("a JPEG over the budget is decoded at 1/2, 1/4 or 1/8 of its size, and says so; a progressive one counts its coefficients")
    func jpegScalesDownToFitTheBudget() throws {
        let image = JPEGDecoderTests.smooth(width: 64, height: 48, channels: 3)
        let bytes = try ImageEncoder.jpeg(image, quality: 90)
        let full = try JPEGCodec.decode(bytes, name: "photo.jpg")
        #expect((full.width, full.height) == (64, 48))
        // 64x48 RGB needs about 93 KB at full size, 50 KB at half; give it 60 KB.
        let small = ResourceBudget(memoryBytes: 60_000, work: 1)
        let scaled = try JPEGCodec.decode(bytes, name: "photo.jpg", budget: small)
        #expect(scaled.width == 32 && scaled.height == 24)
        #expect(scaled.detail.hasSuffix("decoded at 1/2 of its 64x48 to fit the memory budget"))
        let tiny = ResourceBudget(memoryBytes: 1_000, work: 1)
        let refused = TestImages.errorMessage { () throws(ImageError) in try JPEGCodec.decode(bytes, name: "photo.jpg", budget: tiny) }
        #expect(refused?.hasPrefix("photo.jpg: decoding and preparing an RGB JPEG of 8x6 would need") == true, "\(refused ?? "")")
        #expect(refused?.hasSuffix(", even decoded at 1/8 of its 64x48; scale it down first") == true)

        var info = CIGInfo()
        (info.width, info.height, info.channels, info.components) = (10000, 10000, 3, 3)
        info.multiple_scans = 1
        // Every coefficient of a multi-scan file is held at full size: 1.56 million blocks x 64 x 2 bytes x 3.
        let plan = JPEGCodec.plan(info, scale: 8, fileBytes: 0, turned: false)
        #expect(plan.estimate.libraryBytes == 1250 * 1250 * 64 * 2 * 3 + 1250 * 3 * 64)
        #expect(plan.estimate.bytes! > ImageDecoder.budget.memoryBytes)
    }

    // MARK: Conversions that do not copy the image in colour

    @Test("grayscale() without the colour copy is bit for bit rgb().gray; rgb(maximumSide:) is rgb().resized")
    func conversionsWithoutFullColourCopies() {
        for channels in 1...4 {
            let image = TestImages.ramp(width: 37, height: 23, channels: channels, maxValue: channels == 2 ? 65535 : 255, step: 11)
            if channels > 1 {  // grey alone is taken as it is, not through luma
                #expect(image.grayscale().pixels.map(\.bitPattern) == image.rgb().gray.pixels.map(\.bitPattern), "\(channels) channels")
            }
            let fitted = image.rgb(maximumSide: 10)
            #expect((fitted.width, fitted.height) == (10, 6))
            #expect(fitted == image.rgb().resized(width: 10, height: 6))
            #expect(image.rgb(maximumSide: 37) == image.rgb())
        }
    }

    // MARK: Files

    @Test("only regular files are read: a FIFO is refused without waiting, a link to /dev/zero is not read, a huge file is refused")
    func onlyRegularFilesOfASaneSize() throws {
        let folder = TestImages.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func message(_ path: String) -> String? {
            TestImages.errorMessage { () throws(ImageError) in try ImageDecoder.decode(path: path) }
        }
        let fifo = folder + "/pipe.png"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(message(fifo) == "\(fifo): is a FIFO (named pipe), not a regular file; give a PNG, JPEG, PGM or PPM file")
        let zero = folder + "/zero.png"
        try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
        #expect(message(zero)?.hasPrefix("\(zero): is a character device") == true, "\(message(zero) ?? "")")
        let big = folder + "/big.png"
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, off_t(ImageDecoder.maximumFileBytes + 10_000_000)) == 0)   // sparse: no disk used
        #expect(message(big) == "\(big): is 74 MB; the limit for this kind of file is 64 MB; accepted are PNG, JPEG, PGM "
            + "and PPM files up to that size")
    }
}
