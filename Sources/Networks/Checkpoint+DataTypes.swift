extension Checkpoint {
    /// The safetensors element types this reader takes. Each becomes a `Float`: F16 and BF16
    /// exactly (every value they hold is a `Float` too), F64 rounded to the nearest `Float`
    /// (beyond Float's range it becomes an infinity, as PyTorch's `.float()` does).
    enum DataType: String, CaseIterable, Sendable {
        case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64"

        /// Bytes per element.
        var size: Int {
            switch self {
            case .f32: 4
            case .f16, .bf16: 2
            case .f64: 8
            }
        }
    }

    /// `count` little-endian values of `type` from `bytes[start...]`, as `Float`.
    /// The caller has checked that `count * type.size` bytes are there.
    static func floats(_ bytes: [UInt8], at start: Int, count: Int, as type: DataType) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            let at = start + type.size * index
            switch type {
            case .f32:
                let bits = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
                values[index] = Float(bitPattern: bits)
            case .f16:
                values[index] = float(fromHalf: UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8)
            case .bf16:
                values[index] = float(fromBFloat16: UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8)
            case .f64:
                var bits: UInt64 = 0
                for byte in (0..<8).reversed() { bits = bits << 8 | UInt64(bytes[at + byte]) }
                values[index] = Float(Double(bitPattern: bits))
            }
        }
        return values
    }

    /// An IEEE 754 half (binary16: 1 sign bit, 5 exponent bits biased by 15, 10 fraction bits) as a
    /// `Float`, exactly:
    ///
    ///     exponent 0        subnormal (or zero): ±fraction × 2^-24
    ///     exponent 1...30   normal: ±(1 + fraction/1024) × 2^(exponent-15); in binary32 the exponent
    ///                       is rebiased by 127-15 = 112 and the fraction shifted up 13 bits
    ///     exponent 31       ±infinity (fraction 0) or NaN (its fraction kept as the top of Float's)
    ///
    /// Written out rather than through `Float16`, which Swift lacks on Intel Macs.
    static func float(fromHalf bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32(bits >> 10) & 0x1F
        let fraction = UInt32(bits) & 0x3FF
        switch exponent {
        case 0:
            // fraction × 2^-24 is exact in Float (at most 10 significant bits).
            let magnitude = Float(fraction) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | fraction << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | fraction << 13)
        }
    }

    /// A bfloat16 (the top 16 bits of a binary32) as a `Float`, exactly.
    static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
