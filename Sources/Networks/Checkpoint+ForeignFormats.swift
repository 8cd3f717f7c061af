import Foundation

extension Checkpoint {
    /// What a safetensors file looks like, for messages about files that are not one.
    static let expectedLayout = "a safetensors file starts with its header's length in 8 bytes (little-endian), "
        + "then that JSON header from \"{\" (each tensor's dtype, shape and data_offsets), then the tensors' data"

    /// True when the bytes start as a safetensors file does: a header length that fits in the file,
    /// and the header opening with "{". Such a file is never taken for another format.
    static func startsLikeSafetensors(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 9 else { return false }
        let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return headerLength <= UInt64(bytes.count - 8) && bytes[8] == UInt8(ascii: "{")
    }

    /// A message naming the format of a file that is not safetensors, when its first bytes say what it
    /// is: a PyTorch `.pt`/`.pth` (with the command that converts it), another zip or pickle, an
    /// image, HDF5, NumPy, gzip or text. Nil when they say nothing (the caller's checks then explain).
    static func foreignFormatMessage(_ bytes: [UInt8], name: String) -> String? {
        func starts(with signature: [UInt8]) -> Bool { bytes.starts(with: signature) }
        if starts(with: [0x50, 0x4B, 0x03, 0x04]) {  // "PK\3\4": a zip archive's first local file header
            let entry = firstZipEntryName(bytes)
            // torch.save writes .../data.pkl first; the central directory at the end lists it too.
            let pickle = Array("data.pkl".utf8)
            if let entry, entry.hasSuffix("data.pkl") {
                return "\(name): is a PyTorch checkpoint (the zip archive torch.save writes, holding \(entry)), "
                    + "not safetensors. " + conversionAdvice(name: name)
            }
            if bytes.suffix(1 << 20).firstRange(of: pickle) != nil {
                return "\(name): is a PyTorch checkpoint (the zip archive torch.save writes, holding a data.pkl), "
                    + "not safetensors. " + conversionAdvice(name: name)
            }
            return "\(name): is a zip archive (\(entry.map { "its first entry is \($0)" } ?? "cut short"); a PyTorch "
                + "checkpoint's is .../data.pkl), not safetensors; \(expectedLayout)"
        }
        if bytes.count >= 2 && bytes[0] == 0x80 && (2...5).contains(bytes[1]) {
            return "\(name): is a Python pickle (protocol \(bytes[1])), as PyTorch's torch.save wrote before version 1.6 "
                + "(a legacy .pt/.pth), not safetensors. " + conversionAdvice(name: name)
        }
        let images: [(signature: [UInt8], what: String)] = [
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG image"),
            ([0xFF, 0xD8, 0xFF], "a JPEG image"),
            (Array("GIF8".utf8), "a GIF image"),
            ([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A], "an HDF5 file (as Keras writes .h5)"),
            ([0x93] + Array("NUMPY".utf8), "a NumPy .npy array"),
            ([0x1F, 0x8B], "gzip-compressed (decompress it first if a safetensors file is inside)"),
        ]
        if let known = images.first(where: { starts(with: $0.signature) }) {
            return "\(name): is \(known.what), not a safetensors checkpoint; \(expectedLayout)"
        }
        let opening = bytes.prefix(64)
        if !opening.isEmpty && opening.allSatisfy({ (0x20...0x7E).contains($0) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            let shown = String(decoding: opening.prefix(24), as: UTF8.self)
                .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
            return "\(name): is text (it starts \"\(shown)\(opening.count > 24 ? "..." : "")\"), not a safetensors "
                + "checkpoint; \(expectedLayout)"
        }
        return nil
    }

    /// The one-line Python that converts a PyTorch checkpoint to safetensors, with what to change
    /// when `torch.load` gives a whole model or a dict that wraps the weights.
    static func conversionAdvice(name: String) -> String {
        var input = "IN.pt", output = "OUT.safetensors"
        if !name.contains("'") && !name.contains("\"") && !name.contains("\\") {
            input = name
            let suffixes = [".pt", ".pth", ".bin", ".ckpt", ".tar"]
            let stem = suffixes.first(where: { name.hasSuffix($0) }).map { String(name.dropLast($0.count)) } ?? name
            output = stem + ".safetensors"
        }
        return "Convert it once with PyTorch and safetensors (pip install torch safetensors):\n"
            + "  python -c \"import torch; from safetensors.torch import save_file; "
            + "save_file(torch.load('\(input)', map_location='cpu'), '\(output)')\"\n"
            + "then give \(output). If torch.load returns a whole model, save its .state_dict(); if a dict that "
            + "holds the weights under 'state_dict' (as training scripts often save), save torch.load(...)['state_dict']."
    }

    /// The name of a zip archive's first entry, from its local file header (name length at byte 26,
    /// the name from byte 30); nil when the header is cut short.
    private static func firstZipEntryName(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 30 else { return nil }
        let length = Int(bytes[26]) | Int(bytes[27]) << 8
        guard length > 0, bytes.count >= 30 + length else { return nil }
        return String(decoding: bytes[30..<(30 + length)], as: UTF8.self)
    }
}
