import Foundation

/// Safetensors files built by hand, byte by byte, for the reader's tests: any dtype, any offsets.
enum SafetensorsBytes {
    struct Entry {
        var name: String
        var dtype: String
        var shape: [Int]
        var data: [UInt8]
        /// nil: right after the previous entry's data, as a well-formed file has them.
        var offsets: [Int]?
    }

    /// The 8-byte length, the JSON header padded with spaces to an 8-byte boundary, then each entry's bytes.
    static func file(_ entries: [Entry], metadata: [String: String] = [:]) throws -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for entry in entries {
            header[entry.name] = ["dtype": entry.dtype, "shape": entry.shape,
                                  "data_offsets": entry.offsets ?? [offset, offset + entry.data.count]] as [String: Any]
            offset += entry.data.count
        }
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + json + entries.flatMap(\.data)
    }

    /// Little-endian bytes of 16-bit patterns (F16 or BF16).
    static func bytes(_ patterns: [UInt16]) -> [UInt8] {
        patterns.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    /// Little-endian bytes of doubles (F64).
    static func bytes(_ values: [Double]) -> [UInt8] {
        values.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } }
    }
}
