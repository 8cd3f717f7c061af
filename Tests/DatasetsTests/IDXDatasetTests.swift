import CZlib
import Foundation
import Testing
import TestSupport
import Datasets

/// A scratch folder of IDX files made by the test itself.
private struct IDXFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "convtutor-idx-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    static func header(_ dimensions: [Int], type: UInt8 = 0x08) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
        for size in dimensions { bytes += [UInt8(size >> 24 & 255), UInt8(size >> 16 & 255), UInt8(size >> 8 & 255), UInt8(size & 255)] }
        return bytes
    }

    /// Writes `bytes` as `name`, gzip'd when the name ends in .gz.
    func write(_ name: String, _ bytes: [UInt8]) {
        let file = (path as NSString).appendingPathComponent(name)
        if name.hasSuffix(".gz") {
            let gz = gzopen(file, "wb")
            _ = bytes.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
            gzclose(gz)
        } else {
            _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        }
    }

    /// A complete 2x3-image dataset: train 3 images, test 2, pixel values counting up.
    func writeSmallDataset(gzip: Bool) {
        let suffix = gzip ? ".gz" : ""
        write("train-images-idx3-ubyte" + suffix, Self.header([3, 2, 3]) + (0..<18).map(UInt8.init))
        write("train-labels-idx1-ubyte" + suffix, Self.header([3]) + [7, 0, 9])
        write("t10k-images-idx3-ubyte" + suffix, Self.header([2, 2, 3]) + (100..<112).map(UInt8.init))
        write("t10k-labels-idx1-ubyte" + suffix, Self.header([2]) + [1, 2])
    }
}

@Suite("IDX datasets")
struct IDXDatasetTests {
    @Test("a folder of plain or gzip'd IDX files loads with its pixels and labels", arguments: [false, true])
    func loads(gzip: Bool) throws {
        let folder = IDXFolder()
        defer { folder.remove() }
        folder.writeSmallDataset(gzip: gzip)
        let dataset = try IDXDataset(directory: folder.path, imageSize: (2, 3))
        #expect(dataset.train.count == 3 && dataset.train.rows == 2 && dataset.train.columns == 3)
        #expect(dataset.train.pixels == (0..<18).map(UInt8.init))
        #expect(dataset.train.labels == [7, 0, 9])
        #expect(dataset.test.count == 2 && dataset.test.pixels == (100..<112).map(UInt8.init) && dataset.test.labels == [1, 2])
    }

    private func loadError(_ folder: IDXFolder, imageSize: (Int, Int) = (2, 3)) -> String {
        do {
            _ = try IDXDataset(directory: folder.path, imageSize: imageSize)
            return ""
        } catch {
            return error.message
        }
    }

    @Test("bad folders and files are named with what is wrong")
    func errors() {
        let folder = IDXFolder()
        defer { folder.remove() }
        #expect(loadError(folder).contains("train-images-idx3-ubyte (or train-images-idx3-ubyte.gz) is missing"))
        folder.writeSmallDataset(gzip: false)
        #expect(loadError(folder, imageSize: (28, 28)).contains("images are 2x3; LeNet-5 takes 28x28"))

        folder.write("train-labels-idx1-ubyte", IDXFolder.header([4]) + [1, 2, 3, 4])
        #expect(loadError(folder).contains("holds 3 images but train-labels-idx1-ubyte holds 4 labels"))

        folder.write("train-labels-idx1-ubyte", [0x08, 0x00, 0x08, 0x01, 0, 0, 0, 3, 1, 2, 3])
        #expect(loadError(folder).contains("not an IDX file"))

        folder.write("train-labels-idx1-ubyte", IDXFolder.header([3, 1]) + [1, 2, 3])
        #expect(loadError(folder).contains("expected labels (magic 2049, one dimension)"))

        folder.write("train-labels-idx1-ubyte", IDXFolder.header([3], type: 0x0D) + [1, 2, 3])
        #expect(loadError(folder).contains("only unsigned bytes (0x08)"))

        folder.write("train-labels-idx1-ubyte", IDXFolder.header([3]) + [1, 2])
        #expect(loadError(folder).contains("truncated: the header declares 3 = 3 bytes of data, the file holds 2"))

        folder.write("train-labels-idx1-ubyte", IDXFolder.header([3]) + [1, 2, 3, 4])
        #expect(loadError(folder).contains("longer than its header says"))

        folder.write("train-labels-idx1-ubyte", [0, 0, 8])
        #expect(loadError(folder).contains("too short for an IDX header"))

        #expect((try? IDXDataset(directory: folder.path + "/nowhere")) == nil)
    }

    @Test("a gzip file cut short is reported as truncated, not read as a short dataset")
    func truncatedGzip() throws {
        let folder = IDXFolder()
        defer { folder.remove() }
        folder.writeSmallDataset(gzip: true)
        // Rewrite the training images with many values, then cut the compressed file in half.
        folder.write("train-images-idx3-ubyte.gz", IDXFolder.header([3, 2, 3]) + (0..<18).map(UInt8.init))
        let big = IDXFolder.header([1000, 2, 3]) + (0..<6000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        folder.write("train-images-idx3-ubyte.gz", big)
        folder.write("train-labels-idx1-ubyte.gz", IDXFolder.header([1000]) + [UInt8](repeating: 1, count: 1000))
        let path = (folder.path as NSString).appendingPathComponent("train-images-idx3-ubyte.gz")
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        let message = loadError(folder)
        #expect(message.contains("train-images-idx3-ubyte.gz"))
        #expect(message.contains("truncated") || message.contains("cannot be decompressed"), "\(message)")
    }

    @Test("the real MNIST files load: 60,000 + 10,000 images of 28x28",
          .enabled(if: MNISTForTests.folder != nil, Comment(rawValue: MNISTForTests.missingNote)))
    func realMNIST() throws {
        let directory = try #require(MNISTForTests.folder)
        let dataset = try IDXDataset(directory: directory)
        #expect(dataset.train.count == 60_000 && dataset.test.count == 10_000)
        #expect(dataset.train.rows == 28 && dataset.train.columns == 28)
        // MNIST's first training digit is a 5 and its first test digit a 7.
        #expect(dataset.train.labels.first == 5 && dataset.test.labels.first == 7)
        #expect(dataset.train.labels.allSatisfy { $0 < 10 })
        #expect(dataset.train.pixels.count == 60_000 * 784)
    }
}
