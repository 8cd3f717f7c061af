import CZlib
import CommonIO
import ConvKernels
import Foundation

/// One IDX file opened for reading, its header read and checked, its values not yet read.
///
/// Reading happens in two steps so that what a header claims is judged before anything is spent on
/// it: `IDXDataset` opens all four files, checks their shapes and their total size against the
/// `ResourceBudget`, and only then calls `readValues()`. The values are decompressed straight into
/// an array of exactly the size the header declares; a stream that goes on past it (a gzip bomb)
/// is refused after one more byte, one that ends early is reported as truncated.
///
/// Only regular files are read (`RegularFile.open`): a FIFO or a link to `/dev/zero` is refused
/// instead of blocking or being read forever.
public final class IDXStream {
    /// The file's name, for messages ("train-images-idx3-ubyte.gz").
    public let name: String
    /// The sizes, outermost first: `[count]` for labels, `[count, rows, columns]` for images.
    public let dimensions: [Int]
    /// The bytes of values the header declares (the product of `dimensions`), or nil when that
    /// product does not fit in an `Int` (a header no budget accepts).
    public let declaredByteCount: Int?
    private let file: gzFile
    private let headerLength: Int
    /// The file's size on disk (compressed, for a gzip file).
    private let fileSize: Int
    private var isClosed = false

    /// The largest file (plain or compressed) opened at all: a valid one holds at most the budget's
    /// bytes of values and a header.
    static func fileSizeLimit(budget: ResourceBudget) -> Int {
        ResourceBudget.sum(budget.memoryBytes, 4 + 4 * 255) ?? Int.max
    }

    /// Opens the file at `path` and reads its header.
    ///
    /// - Parameter expectedDimensions: 1 for labels, 3 for images.
    /// - Throws: `DatasetError` naming the file: not a regular file, too large, not IDX, another
    ///   value type or number of dimensions, a header cut short.
    public convenience init(path: String, expectedDimensions: Int,
                            budget: ResourceBudget = .standard) throws(DatasetError) {
        let opened: (descriptor: Int32, size: Int)
        do {
            opened = try RegularFile.open(path, limit: Self.fileSizeLimit(budget: budget))
        } catch {
            throw DatasetError("\(path): \(error.reason); a dataset file is a regular IDX file, plain or gzip'd")
        }
        try self.init(descriptor: opened.descriptor, size: opened.size,
                      name: (path as NSString).lastPathComponent, expectedDimensions: expectedDimensions)
    }

    /// Reads the header from `descriptor`, an open regular file of `size` bytes at its start; the
    /// stream takes the descriptor over and closes it (also when this throws).
    public init(descriptor: Int32, size: Int, name: String, expectedDimensions: Int) throws(DatasetError) {
        guard let file = gzdopen(descriptor, "rb") else {
            close(descriptor)
            throw DatasetError("\(name): cannot be opened (out of memory)")
        }
        let header: (dimensions: [Int], length: Int)
        do {
            header = try Self.readHeader(file, name: name, expectedDimensions: expectedDimensions)
        } catch {
            gzclose(file)
            throw error
        }
        self.file = file
        self.name = name
        fileSize = size
        dimensions = header.dimensions
        // A zero anywhere makes the product 0, even when the other factors alone would overflow.
        declaredByteCount = header.dimensions.contains(0) ? 0 : ResourceBudget.product(header.dimensions)
        headerLength = header.length
    }

    /// The magic number and the sizes, checked; the stream is left at the first value.
    private static func readHeader(_ file: gzFile, name: String,
                                   expectedDimensions: Int) throws(DatasetError) -> (dimensions: [Int], length: Int) {
        var magic = [UInt8](repeating: 0, count: 4)
        var got = try read(file, into: &magic, name: name)
        guard got == 4 else {
            throw DatasetError("\(name): \(got) bytes is too short for an IDX header (4 bytes of magic, then the sizes)")
        }
        guard magic[0] == 0, magic[1] == 0 else {
            throw DatasetError("\(name): not an IDX file (the magic number must start with two zero bytes; "
                + "it starts \(String(format: "0x%02X 0x%02X", magic[0], magic[1])))")
        }
        guard magic[2] == 0x08 else {
            throw DatasetError("\(name): holds values of IDX type \(String(format: "0x%02X", magic[2])); "
                + "only unsigned bytes (0x08) are read")
        }
        let dimensionCount = Int(magic[3])
        guard dimensionCount == expectedDimensions else {
            let kind = expectedDimensions == 1 ? "labels (magic 2049, one dimension)" : "images (magic 2051, three dimensions)"
            throw DatasetError("\(name): has \(dimensionCount) dimension\(dimensionCount == 1 ? "" : "s") "
                + "(magic \(Int(magic[2]) << 8 | dimensionCount)); expected \(kind)")
        }
        var sizeBytes = [UInt8](repeating: 0, count: 4 * dimensionCount)
        got = try read(file, into: &sizeBytes, name: name)
        guard got == sizeBytes.count else {
            throw DatasetError("\(name): ends inside its header (\(4 + got) of \(4 + sizeBytes.count) bytes)")
        }
        let dimensions = (0..<dimensionCount).map { index in
            let offset = 4 * index
            return Int(sizeBytes[offset]) << 24 | Int(sizeBytes[offset + 1]) << 16
                | Int(sizeBytes[offset + 2]) << 8 | Int(sizeBytes[offset + 3])
        }
        return (dimensions, 4 + sizeBytes.count)
    }

    deinit {
        if !isClosed { gzclose(file) }
    }

    /// "60000 x 28 x 28".
    public var shapeText: String { dimensions.map(String.init).joined(separator: " x ") }

    /// Reads the values the header declares, refusing a file that holds fewer or more; closes the
    /// file. Check `declaredByteCount` against a budget first: this allocates that many bytes.
    public func readValues() throws(DatasetError) -> [UInt8] {
        defer { gzclose(file); isClosed = true }
        guard let expected = declaredByteCount else {
            throw DatasetError("\(name): its header declares \(shapeText) values, more than can be counted")
        }
        // A plain file's size is known: compare before allocating anything.
        if gzdirect(file) != 0 && fileSize - headerLength != expected {
            let actual = fileSize - headerLength
            let what = actual < expected ? "truncated" : "longer than its header says"
            throw DatasetError("\(name): \(what): the header declares \(shapeText) = \(expected) bytes of data, "
                + "the file holds \(actual)")
        }
        var shortBy = 0
        var failure: DatasetError?
        // Pages are touched only as values arrive, so a header that lies costs only what the file holds.
        let values = [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
            var filled = 0
            while filled < expected {
                let want = UInt32(min(expected - filled, 1 << 20))
                let count = gzread(file, buffer.baseAddress! + filled, want)
                if count < 0 { failure = Self.decompressionError(file, name: name); break }
                if count == 0 { break }
                filled += Int(count)
            }
            // A short file keeps only what it held (the array is thrown away below), so the pages
            // past it are never touched: a header that lies costs the file's size, not its claim.
            shortBy = expected - filled
            initialized = filled
        }
        if let failure { throw failure }
        if shortBy > 0 {
            throw DatasetError("\(name): truncated: the header declares \(shapeText) = \(expected) bytes of data, "
                + "the file holds \(expected - shortBy)")
        }
        // One more byte tells a file that goes on (a gzip bomb) from one that ends where it says.
        var extra: UInt8 = 0
        let more = gzread(file, &extra, 1)
        if more < 0 { throw Self.decompressionError(file, name: name) }
        if more > 0 {
            throw DatasetError("\(name): longer than its header says: the header declares \(shapeText) = \(expected) "
                + "bytes of data, the file holds more")
        }
        // gzread stops quietly at a gzip stream cut short; gzerror tells it apart from a clean end.
        var code: Int32 = 0
        _ = gzerror(file, &code)
        if code != Z_OK && code != Z_STREAM_END {
            throw DatasetError("\(name): the compressed data ends early (zlib error \(code)); the file is truncated")
        }
        return values
    }

    /// Reads up to `buffer.count` bytes; fewer only at the end of the file.
    private static func read(_ file: gzFile, into buffer: inout [UInt8], name: String) throws(DatasetError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress! + filled, UInt32($0.count - filled)) }
            if count < 0 { throw decompressionError(file, name: name) }
            if count == 0 { break }
            filled += Int(count)
        }
        return filled
    }

    private static func decompressionError(_ file: gzFile, name: String) -> DatasetError {
        var code: Int32 = 0
        let reason = gzerror(file, &code).map { String(cString: $0) } ?? "unknown error"
        return DatasetError("\(name): cannot be decompressed (\(reason)); the file may be truncated or not gzip")
    }
}
