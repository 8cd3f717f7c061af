import Foundation
import Testing
@testable import Imaging

@Suite struct ImageDecoderFileTests {
    @Test func writeThenDecodeAFile() throws {
        let folder = TestImages.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let image = TestImages.ramp(width: 4, height: 3, channels: 3, maxValue: 255)
        let path = folder + "/ramp.ppm"
        try ImageEncoder.write(ImageEncoder.netpbm(image), to: path)
        try ImageEncoder.write(ImageEncoder.netpbm(image), to: path)   // replacing works too
        #expect(try ImageDecoder.decode(path: path).samples == image.samples)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(leftovers == ["ramp.ppm"])
    }

    @Test func fileProblemsNameTheFile() throws {
        let folder = TestImages.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func message(_ path: String) -> String? {
            TestImages.errorMessage { () throws(ImageError) in try ImageDecoder.decode(path: path) }
        }
        #expect(message(folder + "/missing.png") == "\(folder)/missing.png: no such file")
        #expect(message(folder) == "\(folder): is a folder, not an image file")
        #expect(FileManager.default.createFile(atPath: folder + "/empty.png", contents: Data()))
        #expect(message(folder + "/empty.png") == "\(folder)/empty.png: the file is empty; expected a PNG, JPEG, PGM or PPM image")
        #expect(FileManager.default.createFile(atPath: folder + "/notes.png", contents: Data("shopping list\n".utf8)))
        #expect(message(folder + "/notes.png")?.hasPrefix("\(folder)/notes.png: not a PNG, JPEG, PGM or PPM file (it starts with \"shop\")") == true)
        do {
            try ImageEncoder.write([1], to: folder + "/no/such/folder/x.pgm")
            Issue.record("writing into a missing folder succeeded")
        } catch {
            #expect(error.message.hasPrefix("\(folder)/no/such/folder/x.pgm: cannot be written"))
        }
    }

    @Test func sizesAreDescribed() {
        #expect(ImageDecoder.describe(pixelCount: 1_600_000_000) == "1.6 gigapixels")
        #expect(ImageDecoder.describe(pixelCount: 64_000_000) == "64 megapixels")
        #expect(ImageDecoder.describe(pixelCount: 80_500_000) == "80.5 megapixels")
    }
}
