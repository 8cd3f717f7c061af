import Foundation
import Testing
@testable import Imaging

@Suite struct PNGDecoderTests {
    func fixture(_ name: String) throws -> PixelImage {
        try ImageDecoder.decode(path: TestImages.fixturePath(name))
    }

    func message(_ bytes: [UInt8], name: String = "bad.png") -> String {
        TestImages.errorMessage { () throws(ImageError) in try ImageDecoder.decode(bytes: bytes, name: name) } ?? "no error"
    }

    @Test func encoderRoundTripsEveryChannelCountAt8And16Bits() throws {
        for channels in 1...4 {
            for maxValue in [255, 65535] {
                for interlaced in [false, true] {
                    let image = TestImages.ramp(width: 7, height: 5, channels: channels, maxValue: maxValue, step: 2311)
                    let bytes = try ImageEncoder.png(image, interlaced: interlaced)
                    let back = try ImageDecoder.decode(bytes: bytes, name: "round.png")
                    let label = "channels \(channels) max \(maxValue) interlaced \(interlaced)"
                    #expect(back.samples == image.samples, "\(label)")
                    #expect(back.channels == channels && back.maxValue == maxValue && back.format == .png, "\(label)")
                    #expect(back.detail.contains(interlaced ? "interlaced" : "PNG, \(maxValue == 255 ? 8 : 16)-bit"), "\(label)")
                }
            }
        }
    }

    @Test func otherMaximaAreRescaledOnWrite() throws {
        let image = PixelImage(width: 3, height: 1, channels: 1, maxValue: 100, samples: [0, 50, 100], format: .pgm, detail: "")
        let back = try ImageDecoder.decode(bytes: ImageEncoder.png(image), name: "r.png")
        #expect(back.samples == [0, 128, 255] && back.maxValue == 255)   // 50·255/100 = 127.5 rounds up
    }

    @Test func paletteIsExpandedToRGB() throws {
        let image = try fixture("palette-4x2.png")
        #expect(image.width == 4 && image.height == 2 && image.channels == 3 && image.maxValue == 255)
        #expect(image.samples == [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255,
                                  255, 255, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0])
        #expect(image.detail == "PNG, 8-bit palette")
    }

    @Test func paletteTransparencyBecomesAlpha() throws {
        let image = try fixture("palette-trns-3x1.png")
        #expect(image.channels == 4)
        #expect(image.samples == [255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 255, 128])
        #expect(image.detail == "PNG, 4-bit palette with transparency")
        let colour = image.rgb().pixels
        #expect(colour[1] == SIMD3<Float>(1, 1, 1))   // the transparent green shows the white behind it
    }

    @Test func greyTransparencyAndLowBitDepths() throws {
        let keyed = try fixture("grey-trns-3x1.png")
        #expect(keyed.channels == 2 && keyed.samples == [50, 0, 100, 255, 50, 0])
        let twoBit = try fixture("grey2bit-4x1.png")
        #expect(twoBit.channels == 1 && twoBit.samples == [0, 85, 170, 255] && twoBit.detail == "PNG, 2-bit grey")
    }

    @Test func handBuiltAdam7SixteenBitRGB() throws {
        let image = try fixture("interlaced-rgb16-5x5.png")
        #expect(image.width == 5 && image.height == 5 && image.channels == 3 && image.maxValue == 65535)
        #expect(image.detail == "PNG, 16-bit RGB, interlaced")
        var expected: [UInt16] = []
        for y in 0..<5 {
            for x in 0..<5 { expected += [UInt16(1000 * x + 7), UInt16(2000 * y + 11), UInt16(257 * (x + y))] }
        }
        #expect(image.samples == expected)
    }

    @Test func absurdSizeIsRefusedFromTheHeader() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestImages.fixturePath("huge-40000x40000.png"))))
        #expect(message(bytes) == "bad.png: 40000x40000 is 1.6 gigapixels; the limit is 64 megapixels")
    }

    @Test("a header claiming more pixels than its image data can hold is refused before they are allocated")
    func tooLittleDataForTheClaimedSize() throws {
        var bytes = try ImageEncoder.png(TestImages.ramp(width: 2, height: 2, channels: 1, maxValue: 255))
        // 8000x8000 is within the 64-megapixel limit, but a few bytes of deflate cannot make 64 MB.
        bytes.replaceSubrange(16..<24, with: [0, 0, 0x1F, 0x40, 0, 0, 0x1F, 0x40])
        let idat = try #require(Self.chunkOffset("IDAT", in: bytes))
        let length = bytes[idat - 4..<idat].reduce(0) { $0 << 8 | Int($1) }
        #expect(message(bytes) == "bad.png: corrupt or truncated PNG (its \(length) bytes of image data cannot hold the "
            + "8000x8000 pixels its header claims)")
        // The bound is deflate's best case, so the most compressible real image still passes: 2000x2000 of black.
        let black = PixelImage(width: 2000, height: 2000, channels: 1, maxValue: 255,
                               samples: [UInt16](repeating: 0, count: 4_000_000), format: .png, detail: "test")
        let decoded = try ImageDecoder.decode(bytes: ImageEncoder.png(black), name: "black.png")
        #expect(decoded.width == 2000 && decoded.samples.allSatisfy { $0 == 0 })
    }

    @Test func zeroWidthIsRefused() throws {
        var bytes = try ImageEncoder.png(TestImages.ramp(width: 2, height: 2, channels: 1, maxValue: 255))
        bytes.replaceSubrange(16..<20, with: [0, 0, 0, 0])
        #expect(message(bytes) == "bad.png: the image is 0x2; an image needs at least one pixel each way")
    }

    @Test func truncatedFilesAreErrors() throws {
        let bytes = try ImageEncoder.png(TestImages.ramp(width: 40, height: 30, channels: 3, maxValue: 255, step: 13))
        for length in [8, 20, 33, 60, bytes.count / 2, bytes.count - 13] {
            let text = message(Array(bytes.prefix(length)))
            #expect(text.hasPrefix("bad.png: corrupt or truncated PNG (libpng: "), "cut at \(length): \(text)")
        }
        #expect(message(Array(bytes.prefix(bytes.count / 2))).contains("truncated"))
        // Only 4 bytes: the signature is incomplete, so it is not recognised at all.
        #expect(message(Array(bytes.prefix(4))).contains("starts like a PNG but its signature is damaged"))
    }

    @Test func flippedBytesInTheImageDataOrItsChecksumAreErrors() throws {
        let bytes = try ImageEncoder.png(TestImages.ramp(width: 16, height: 16, channels: 1, maxValue: 255, step: 3))
        let idat = try #require(Self.chunkOffset("IDAT", in: bytes))
        let length = bytes[idat - 4..<idat].reduce(0) { $0 << 8 | Int($1) }
        var inData = bytes
        inData[idat + 4 + length / 2] ^= 0x40
        // zlib's own checksum fails while the data is inflated, before libpng reaches the chunk's CRC.
        #expect(message(inData) == "bad.png: corrupt or truncated PNG (libpng: IDAT: incorrect data check)")
        var inCRC = bytes
        inCRC[idat + 4 + length] ^= 0x01
        #expect(message(inCRC).contains("CRC error"))
    }

    @Test func textRenamedPNGIsNotAccepted() {
        #expect(message(Array("This is not really a picture.\n".utf8), name: "note.png")
                .hasPrefix("note.png: not a PNG, JPEG, PGM or PPM file (it starts with \"This\")"))
    }

    /// Where chunk `type`'s name begins.
    static func chunkOffset(_ type: String, in bytes: [UInt8]) -> Int? {
        let name = Array(type.utf8)
        return (8..<bytes.count - 4).first { bytes[$0..<$0 + 4].elementsEqual(name) }
    }
}
