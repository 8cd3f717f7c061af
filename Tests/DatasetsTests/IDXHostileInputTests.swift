import CZlib
import ConvKernels
import Foundation
import Testing
@testable import Datasets

/// Files that lie: headers that claim more than the budget or more than `Int` holds, streams that go
/// on past their header (gzip bombs), FIFOs and devices named as datasets. Each is refused with a
/// message, at once, without reading or allocating what the header claims.
@Suite("IDX files that lie")
struct IDXHostileInputTests {
    /// A scratch folder; removed by `remove()`.
    struct Scratch {
        let path = NSTemporaryDirectory() + "convtutor-idx-hostile-\(UUID().uuidString)"
        init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        func remove() { try? FileManager.default.removeItem(atPath: path) }
        func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

        /// Writes `bytes` as `name`, gzip'd when the name ends in .gz; `zeros` more zero bytes follow
        /// (written in pieces, so that a bomb costs the test little memory).
        @discardableResult
        func write(_ name: String, _ bytes: [UInt8], zeros: Int = 0) -> String {
            let path = file(name)
            if name.hasSuffix(".gz") {
                let gz = gzopen(path, "wb9")
                _ = bytes.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
                let piece = [UInt8](repeating: 0, count: 1 << 20)
                var left = zeros
                while left > 0 {
                    let count = min(left, piece.count)
                    _ = piece.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32(count)) }
                    left -= count
                }
                gzclose(gz)
            } else {
                _ = FileManager.default.createFile(atPath: path, contents: Data(bytes + [UInt8](repeating: 0, count: zeros)))
            }
            return path
        }
    }

    static func header(_ dimensions: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for size in dimensions { bytes += [UInt8(size >> 24 & 255), UInt8(size >> 16 & 255), UInt8(size >> 8 & 255), UInt8(size & 255)] }
        return bytes
    }

    static func loadError(_ body: () throws(DatasetError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return error.message
        }
    }

    /// Every dimension of an images header at 0, 1 and huge (2^32 - 1), in every combination, plain
    /// and gzip'd, with no values after the header: a product of 0 loads as an empty file, 1 is
    /// truncated, anything with a huge factor is over the budget (its product may not even fit an `Int`).
    static let sizes: [UInt32] = [0, 1, UInt32.max]
    static let headerSweep: [[UInt32]] = sizes.flatMap { a in sizes.flatMap { b in sizes.map { c in [a, b, c] } } }

    @Test("every images header of 0, 1 and huge dimensions is loaded or refused by its rule", arguments: [false, true])
    func headerSweep(gzip: Bool) {
        let scratch = Scratch()
        defer { scratch.remove() }
        for dimensions in Self.headerSweep {
            let name = "images" + (gzip ? ".gz" : "")
            let path = scratch.write(name, Self.header(dimensions))
            let product = dimensions.reduce(UInt64(1)) { $0.multipliedReportingOverflow(by: UInt64($1)).overflow ? UInt64.max : $0 * UInt64($1) }
            let described = "\(dimensions)"
            var loaded: IDXFile?
            let message = Self.loadError { () throws(DatasetError) in
                loaded = try IDXFile(path: path, expectedDimensions: 3)
            }
            switch product {
            case 0:
                #expect(message == nil && loaded?.bytes.isEmpty == true, "\(described): \(message ?? "")")
            case 1:
                #expect(message?.contains("truncated: the header declares 1 x 1 x 1 = 1 bytes of data, the file holds 0") == true,
                        "\(described): \(message ?? "loaded")")
            default:
                #expect(message?.contains("would need") == true && message?.contains("the limit is 512 MB") == true,
                        "\(described): \(message ?? "loaded")")
                if product == UInt64.max || product > UInt64(Int.max) {
                    #expect(message?.contains("more than 9.2 EB") == true, "\(described): \(message ?? "")")
                }
            }
        }
    }

    @Test("a labels header of 0, 1 and huge counts", arguments: [(UInt32(0), "loads"), (1, "truncated"), (UInt32.max, "would need 4.3 GB")])
    func labelsHeader(count: UInt32, outcome: String) {
        let scratch = Scratch()
        defer { scratch.remove() }
        let path = scratch.write("labels.gz", Self.header([count]))
        let message = Self.loadError { () throws(DatasetError) in _ = try IDXFile(path: path, expectedDimensions: 1) }
        if outcome == "loads" {
            #expect(message == nil)
        } else {
            #expect(message?.contains(outcome) == true, "\(message ?? "loaded")")
        }
    }

    @Test("a header with 255 dimensions whose product overflows is refused as uncountable")
    func manyDimensions() {
        let scratch = Scratch()
        defer { scratch.remove() }
        let path = scratch.write("wide", Self.header(Array(repeating: 65_536, count: 255)))
        let message = Self.loadError { () throws(DatasetError) in _ = try IDXFile(path: path, expectedDimensions: 255) }
        #expect(message?.contains("more than 9.2 EB of memory; the limit is 512 MB") == true, "\(message ?? "loaded")")
    }

    @Test("a gzip stream that goes on past its header (a bomb) stops at the declared size and is refused")
    func gzipBombPastHeader() {
        let scratch = Scratch()
        defer { scratch.remove() }
        // 100 declared values, then 64 MB of zeros (about 64 KB compressed).
        let path = scratch.write("bomb.gz", Self.header([100, 1, 1]), zeros: 64 << 20)
        let message = Self.loadError { () throws(DatasetError) in _ = try IDXFile(path: path, expectedDimensions: 3) }
        #expect(message == "bomb.gz: longer than its header says: the header declares 100 x 1 x 1 = 100 bytes of data, the file holds more")
    }

    @Test("a small gzip file whose header claims more than the budget is refused before it is decompressed")
    func gzipBombOverBudget() {
        let scratch = Scratch()
        defer { scratch.remove() }
        let folder = scratch
        folder.write("train-images-idx3-ubyte.gz", Self.header([1_000_000, 28, 28]), zeros: 1 << 20)
        folder.write("train-labels-idx1-ubyte.gz", Self.header([1_000_000]))
        folder.write("t10k-images-idx3-ubyte.gz", Self.header([1, 28, 28]) + [UInt8](repeating: 0, count: 784))
        folder.write("t10k-labels-idx1-ubyte.gz", Self.header([1]) + [0])
        let message = Self.loadError { () throws(DatasetError) in _ = try IDXDataset(directory: folder.path) }
        #expect(message == "the values declared by train-images-idx3-ubyte.gz (1000000 x 28 x 28), train-labels-idx1-ubyte.gz "
            + "(1000000), t10k-images-idx3-ubyte.gz (1 x 28 x 28) and t10k-labels-idx1-ubyte.gz (1) would need 785 MB of memory; "
            + "the limit is 512 MB (MNIST's four files take 55 MB)", "\(message ?? "loaded")")
    }

    @Test("a plain file shorter than its header says is refused before its values are allocated")
    func plainTruncated() {
        let scratch = Scratch()
        defer { scratch.remove() }
        let path = scratch.write("short", Self.header([1000, 20, 20]) + [1, 2, 3])
        let message = Self.loadError { () throws(DatasetError) in _ = try IDXFile(path: path, expectedDimensions: 3) }
        #expect(message == "short: truncated: the header declares 1000 x 20 x 20 = 400000 bytes of data, the file holds 3")
    }

    @Test("a FIFO or a link to /dev/zero named as a dataset file is refused at once, not read")
    func notRegularFiles() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let fifo = scratch.file("train-images-idx3-ubyte.gz")
        #expect(mkfifo(fifo, 0o600) == 0)
        let fifoMessage = Self.loadError { () throws(DatasetError) in _ = try IDXFile(path: fifo, expectedDimensions: 3) }
        #expect(fifoMessage?.contains("is a FIFO (named pipe), not a regular file") == true, "\(fifoMessage ?? "loaded")")

        let link = scratch.file("t10k-images-idx3-ubyte")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/zero")
        let zeroMessage = Self.loadError { () throws(DatasetError) in _ = try IDXFile(path: link, expectedDimensions: 3) }
        #expect(zeroMessage?.contains("is a character device, not a regular file") == true, "\(zeroMessage ?? "loaded")")
    }

    @Test("labels outside 0...9 are refused where data enters training, naming the file, the label and its item")
    func labelsOutOfRange() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        scratch.write("train-images-idx3-ubyte.gz", Self.header([6, 28, 28]) + [UInt8](repeating: 9, count: 6 * 784))
        scratch.write("train-labels-idx1-ubyte.gz", Self.header([6]) + [1, 2, 3, 4, 5, 26])
        scratch.write("t10k-images-idx3-ubyte.gz", Self.header([1, 28, 28]) + [UInt8](repeating: 0, count: 784))
        scratch.write("t10k-labels-idx1-ubyte.gz", Self.header([1]) + [0])
        let data = try TrainingData.idx(directory: scratch.path)
        #expect(throws: DatasetError("labels must be 0...9 for a 10-class network; train-labels-idx1-ubyte.gz holds 26 at item 5 "
            + "(counting from 0). LeNet-5 here has 10 classes: give a dataset of digits, such as MNIST or Fashion-MNIST")) {
            try data.checkLabels(classes: 10)
        }
        #expect(throws: Never.self) { try data.checkLabels(classes: 27) }
    }
}
