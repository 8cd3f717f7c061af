import CZlib
import Foundation

/// One IDX file (the MNIST layout, also Fashion-MNIST, KMNIST, EMNIST): a big-endian header of
/// magic `0x00 0x00 type dimensions`, one 32-bit size per dimension, then the values, here
/// unsigned bytes (type 0x08) only. Read plain or gzip'd (zlib's gzread reads both).
public struct IDXFile: Sendable {
    /// The sizes, outermost first: `[count]` for labels, `[count, rows, columns]` for images.
    public let dimensions: [Int]
    /// The values, row-major.
    public let bytes: [UInt8]

    /// Decompressed files larger than this are refused (the largest EMNIST file is about 700 MB).
    public static let maximumBytes = 1 << 30

    /// Reads and checks the file at `path`.
    ///
    /// - Parameter expectedDimensions: 1 for labels, 3 for images.
    /// - Throws: `DatasetError` naming the file when it cannot be read, is not IDX, holds another
    ///   kind of array, or is shorter or longer than its header says.
    public init(path: String, expectedDimensions: Int) throws(DatasetError) {
        let raw = try Self.readAll(path)
        let name = (path as NSString).lastPathComponent
        guard raw.count >= 4 else {
            throw DatasetError("\(name): \(raw.count) bytes is too short for an IDX header (4 bytes of magic, then the sizes)")
        }
        guard raw[0] == 0, raw[1] == 0 else {
            throw DatasetError("\(name): not an IDX file (the magic number must start with two zero bytes; "
                + "it starts \(String(format: "0x%02X 0x%02X", raw[0], raw[1])))")
        }
        guard raw[2] == 0x08 else {
            throw DatasetError("\(name): holds values of IDX type \(String(format: "0x%02X", raw[2])); "
                + "only unsigned bytes (0x08) are read")
        }
        let dimensionCount = Int(raw[3])
        guard dimensionCount == expectedDimensions else {
            let kind = expectedDimensions == 1 ? "labels (magic 2049, one dimension)" : "images (magic 2051, three dimensions)"
            throw DatasetError("\(name): has \(dimensionCount) dimension\(dimensionCount == 1 ? "" : "s") "
                + "(magic \(Int(raw[2]) << 8 | dimensionCount)); expected \(kind)")
        }
        let headerLength = 4 + 4 * dimensionCount
        guard raw.count >= headerLength else {
            throw DatasetError("\(name): ends inside its header (\(raw.count) of \(headerLength) bytes)")
        }
        var sizes: [Int] = []
        var expected = 1
        for index in 0..<dimensionCount {
            let offset = 4 + 4 * index
            let size = Int(raw[offset]) << 24 | Int(raw[offset + 1]) << 16 | Int(raw[offset + 2]) << 8 | Int(raw[offset + 3])
            sizes.append(size)
            expected *= size  // checked against the limit after each factor, so it cannot overflow
            guard expected <= Self.maximumBytes else {
                throw DatasetError("\(name): its header declares \(sizes) values, more than the \(Self.maximumBytes) accepted")
            }
        }
        let actual = raw.count - headerLength
        guard actual == expected else {
            let what = actual < expected ? "truncated" : "longer than its header says"
            throw DatasetError("\(name): \(what): the header declares \(sizes.map(String.init).joined(separator: " x ")) = "
                + "\(expected) bytes of data, the file holds \(actual)")
        }
        dimensions = sizes
        bytes = Array(raw[headerLength...])
    }

    /// The whole file, decompressed when it is gzip'd.
    private static func readAll(_ path: String) throws(DatasetError) -> [UInt8] {
        let name = (path as NSString).lastPathComponent
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw DatasetError("\(path): cannot be read (missing, or no permission)")
        }
        guard let file = gzopen(path, "rb") else {
            throw DatasetError("\(path): cannot be opened")
        }
        defer { gzclose(file) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count < 0 {
                var code: Int32 = 0
                let reason = gzerror(file, &code).map { String(cString: $0) } ?? "unknown error"
                throw DatasetError("\(name): cannot be decompressed (\(reason)); the file may be truncated or not gzip")
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<Int(count)])
            guard result.count <= maximumBytes + 16 else {
                throw DatasetError("\(name): decompresses to more than \(maximumBytes) bytes; not a dataset this program reads")
            }
        }
        // gzread stops quietly at a gzip stream cut short; gzeof/gzerror tell it apart from a clean end.
        var code: Int32 = 0
        _ = gzerror(file, &code)
        if code != Z_OK && code != Z_STREAM_END {
            throw DatasetError("\(name): the compressed data ends early (zlib error \(code)); the file is truncated")
        }
        return result
    }
}
