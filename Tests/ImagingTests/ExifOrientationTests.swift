import Testing
@testable import Imaging

/// A phone's photo arrives upright: the EXIF orientation is read from the JPEG and applied.
@Suite("EXIF orientation")
struct ExifOrientationTests {
    /// 3 wide, 2 tall: 1 2 3 / 4 5 6.
    static let stored = PixelImage(width: 3, height: 2, channels: 1, maxValue: 255, samples: [1, 2, 3, 4, 5, 6],
                                   format: .jpeg, detail: "test")

    @Test("each of the eight orientations turns the stored pixels as the EXIF standard says", arguments: [
        (1, 3, [1, 2, 3, 4, 5, 6]), (2, 3, [3, 2, 1, 6, 5, 4]), (3, 3, [6, 5, 4, 3, 2, 1]), (4, 3, [4, 5, 6, 1, 2, 3]),
        (5, 2, [1, 4, 2, 5, 3, 6]), (6, 2, [4, 1, 5, 2, 6, 3]), (7, 2, [6, 3, 5, 2, 4, 1]), (8, 2, [3, 6, 2, 5, 1, 4]),
    ])
    func turns(orientation: Int, width: Int, samples: [UInt16]) {
        let upright = ExifOrientation.upright(Self.stored, orientation: orientation)
        #expect(upright.width == width && upright.height == 6 / width)
        #expect(upright.samples == samples)
    }

    /// An APP1 "Exif" segment holding IFD0 with one entry: orientation `value`, in either byte order.
    static func exifSegment(orientation value: Int, littleEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        let tiff = (littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]) + u16(42) + u32(8)
            + u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(value) + u16(0) + u32(0)
        let payload = Array("Exif\0\0".utf8) + tiff
        return [0xFF, 0xE1] + [UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
    }

    @Test("the orientation is read in either byte order; none, or a damaged block, reads as nil")
    func reads() throws {
        let jpeg = try ImageEncoder.jpeg(Self.stored)
        for littleEndian in [true, false] {
            let tagged = Array(jpeg[0..<2]) + Self.exifSegment(orientation: 6, littleEndian: littleEndian) + Array(jpeg[2...])
            #expect(ExifOrientation.read(jpeg: tagged) == 6)
        }
        #expect(ExifOrientation.read(jpeg: jpeg) == nil)
        var damaged = Self.exifSegment(orientation: 6, littleEndian: true)
        (damaged[12], damaged[13]) = (0, 0)  // the TIFF header's 42 broken
        #expect(ExifOrientation.read(jpeg: Array(jpeg[0..<2]) + damaged + Array(jpeg[2...])) == nil)
    }

    @Test("a JPEG stored on its side with orientation 6 decodes upright, and says so")
    func decodesUpright() throws {
        // 32 wide, 16 tall: the left half black, the right half white, as the sensor stored it.
        let samples = (0..<(32 * 16)).map { UInt16($0 % 32 < 16 ? 0 : 255) }
        let sideways = PixelImage(width: 32, height: 16, channels: 1, maxValue: 255, samples: samples, format: .jpeg, detail: "test")
        let jpeg = try ImageEncoder.jpeg(sideways, quality: 95)
        let tagged = Array(jpeg[0..<2]) + Self.exifSegment(orientation: 6, littleEndian: false) + Array(jpeg[2...])
        let image = try ImageDecoder.decode(bytes: tagged, name: "phone.jpg")
        // Turned 90° clockwise: 16 wide, 32 tall, the black half on top.
        #expect(image.width == 16 && image.height == 32)
        #expect(image.samples[2 * 16 + 8] < 30 && image.samples[29 * 16 + 8] > 225)
        #expect(image.detail.hasSuffix("turned upright (EXIF orientation 6)"), "\(image.detail)")
    }
}
