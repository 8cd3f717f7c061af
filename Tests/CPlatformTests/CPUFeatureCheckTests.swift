import CPlatform
import Testing

/// The start-up check main.swift runs before anything else (see cpu_features.h).
@Suite("CPU feature check")
struct CPUFeatureCheckTests {
    private func message(for missing: UInt32, size: Int = 512) -> (text: String, needed: Int) {
        var buffer = [CChar](repeating: 0x7f, count: size)
        let needed = convtutor_cpu_requirement_message(missing, &buffer, buffer.count)
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return (String(decoding: bytes, as: UTF8.self), needed)
    }

    @Test("this machine runs these tests, so it has every extension this build was compiled for")
    func nothingMissingHere() {
        // Were one missing, this test binary (compiled like the program) could not get here reliably;
        // a portable build or another architecture requires none.
        let missing = convtutor_cpu_features_required() & ~convtutor_cpu_features_present()
        #expect(missing == 0)
    }

    @Test("a build requires all of x86-64-v3's extensions or none")
    func requiredIsAllOrNothing() {
        let required = convtutor_cpu_features_required()
        #expect(required == 0 || required == UInt32(CONVTUTOR_CPU_ALL_FEATURES))
        #if !arch(x86_64)
        #expect(required == 0)
        #endif
    }

    @Test("the present extensions are a subset of the ones checked")
    func presentWithinKnownBits() {
        #expect(convtutor_cpu_features_present() & ~UInt32(CONVTUTOR_CPU_ALL_FEATURES) == 0)
    }

    @Test("nothing missing gives an empty message")
    func emptyMessage() {
        let result = message(for: 0)
        #expect(result.text == "")
        #expect(result.needed == 0)
    }

    @Test("the message names what is missing, in order, and how to build for any x86-64 CPU")
    func namesMissingFeatures() {
        let result = message(for: UInt32(CONVTUTOR_CPU_FMA | CONVTUTOR_CPU_AVX2))
        let expected = "convtutor: this build needs a CPU with AVX2 and FMA (x86-64-v3, 2013 or later); "
            + "this CPU lacks AVX2, FMA. Build for any x86-64 CPU with: CONVTUTOR_PORTABLE=1 swift build -c release"
        #expect(result.text == expected)
        #expect(result.needed == expected.utf8.count)
        let all = message(for: UInt32(CONVTUTOR_CPU_ALL_FEATURES)).text
        #expect(all.contains("this CPU lacks AVX2, FMA, BMI1, BMI2, F16C, LZCNT, MOVBE. Build"))
    }

    @Test("a buffer too small is cut and terminated, and the needed length still returned")
    func truncates() {
        let full = message(for: UInt32(CONVTUTOR_CPU_AVX2))
        let short = message(for: UInt32(CONVTUTOR_CPU_AVX2), size: 11)
        #expect(short.text == "convtutor:")
        #expect(short.needed == full.needed)
    }
}
