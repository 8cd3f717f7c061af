#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The few libm functions the kernels use, in one place so no other file needs a platform import.
public enum Math {
    @inline(__always) public static func exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) public static func log(_ x: Float) -> Float { logf(x) }
    @inline(__always) public static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) public static func pow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
    @inline(__always) public static func cos(_ x: Float) -> Float { cosf(x) }
    @inline(__always) public static func exp(_ x: Double) -> Double { libmExp(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { libmLog(x) }
    @inline(__always) public static func cos(_ x: Double) -> Double { libmCos(x) }
    /// `base` to an integer power, as Python's `base ** exponent` computes it (libm's pow).
    @inline(__always) public static func pow(_ base: Double, _ exponent: Int) -> Double { libmPow(base, Double(exponent)) }
}

// Module-qualified names differ per platform; these free functions reach libm's double versions.
@inline(__always) private func libmExp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func libmLog(_ x: Double) -> Double { log(x) }
@inline(__always) private func libmCos(_ x: Double) -> Double { cos(x) }
@inline(__always) private func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
