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

    /// Reads and checks a safetensors file.
    ///
    /// - Throws: `CheckpointError` naming the file and what is wrong: another format (a PyTorch
    ///   `.pt`/`.pth`, with the command that converts it; an image, text...), too short, a header
    ///   length past the end, a header that is not JSON, a dtype other than F32, F16, BF16 and F64,
    ///   offsets that do not match the shape or run past the data.
    public init(path: String) throws(CheckpointError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError("\(path): cannot be read (missing, or no permission)")
        }
        try self.init(bytes: [UInt8](data), name: path)
    }

    /// Decodes the bytes of a safetensors file; `name` is used in error messages. F16, BF16 and F64
    /// tensors are converted to `Float` (see `Checkpoint+DataTypes.swift`).
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
        let dataStart = 8 + Int(headerLength)
        let header: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])) as? [String: Any] else {
                throw CheckpointError("\(name): the header is not a JSON object")
            }
            header = object
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError("\(name): the header is not valid JSON; the file is corrupt or not safetensors")
        }
        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, begin: Int, tensor: Tensor)] = []
        for (key, value) in header {
            if key == "__metadata__" {
                guard let strings = value as? [String: String] else {
                    throw CheckpointError("\(name): __metadata__ must map strings to strings")
                }
                metadata = strings
                continue
            }
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw CheckpointError("\(name): tensor \(key) needs dtype, shape and data_offsets [begin, end]")
            }
            guard let dtype = DataType(rawValue: dtypeName) else {
                throw CheckpointError("\(name): tensor \(key) is \(dtypeName); the dtypes read are "
                    + DataType.allCases.map(\.rawValue).joined(separator: ", ") + " (converted to 32-bit float)")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw CheckpointError("\(name): tensor \(key) has a negative size in \(shape)") }
            var count = 1
            for size in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow else {
                    throw CheckpointError("\(name): tensor \(key) has shape \(shape), too many elements to count; the file is corrupt")
                }
                count = product
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.size)
            let (begin, end) = (offsets[0], offsets[1])
            guard !overflow, begin >= 0, end >= begin, end <= dataLength, end - begin == byteCount else {
                throw CheckpointError("\(name): tensor \(key) of shape \(shape) and dtype \(dtype.rawValue) needs "
                    + "\(overflow ? "more" : "\(byteCount)") bytes but its data_offsets are "
                    + "[\(begin), \(end)] in \(dataLength) bytes of data; the file is truncated or corrupt")
            }
            let values = Self.floats(bytes, at: dataStart + begin, count: count, as: dtype)
            entries.append((key, begin, Tensor(shape: shape, data: values)))
        }
        // In file order, as they were written.
        tensors = entries.sorted { $0.begin < $1.begin }.map { ($0.name, $0.tensor) }
        self.metadata = metadata
    }
}
