import Foundation
@testable import Imaging

/// Helpers shared by the Imaging tests.
enum TestImages {
    /// The message of the ImageError `body` throws, or nil when it throws nothing.
    static func errorMessage(_ body: () throws(ImageError) -> PixelImage) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.message
        }
    }

    /// A fresh empty folder under the system's temporary folder.
    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "imaging-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Tests/ImagingTests/Fixtures/<name>.
    static func fixturePath(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }

    /// A w×h image whose samples count up from `start` by `step` (wrapping at maxValue + 1).
    static func ramp(width: Int, height: Int, channels: Int, maxValue: Int, start: Int = 0, step: Int = 7) -> PixelImage {
        let count = width * height * channels
        let samples = (0..<count).map { UInt16((start + $0 * step) % (maxValue + 1)) }
        return PixelImage(width: width, height: height, channels: channels, maxValue: maxValue, samples: samples,
                          format: .pgm, detail: "test ramp")
    }
}
