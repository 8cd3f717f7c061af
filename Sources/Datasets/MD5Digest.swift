#if canImport(CryptoKit)
import CryptoKit
#elseif canImport(CCrypto)
import CCrypto
#endif

/// An MD5 checksum computed a part at a time, for checking downloaded files against published
/// sums (not for anything that needs a secure hash). CryptoKit's `Insecure.MD5` on Apple
/// platforms; the system's libcrypto (OpenSSL's EVP digest API) on Linux.
///
///     var digest = MD5Digest()
///     digest.update(firstPart)
///     digest.update(secondPart)
///     let hex = digest.finalize().hexDigits   // 32 lowercase hex digits
struct MD5Digest: ~Copyable {
    #if canImport(CryptoKit)
    private var hasher = Insecure.MD5()
    #else
    private let context: OpaquePointer

    init() {
        // Fails only when memory runs out or libcrypto cannot provide MD5 at all (a FIPS-only
        // configuration): nothing the program could recover from.
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("libcrypto: EVP_MD_CTX_new failed") }
        guard EVP_DigestInit_ex(context, EVP_md5(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            preconditionFailure("libcrypto: MD5 is unavailable (EVP_DigestInit_ex failed)")
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }
    #endif

    /// Adds the bytes to the checksum; the parts may be of any size, empty too.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        #if canImport(CryptoKit)
        hasher.update(bufferPointer: UnsafeRawBufferPointer(start: base, count: bytes.count))
        #else
        guard EVP_DigestUpdate(context, base, bytes.count) == 1 else {
            preconditionFailure("libcrypto: EVP_DigestUpdate failed")
        }
        #endif
    }

    /// Adds the bytes to the checksum.
    mutating func update(_ bytes: some Collection<UInt8>) {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        let copy = Array(bytes)
        copy.withUnsafeBytes { update($0) }
    }

    /// The 16 bytes of the checksum of everything added; the digest is used up.
    consuming func finalize() -> Checksum {
        #if canImport(CryptoKit)
        return Checksum(bytes: Array(hasher.finalize()))
        #else
        var bytes = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &bytes, &length) == 1, length == 16 else {
            preconditionFailure("libcrypto: EVP_DigestFinal_ex failed or gave \(length) bytes, not 16")
        }
        return Checksum(bytes: Array(bytes.prefix(16)))
        #endif
    }

    /// The MD5 of `bytes` in one call.
    static func checksum(of bytes: some Collection<UInt8>) -> Checksum {
        var digest = MD5Digest()
        digest.update(bytes)
        return digest.finalize()
    }

    /// An MD5 checksum: 16 bytes.
    struct Checksum: Equatable, Sendable {
        let bytes: [UInt8]

        /// The 32 lowercase hex digits torchvision and `md5sum` print.
        var hexDigits: String {
            let digits = Array("0123456789abcdef")
            var text = ""
            text.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 15)])
            }
            return text
        }
    }
}
