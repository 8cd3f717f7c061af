import Testing
@testable import Imaging

@Suite struct NetpbmTests {
    func decode(_ text: String, name: String = "test.pgm") throws(ImageError) -> PixelImage {
        try ImageDecoder.decode(bytes: Array(text.utf8), name: name)
    }

    @Test func asciiGreyWithComments() throws {
        let image = try decode("P2\n# made by hand\n3 2 # width and height\n# max:\n255\n0 128 255\n 10  20 30\n")
        #expect(image.width == 3 && image.height == 2 && image.channels == 1 && image.maxValue == 255)
        #expect(image.samples == [0, 128, 255, 10, 20, 30])
        #expect(image.format == .pgm)
        #expect(image.detail.contains("ASCII P2"))
    }

    @Test func asciiColourWithSixteenBitMaximum() throws {
        let image = try decode("P3 2 1 65535\n65535 0 1000  0 40000 65535\n", name: "c.ppm")
        #expect(image.channels == 3 && image.maxValue == 65535 && image.format == .ppm)
        #expect(image.samples == [65535, 0, 1000, 0, 40000, 65535])
    }

    @Test func binaryGreyAndColour8And16Bit() throws {
        let grey = try ImageDecoder.decode(bytes: Array("P5\n# c\n2 2\n255\n".utf8) + [0, 1, 254, 255], name: "g.pgm")
        #expect(grey.samples == [0, 1, 254, 255] && grey.channels == 1)
        let grey16 = try ImageDecoder.decode(bytes: Array("P5 2 1 65535\n".utf8) + [0x12, 0x34, 0xFF, 0xFE], name: "g.pgm")
        #expect(grey16.samples == [0x1234, 0xFFFE] && grey16.maxValue == 65535)
        let colour = try ImageDecoder.decode(bytes: Array("P6\n1 2\n255\n".utf8) + [255, 0, 0, 0, 0, 255], name: "c.ppm")
        #expect(colour.samples == [255, 0, 0, 0, 0, 255] && colour.channels == 3 && colour.detail.contains("binary P6"))
        let colour16 = try ImageDecoder.decode(bytes: Array("P6 1 1 1000\n".utf8) + [0x03, 0xE8, 0x00, 0x01, 0x01, 0xF4],
                                               name: "c.ppm")
        #expect(colour16.samples == [1000, 1, 500] && colour16.maxValue == 1000)
    }

    @Test func encoderRoundTripsEveryKind() throws {
        for channels in [1, 3] {
            for maxValue in [255, 65535, 100] {
                for ascii in [false, true] {
                    let image = TestImages.ramp(width: 5, height: 3, channels: channels, maxValue: maxValue, step: 4099)
                    let bytes = ImageEncoder.netpbm(image, ascii: ascii)
                    let back = try ImageDecoder.decode(bytes: bytes, name: "round.pnm")
                    #expect(back.samples == image.samples, "channels \(channels) max \(maxValue) ascii \(ascii)")
                    #expect(back.maxValue == maxValue && back.channels == channels)
                }
            }
        }
    }

    @Test func encoderCompositesAlphaOverWhite() throws {
        // Grey 0 at alpha 255 (opaque black), grey 0 at alpha 0 (transparent: white), grey 100 at alpha 51 (20%).
        let image = PixelImage(width: 3, height: 1, channels: 2, maxValue: 255, samples: [0, 255, 0, 0, 100, 51],
                               format: .png, detail: "")
        let bytes = ImageEncoder.netpbm(image)
        #expect(Array(bytes.prefix(3)) == Array("P5\n".utf8))
        let back = try ImageDecoder.decode(bytes: bytes, name: "a.pgm")
        #expect(back.samples == [0, 255, 224])   // 100·0.2 + 255·0.8 = 224
    }

    @Test func badHeadersNameTheFileAndTheProblem() {
        func message(_ bytes: [UInt8]) -> String {
            TestImages.errorMessage { () throws(ImageError) in try ImageDecoder.decode(bytes: bytes, name: "bad.pgm") } ?? "no error"
        }
        #expect(message(Array("P5\n0 5\n255\n".utf8)) == "bad.pgm: the image is 0x5; an image needs at least one pixel each way")
        #expect(message(Array("P5 40000 40000 255\n".utf8))
                == "bad.pgm: 40000x40000 is 1.6 gigapixels; the limit is 64 megapixels")
        #expect(message(Array("P6 99999999999999999999 2 255\n".utf8)).contains("the limit is 64 megapixels"))
        #expect(message(Array("P5 2 2 255\n".utf8) + [1, 2, 3])
                == "bad.pgm: truncated PGM: 2x2 needs 4 bytes of pixel data, the file has 3")
        #expect(message(Array("P5 2 2 255".utf8)) == "bad.pgm: PGM header ends without the pixel data (truncated)")
        #expect(message(Array("P2 2 1 255\n3".utf8)) == "bad.pgm: truncated PGM: 2x1 has 2 samples, which need at least "
            + "3 bytes as ASCII numbers (a digit and a space each), the file has 2 after the header")
        #expect(message(Array("P2 2 1 255\n3    ".utf8)) == "bad.pgm: truncated PGM: the file ends before the sample 2 of 2")
        #expect(message(Array("P2 2 1 255\n3 x".utf8))
                == "bad.pgm: corrupt PGM header: expected the sample 2 of 2 as a decimal number, found \"x\"")
        #expect(message(Array("P2 2 1 9\n3 10".utf8)) == "bad.pgm: PGM sample 2 is 10, above the maximum value 9")
        #expect(message(Array("P5 1 1 100\n".utf8) + [200]).contains("sample 1 is 200, above the maximum value 100"))
        #expect(message(Array("P5 1 1 0\n".utf8) + [0]) == "bad.pgm: PGM maximum value 0 is out of range; it must be 1...65535")
        #expect(message(Array("P6 x".utf8))
                == "bad.pgm: corrupt PPM header: expected the width as a decimal number, found \"x\"")
    }

    @Test func unsupportedStartsAreDescribed() {
        func message(_ bytes: [UInt8]) -> String {
            TestImages.errorMessage { () throws(ImageError) in try ImageDecoder.decode(bytes: bytes, name: "x.png") } ?? "no error"
        }
        #expect(message(Array("hello world".utf8))
                == "x.png: not a PNG, JPEG, PGM or PPM file (it starts with \"hell\"); accepted are PNG, JPEG, PGM (P2, P5) and PPM (P3, P6) files")
        #expect(message([0, 1, 2, 3, 4]).contains("it starts with 0x00 0x01 0x02 0x03"))
        #expect(message(Array("P4 1 1\n".utf8)).contains("a PBM bitmap (P4), which is not supported"))
        #expect(message([]) == "x.png: the file is empty; expected a PNG, JPEG, PGM or PPM image")
    }
}
