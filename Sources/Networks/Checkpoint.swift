import CommonIO
import ConvKernels
import Foundation

/// Named tensors and string metadata in the safetensors format, which PyTorch reads with
/// `safetensors.torch.load_file`:
///
///     8 bytes   the header's length N, unsigned little-endian
///     N bytes   a JSON object: for each tensor {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}
///               (offsets into the data that follows), and "__metadata__": {string: string};
///               padded with spaces so the data starts on an 8-byte boundary
///     the data  each tensor's values, little-endian, row-major, back to back
///
/// This writes F32 (32-bit float) only; it reads F32, F16, BF16 and F64, converting to `Float`.
public struct Checkpoint: Sendable {
    public var tensors: [(name: String, tensor: Tensor)]
    public var metadata: [String: String]

    public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor called `name`, if there is one.
    public func tensor(named name: String) -> Tensor? {
        tensors.first { $0.name == name }?.tensor
    }

    /// The file's bytes.
    public func encoded() throws(CheckpointError) -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            let length = tensor.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + length]] as [String: Any]
            offset += length
        }
        let json: Data
        do {
            json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        } catch {
            throw CheckpointError("checkpoint header could not be written as JSON: \(error)")
        }
        var headerBytes = [UInt8](json)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        for (_, tensor) in tensors {
            for value in tensor.data { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        return bytes
    }

    /// Writes the checkpoint to `path` through a temporary file in the same folder and a rename,
    /// so a crash leaves the old file or the new one, never half of one.
    public func write(to path: String) throws(CheckpointError) {
        let bytes = try encoded()
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw CheckpointError("\(path): \(error.reason)")
        }
    }

    /// Checkpoint files larger than this are refused before they are read. LeNet-5's is about 250 KB
    /// (and a few times that with the optimizer's state); this is 500 times more, and small enough
    /// that the file and its tensors as 32-bit floats (twice the file for F16 data) fit the memory budget.
    public static let maximumFileBytes = 128 * 1_000_000

    /// A header (the JSON that lists the tensors) longer than this is refused before it is parsed:
    /// a tensor takes about 70 bytes of it, so this allows over ten thousand tensors (LeNet-5 has
    /// 10 to 18). Parsed, JSON costs about 65 times its size (a 4 MB header took 270 MB).
    public static let maximumHeaderBytes = 1_000_000

    /// Reads and checks a safetensors file (a regular file of at most `maximumFileBytes`).
    ///
    /// - Throws: `CheckpointError` naming the file and what is wrong: not a regular file (a FIFO, a
    ///   device), too large, another format (a PyTorch `.pt`/`.pth`, with the command that converts it;
    ///   an image, text...), too short, a header length past the end, a header that is not JSON, a
    ///   dtype other than F32, F16, BF16 and F64, offsets that do not match the shape or run past the
    ///   data, tensors over the memory budget, values that are NaN or infinite.
    public init(path: String) throws(CheckpointError) {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, limit: Self.maximumFileBytes)
        } catch {
            let hint = error.kind == .tooLarge ? " (LeNet-5's checkpoint is about 250 KB)" : ""
            throw CheckpointError("\(path): \(error.reason)\(hint); expected a safetensors checkpoint")
        }
        try self.init(bytes: bytes, name: path)
    }

    /// Decodes the bytes of a safetensors file; `name` is used in error messages. F16, BF16 and F64
    /// tensors are converted to `Float` (see `Checkpoint+DataTypes.swift`).
    ///
    /// Every number in the header is checked before anything is allocated for it: shapes and
    /// offsets with overflow-safe arithmetic, the tensors' total size as `Float`s (plus the file)
    /// against `ResourceBudget.standard`. Values that are NaN or infinite are refused, naming each
    /// tensor that holds them, so no user of a checkpoint computes with them.
    public init(bytes: [UInt8], name: String) throws(CheckpointError) {
        if !Self.startsLikeSafetensors(bytes), let foreign = Self.foreignFormatMessage(bytes, name: name) {
            throw CheckpointError(foreign)
        }
        guard !bytes.isEmpty else {
            throw CheckpointError("\(name): is empty; \(Self.expectedLayout)")
        }
        guard bytes.count >= 8 else {
            throw CheckpointError("\(name): \(bytes.count) bytes is too short for a safetensors file (8-byte header length, header, data)")
        }
        let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw CheckpointError("\(name): its header claims \(headerLength) bytes but the file has \(bytes.count - 8) after the length; "
                + "the file is truncated or not safetensors (\(Self.expectedLayout))")
        }
        guard headerLength <= UInt64(Self.maximumHeaderBytes) else {
            throw CheckpointError("\(name): its header is \(ResourceBudget.describeBytes(Int(headerLength))) of JSON; "
                + "the limit is \(ResourceBudget.describeBytes(Self.maximumHeaderBytes)) (LeNet-5's is about 1 KB)")
        }
        let dataStart = 8 + Int(headerLength)
        let header = try Self.headerObject(bytes[8..<dataStart], name: name)
        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var layouts: [TensorLayout] = []
        for (key, value) in header {
            if key == "__metadata__" {
                guard let strings = value as? [String: String] else {
                    throw CheckpointError("\(name): __metadata__ must map strings to strings")
                }
                metadata = strings
                continue
            }
            layouts.append(try TensorLayout(key: key, entry: value, dataLength: dataLength, name: name))
        }
        // In file order, as they were written.
        layouts.sort { ($0.begin, $0.name) < ($1.begin, $1.name) }
        try Self.checkNoOverlap(layouts, name: name)
        try Self.checkMemory(layouts, fileBytes: bytes.count, name: name)
        tensors = layouts.map { layout in
            (layout.name, Tensor(shape: layout.shape,
                                 data: Self.floats(bytes, at: dataStart + layout.begin, count: layout.count, as: layout.dtype)))
        }
        self.metadata = metadata
        try Self.checkFinite(tensors, name: name)
    }

    /// Where one tensor lies in the data and what it holds, from its header entry, every number checked.
    struct TensorLayout {
        let name: String
        let dtype: DataType
        let shape: [Int]
        /// Elements: the product of `shape`.
        let count: Int
        let begin: Int
        let end: Int

        init(key: String, entry value: Any, dataLength: Int, name: String) throws(CheckpointError) {
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw CheckpointError("\(name): tensor \(key) needs dtype (a string), shape (a list of whole numbers) and "
                    + "data_offsets [begin, end] (two whole numbers)")
            }
            guard let dtype = DataType(rawValue: dtypeName) else {
                throw CheckpointError("\(name): tensor \(key) is \(dtypeName); the dtypes read are "
                    + DataType.allCases.map(\.rawValue).joined(separator: ", ") + " (converted to 32-bit float)")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw CheckpointError("\(name): tensor \(key) has a negative size in \(shape)") }
            // Left to right, as Tensor multiplies them: a product that overflows on the way is refused
            // even when a later 0 would bring it back.
            guard let count = ResourceBudget.product(shape) else {
                throw CheckpointError("\(name): tensor \(key) has shape \(shape), too many elements to count; the file is corrupt")
            }
            let byteCount = ResourceBudget.product(count, dtype.size)
            let (begin, end) = (offsets[0], offsets[1])
            guard let byteCount, begin >= 0, end >= begin, end <= dataLength, end - begin == byteCount else {
                throw CheckpointError("\(name): tensor \(key) of shape \(shape) and dtype \(dtype.rawValue) needs "
                    + "\(byteCount.map { "\($0)" } ?? "more") bytes but its data_offsets are "
                    + "[\(begin), \(end)] in \(dataLength) bytes of data; the file is truncated or corrupt")
            }
            (self.name, self.dtype, self.shape, self.count, self.begin, self.end) = (key, dtype, shape, count, begin, end)
        }
    }

    /// The header's JSON object.
    private static func headerObject(_ json: ArraySlice<UInt8>, name: String) throws(CheckpointError) -> [String: Any] {
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
                throw CheckpointError("\(name): the header is not a JSON object")
            }
            return object
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError("\(name): the header is not valid JSON; the file is corrupt or not safetensors")
        }
    }

    /// Two tensors may not share bytes (safetensors forbids it, and it would let a small file
    /// claim many copies of its data). `layouts` are sorted by `begin`.
    private static func checkNoOverlap(_ layouts: [TensorLayout], name: String) throws(CheckpointError) {
        var previous: TensorLayout?
        for layout in layouts where layout.end > layout.begin {
            if let previous, layout.begin < previous.end {
                throw CheckpointError("\(name): tensors \(previous.name) (bytes \(previous.begin)-\(previous.end)) and "
                    + "\(layout.name) (bytes \(layout.begin)-\(layout.end)) overlap; each tensor needs its own bytes of "
                    + "the data: the file is corrupt")
            }
            previous = layout
        }
    }

    /// The file's bytes and every tensor as 32-bit floats must fit `budget`.
    static func checkMemory(_ layouts: [TensorLayout], fileBytes: Int, name: String,
                            budget: ResourceBudget = .standard) throws(CheckpointError) {
        var elements: Int? = 0
        for layout in layouts { elements = ResourceBudget.sum(elements, layout.count) }
        let floatBytes = elements.flatMap { ResourceBudget.product($0, MemoryLayout<Float>.size) }
        do {
            try budget.check(memory: ResourceBudget.sum(fileBytes, floatBytes),
                                              for: "its \(layouts.count) tensor\(layouts.count == 1 ? "" : "s") "
                                                  + "(\(ResourceBudget.describeCount(elements)) values as 32-bit floats)")
        } catch {
            throw CheckpointError("\(name): \(error.message); LeNet-5 has about 62 thousand")
        }
    }

    /// Refuses NaN and infinite values, naming every tensor that holds them and how many of each.
    static func checkFinite(_ tensors: [(name: String, tensor: Tensor)], name: String) throws(CheckpointError) {
        var problems: [String] = []
        for (tensorName, tensor) in tensors {
            let census = NonFiniteCount(tensor.data)
            if census.total > 0 { problems.append("\(tensorName) holds \(census)") }
        }
        guard !problems.isEmpty else { return }
        throw CheckpointError("\(name): " + problems.joined(separator: "; ") + ". A checkpoint's values must all be "
            + "finite numbers (a training run that diverged writes such values: resume from an earlier checkpoint, "
            + "or train again with a lower learning rate)")
    }
}
