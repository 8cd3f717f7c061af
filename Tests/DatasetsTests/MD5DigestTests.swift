import Foundation
import Testing
@testable import Datasets

/// MD5 through the system's crypto library (libcrypto on Linux, CryptoKit on macOS), checked against
/// RFC 1321's test suite (appendix A.5) and against itself when fed in parts.
@Suite("MD5 digest")
struct MD5DigestTests {
    static let rfc1321Suite: [(message: String, hex: String)] = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
    ]

    @Test("RFC 1321's test suite, in one call", arguments: rfc1321Suite.indices)
    func rfc1321(index: Int) {
        let (message, hex) = Self.rfc1321Suite[index]
        #expect(MD5Digest.checksum(of: Array(message.utf8)).hexDigits == hex)
    }

    @Test("the checksum is 16 bytes, printed as 32 lowercase hex digits")
    func checksumShape() {
        let checksum = MD5Digest.checksum(of: Array("abc".utf8))
        #expect(checksum.bytes.count == 16)
        #expect(checksum.bytes.first == 0x90 && checksum.bytes.last == 0x72)
    }

    @Test("RFC 1321's test suite fed a byte at a time, with empty parts between")
    func byteAtATime() {
        for (message, hex) in Self.rfc1321Suite {
            var digest = MD5Digest()
            for byte in message.utf8 {
                digest.update([byte])
                digest.update([UInt8]())
            }
            #expect(digest.finalize().hexDigits == hex, "\(message)")
        }
    }

    /// Bytes that are not periodic in 64 (MD5's block size), so a part boundary landing anywhere matters.
    private static func bytes(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251) }
    }

    @Test("parts that split MD5's 64-byte blocks anywhere give the checksum of the whole",
          arguments: [1, 3, 55, 56, 63, 64, 65, 127, 128, 1000, 4096])
    func partsAcrossBlockBoundaries(partSize: Int) {
        let whole = Self.bytes(count: 10_000)
        let expected = MD5Digest.checksum(of: whole)
        var digest = MD5Digest()
        var start = 0
        while start < whole.count {
            let end = min(start + partSize, whole.count)
            whole[start..<end].withUnsafeBytes { digest.update($0) }
            start = end
        }
        #expect(digest.finalize() == expected)
    }

    @Test("a file read in 1 MiB parts has the same checksum as its bytes in one call")
    func fileAcrossReadBoundary() throws {
        // Longer than the 1 MiB read buffer, so the file is hashed in two parts.
        let bytes = Self.bytes(count: (1 << 20) + 12_345)
        let path = NSTemporaryDirectory() + "convtutor-md5-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try PartFile.md5(ofFileAt: path) == MD5Digest.checksum(of: bytes).hexDigits)
    }

    @Test("a known large input: a million 'a's (a widely published MD5)")
    func millionAs() {
        var digest = MD5Digest()
        let part = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { digest.update(part) }
        #expect(digest.finalize().hexDigits == "7707d6ae4e027c70eea2a935c2296f21")
    }
}
