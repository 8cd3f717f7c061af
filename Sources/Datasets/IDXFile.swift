import ConvKernels
import Foundation

/// One IDX file (the MNIST layout, also Fashion-MNIST, KMNIST, EMNIST): a big-endian header of
/// magic `0x00 0x00 type dimensions`, one 32-bit size per dimension, then the values, here
/// unsigned bytes (type 0x08) only. Read plain or gzip'd (zlib's gzread reads both).
public struct IDXFile: Sendable {
    /// The sizes, outermost first: `[count]` for labels, `[count, rows, columns]` for images.
    public let dimensions: [Int]
    /// The values, row-major.
    public let bytes: [UInt8]

    /// Reads and checks the file at `path`; the values its header declares must fit in `budget`
    /// (checked before they are read).
    ///
    /// - Parameter expectedDimensions: 1 for labels, 3 for images.
    /// - Throws: `DatasetError` naming the file when it cannot be read, is not IDX, holds another
    ///   kind of array, declares more than the budget, or is shorter or longer than its header says.
    public init(path: String, expectedDimensions: Int, budget: ResourceBudget = .standard) throws(DatasetError) {
        let stream = try IDXStream(path: path, expectedDimensions: expectedDimensions, budget: budget)
        try Self.check([stream], budget: budget)
        dimensions = stream.dimensions
        bytes = try stream.readValues()
    }

    /// Refuses `streams` whose declared values together are over `budget`, before any is read:
    /// "train-images-idx3-ubyte.gz declares 2000000 x 28 x 28 values, which would need 1.6 GB of memory; the limit is 512 MB".
    static func check(_ streams: [IDXStream], budget: ResourceBudget) throws(DatasetError) {
        let total = streams.reduce(Optional(0)) { total, stream in ResourceBudget.sum(total, stream.declaredByteCount) }
        let shapes = streams.map { "\($0.name) (\($0.shapeText))" }
        let declared = shapes.count == 1 ? shapes[0]
            : shapes.dropLast().joined(separator: ", ") + " and " + shapes[shapes.count - 1]
        do {
            try budget.check(memory: total, for: "the values declared by " + declared)
        } catch {
            throw DatasetError(error.message + " (MNIST's four files take 55 MB)")
        }
    }
}
