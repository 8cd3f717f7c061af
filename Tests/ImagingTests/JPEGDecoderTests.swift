import Testing
@testable import Imaging

@Suite struct JPEGDecoderTests {
    func message(_ bytes: [UInt8]) -> String {
        TestImages.errorMessage { () throws(ImageError) in try ImageDecoder.decode(bytes: bytes, name: "bad.jpg") } ?? "no error"
    }

    /// Smooth content (JPEG's strength), so a high-quality round trip stays within a few levels.
    static func smooth(width: Int, height: Int, channels: Int) -> PixelImage {
        var samples: [UInt16] = []
        for y in 0..<height {
            for x in 0..<width {
                let values = [40 + 3 * x, 60 + 2 * y, 200 - x - y]
                samples += values.prefix(channels).map { UInt16($0) }
            }
        }
        return PixelImage(width: width, height: height, channels: channels, maxValue: 255, samples: samples,
                          format: .ppm, detail: "")
    }

    @Test func greyAndColourBaselineAndProgressiveWithinTolerance() throws {
        for channels in [1, 3] {
            for progressive in [false, true] {
                let image = Self.smooth(width: 33, height: 17, channels: channels)
                let bytes = try ImageEncoder.jpeg(image, quality: 95, progressive: progressive)
                let back = try ImageDecoder.decode(bytes: bytes, name: "round.jpg")
                let label = "channels \(channels) progressive \(progressive)"
                #expect(back.width == 33 && back.height == 17 && back.channels == channels && back.maxValue == 255, "\(label)")
                #expect(back.format == .jpeg && back.detail.contains("progressive") == progressive, "\(label): \(back.detail)")
                #expect(back.detail.hasPrefix(channels == 1 ? "JPEG, grey" : "JPEG, YCbCr"), "\(label)")
                let worst = zip(back.samples, image.samples).map { abs(Int($0) - Int($1)) }.max() ?? 0
                #expect(worst <= 4, "\(label): largest difference \(worst)")
            }
        }
    }

    @Test func alphaIsCompositedAndSixteenBitRescaledOnWrite() throws {
        // Grey 0 at alpha 0 is white; 16-bit 65535 is 255.
        let alpha = PixelImage(width: 8, height: 8, channels: 2, maxValue: 255,
                               samples: [UInt16](repeating: 0, count: 128), format: .png, detail: "")
        let back = try ImageDecoder.decode(bytes: ImageEncoder.jpeg(alpha), name: "a.jpg")
        #expect(back.channels == 1 && back.samples.allSatisfy { $0 >= 253 })
        let deep = PixelImage(width: 8, height: 8, channels: 3, maxValue: 65535,
                              samples: [UInt16](repeating: 65535, count: 192), format: .png, detail: "")
        let deepBack = try ImageDecoder.decode(bytes: ImageEncoder.jpeg(deep), name: "d.jpg")
        #expect(deepBack.channels == 3 && deepBack.samples.allSatisfy { $0 >= 253 })
    }

    @Test func qualityOutOfRangeIsAnError() {
        let image = Self.smooth(width: 8, height: 8, channels: 1)
        do {
            _ = try ImageEncoder.jpeg(image, quality: 0)
            Issue.record("quality 0 accepted")
        } catch {
            #expect(error.message == "JPEG quality 0 is out of range; it must be 1...100")
        }
    }

    @Test func truncatedFilesAreErrorsNotGreyPadding() throws {
        let image = Self.smooth(width: 64, height: 48, channels: 3)
        for progressive in [false, true] {
            let bytes = try ImageEncoder.jpeg(image, quality: 90, progressive: progressive)
            for length in [3, 40, 200, bytes.count / 2, bytes.count - 2] {
                let text = message(Array(bytes.prefix(length)))
                #expect(text.hasPrefix("bad.jpg: corrupt or truncated JPEG (libjpeg: "), "cut at \(length): \(text)")
            }
        }
    }

    @Test func zeroHeightAndAbsurdSizesAreRefused() throws {
        let bytes = try ImageEncoder.jpeg(Self.smooth(width: 8, height: 8, channels: 1))
        let sof = try #require((2..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        // SOF0: FF C0, length (2), precision (1), height (2), width (2).
        var huge = bytes
        huge.replaceSubrange(sof + 5..<sof + 9, with: [0xEA, 0x60, 0xEA, 0x60])   // 60000 each way
        // Its few hundred bytes cannot hold 56 million blocks: refused before any size is weighed.
        #expect(message(huge) == "bad.jpg: corrupt or truncated JPEG (its \(huge.count) bytes cannot hold the 60000x60000 "
            + "pixels its header claims: its 56 million 8x8 blocks need at least 2 bits each, 14 MB)")
        var zero = bytes
        zero.replaceSubrange(sof + 5..<sof + 7, with: [0, 0])
        #expect(message(zero).hasPrefix("bad.jpg: corrupt or truncated JPEG (libjpeg: "))
    }
}
