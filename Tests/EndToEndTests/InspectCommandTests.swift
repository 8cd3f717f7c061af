import Foundation
import Imaging
import Networks
import Testing

extension EndToEnd {
    /// `convtutor inspect` run as a user runs it: plain text (also what it prints when the output is not
    /// a terminal), JSON, a checkpoint given with --model, and every bad file of the
    /// issue (exit 1, the file and the problem on standard error, nothing on standard output, no crash
    /// and no hang). Bad flags are checked in-process (ConvTutorCommandsTests' CommandLineTests).
    @Suite("End to end: convtutor inspect")
    struct InspectCommandTests {
        /// A fresh folder for one test's files.
        static func scratch() throws -> URL {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convtutor-inspect-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return folder
        }

        static func write(_ bytes: [UInt8], _ name: String, in folder: URL) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }

        /// A handwritten-looking 7 (a top bar and a slanted stroke), dark on light paper, `size` px.
        static func seven(size: Int = 80) -> [UInt8] {
            let scale = Float(size) / 80
            let strokes: [(SIMD2<Float>, SIMD2<Float>)] = [
                (SIMD2(22, 16), SIMD2(58, 16)),
                (SIMD2(58, 16), SIMD2(34, 66)),
            ].map { ($0.0 * scale, $0.1 * scale) }
            let radius = 4.5 * scale
            return (0..<(size * size)).map { index in
                let point = SIMD2(Float(index % size), Float(index / size))
                let distance = strokes.map { segmentDistance(point, $0.0, $0.1) }.min() ?? .infinity
                let ink = min(1, max(0, radius + 0.5 - distance))
                return UInt8((235 - 200 * ink).rounded())
            }
        }

        private static func segmentDistance(_ p: SIMD2<Float>, _ a: SIMD2<Float>, _ b: SIMD2<Float>) -> Float {
            let ab = b - a
            let t = min(1, max(0, ((p - a) * ab).sum() / (ab * ab).sum()))
            let d = p - (a + t * ab)
            return (d * d).sum().squareRoot()
        }

        /// An 8-bit grey PGM (P5) of `pixels`.
        static func pgm(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
            Array("P5\n\(width) \(height)\n255\n".utf8) + pixels
        }

        // MARK: Good runs

        @Test("--plain: the image, the model, the prediction, the probabilities, every step and layer")
        func plain() async throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = try Self.write(PNGBytes.gray(width: 80, height: 80, pixels: Self.seven()), "seven.png", in: folder)
            let run = try await ConvTutorRun.of(["inspect", path, "--plain"])
            run.expectSuccess()
            let lines = run.outputLines
            #expect(lines.first == "Image: \(path) (PNG, 8-bit grey, 80x80)", "\(run)")
            #expect(lines.count > 2 && lines[1] == "Model: pretrained LeNet-5 (modern, 99.16% on MNIST test)", "\(run)")
            #expect(lines.count > 3 && lines[2].hasPrefix("Prediction: 7 ("), "\(run)")
            for part in ["Probabilities", "2. inverted: dark ink", "6. centred by mass in 28x28", "1 conv 6@5x5 + 2 relu: 6 maps of 28x28",
                         "6 maxpool 2x2: 16 maps of 5x5", "10 linear 84 + 11 relu: 84 values", "12 linear 10 (logits): 10 values",
                         "digit 7"] {
                #expect(run.standardOutput.contains(part), "no \(part): \(run)")
            }

            // Without a terminal and without --plain, the same text.
            let piped = try await ConvTutorRun.of(["inspect", path])
            piped.expectSuccess()
            #expect(piped.standardOutput == run.standardOutput)

            let ascii = try await ConvTutorRun.of(["inspect", path, "--plain", "--ascii", "--numbers"])
            ascii.expectSuccess()
            #expect(ascii.standardOutput.unicodeScalars.allSatisfy { $0.isASCII })
            #expect(ascii.standardOutput.contains("1 conv map 6 values:"))
        }

        @Test("--json: the prediction, the preprocessing and every layer's values")
        func json() async throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = try Self.write(Self.pgm(width: 80, height: 80, pixels: Self.seven()), "seven.pgm", in: folder)
            let run = try await ConvTutorRun.of(["inspect", path, "--json"])
            run.expectSuccess()
            let object = try run.jsonObject()
            #expect(object["prediction"] as? Int == 7, "\(run)")
            #expect(object["format"] as? String != nil)
            #expect((object["probabilities"] as? [Double])?.count == 10)
            let preprocessing = try #require(object["preprocessing"] as? [String: Any])
            #expect(preprocessing["inverted"] as? Bool == true)
            let layers = try #require(object["layers"] as? [[String: Any]])
            #expect(layers.map { $0["shape"] as? [Int] ?? [] } == [[1, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 5, 5],
                                                                   [120], [84], [10]])
        }

        @Test("--model takes a checkpoint and names it with what its metadata says")
        func model() async throws {
            let binary = try ConvTutorBinary.url()
            let checkpoint = binary.deletingLastPathComponent()
                .appendingPathComponent("ConvTutor_Networks.resources/lenet5-mnist.safetensors").path
            try #require(FileManager.default.fileExists(atPath: checkpoint), "no pretrained model at \(checkpoint)")
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = try Self.write(Self.pgm(width: 80, height: 80, pixels: Self.seven()), "seven.pgm", in: folder)
            let run = try await ConvTutorRun.of(["inspect", path, "--plain", "--model", checkpoint])
            run.expectSuccess()
            #expect(run.outputLines.count > 1
                    && run.outputLines[1] == "Model: \(checkpoint) (LeNet-5 modern, 10 epochs on MNIST, 99.16% test accuracy)", "\(run)")
        }

        // MARK: Bad files

        /// The bad files of the issue, each with words its message must hold (any one of each group).
        static func badFiles(in folder: URL) throws -> [(path: String, expected: [[String]])] {
            let good = PNGBytes.gray(width: 32, height: 32, pixels: [UInt8](repeating: 200, count: 1024))
            let idat = PNGBytes.chunkOffset(good, type: "IDAT") ?? 0
            var flippedData = good
            flippedData[idat + 8 + 4] ^= 0xFF
            var flippedCRC = good
            flippedCRC[PNGBytes.chunkOffset(good, type: "IEND").map { $0 - 1 } ?? 0] ^= 0x01
            let folderPath = folder.appendingPathComponent("a folder.png").path
            try FileManager.default.createDirectory(atPath: folderPath, withIntermediateDirectories: true)
            return [
                (folder.appendingPathComponent("missing.png").path, [["no such file", "not found", "does not exist"]]),
                (folderPath, [["folder", "directory"]]),
                (try write([], "empty.png", in: folder), [["empty"]]),
                (try write(Array("hello, this is text\n".utf8), "text.png", in: folder), [["not a", "not supported", "unsupported"], ["png"]]),
                (try write(Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 20), "anim.gif", in: folder), [["gif", "not a", "not supported", "unsupported"]]),
                (try write(Array(good[..<(idat + 20)]), "truncated.png", in: folder), [["truncated", "corrupt", "ends", "damaged"]]),
                (try write(flippedData, "flipped-idat.png", in: folder), [["corrupt", "crc", "damaged", "checksum", "invalid"]]),
                (try write(flippedCRC, "flipped-crc.png", in: folder), [["corrupt", "crc", "damaged", "checksum", "invalid"]]),
                (try write(PNGBytes.header(width: 0, height: 32), "zero.png", in: folder), [["0x32", "zero"]]),
                (try write(Self.pgm(width: 0, height: 0, pixels: []), "zero.pgm", in: folder), [["0x0", "zero"]]),
                (try write(PNGBytes.header(width: 40000, height: 40000), "huge.png", in: folder), [["40000x40000"], ["limit"]]),
                (try write(Array("P5\n40000 40000\n255\n".utf8), "huge.pgm", in: folder), [["40000x40000"], ["limit"]]),
                (try write([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xDB, 0x00],
                           "truncated.jpg", in: folder), [["truncated", "corrupt", "ends", "damaged", "jpeg"]]),
                (try write(Self.pgm(width: 40, height: 30, pixels: [UInt8](repeating: 237, count: 1200)), "blank.pgm", in: folder),
                 [["blank"], ["no digit"]]),
            ]
        }

        @Test("every bad file: exit 1, its name and the problem on standard error, no crash, no hang")
        func badFiles() async throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            for (path, expected) in try Self.badFiles(in: folder) {
                let run = try await ConvTutorRun.of(["inspect", path, "--plain"])
                #expect(run.exitStatus == 1, "\(run)")
                #expect(run.standardOutput.isEmpty, "\(run)")
                #expect(run.standardError.hasPrefix("convtutor inspect: \(path): "), "\(run)")
                let message = run.standardError.lowercased()
                for group in expected {
                    #expect(group.contains { message.contains($0) }, "\(path): expected one of \(group): \(run)")
                }
            }
        }

        @Test("--model with a resnet-mini checkpoint: plain text and JSON show its blocks; a colour network is refused")
        func otherNetworks() async throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let image = try Self.write(Self.pgm(width: 80, height: 80, pixels: Self.seven()), "seven.pgm", in: folder)
            let spec = try #require(BuiltInArchitecture.named("resnet-mini")).spec
            let checkpoint = folder.appendingPathComponent("resnet.safetensors").path
            try Network(spec: spec, seed: 1).checkpoint(metadata: ["normalization_mean": "0.1307", "normalization_std": "0.3081"])
                .write(to: checkpoint)
            let plain = try await ConvTutorRun.of(["inspect", image, "--plain", "--model", checkpoint])
            plain.expectSuccess()
            #expect(plain.outputLines.count > 1 && plain.outputLines[1] == "Model: \(checkpoint) (resnet-mini)", "\(plain)")
            for part in ["1 conv 16@3x3 + 2 batchnorm + 3 relu: 16 maps of 28x28", "4 residual + 5 relu: 16 maps of 28x28",
                         "8 residual + 9 relu: 64 maps of 7x7", "10 gap: 64 values (64 maps of 1x1)",
                         "11 linear 10 (logits): 10 values", "digit 9"] {
                #expect(plain.standardOutput.contains(part), "no \(part): \(plain)")
            }
            let json = try await ConvTutorRun.of(["inspect", image, "--json", "--model", checkpoint])
            json.expectSuccess()
            let object = try json.jsonObject()
            #expect(object["architecture"] as? String == "resnet-mini" && object["variant"] is NSNull, "\(json)")
            let layers = try #require(object["layers"] as? [[String: Any]])
            #expect(layers.map { $0["name"] as? String ?? "" } == ["input", "1 conv", "4 residual", "6 residual", "8 residual",
                                                                   "10 gap", "11 linear"])
            #expect(layers.map { $0["shape"] as? [Int] ?? [] } == [[1, 28, 28], [16, 28, 28], [16, 28, 28], [32, 14, 14],
                                                                   [64, 7, 7], [64], [10]])
            #expect((object["probabilities"] as? [Double])?.count == 10)

            let colour = NetworkSpec(name: "colour-net", input: .maps(channels: 3, height: 32, width: 32), classes: 10, layers: [
                .conv(LayerSpec.Convolution(out: 4, kernel: 3)), .relu, .globalAvgPool, .flatten,
                .linear(LayerSpec.FullyConnected(out: 10)),
            ])
            let colourPath = folder.appendingPathComponent("colour.safetensors").path
            try Network(spec: colour, seed: 1).checkpoint().write(to: colourPath)
            for format in ["--plain", "--json"] {
                let run = try await ConvTutorRun.of(["inspect", image, format, "--model", colourPath])
                #expect(run.exitStatus == 1 && run.standardOutput.isEmpty, "\(run)")
                #expect(run.standardError.hasPrefix("convtutor inspect: \(colourPath): the network 'colour-net' takes "
                    + "3x32x32 images (3 channels, colour); the inspector reads a grey digit"), "\(run)")
            }
        }

        @Test("a model file that is not a checkpoint: exit 1 naming it")
        func badModels() async throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let image = try Self.write(Self.pgm(width: 80, height: 80, pixels: Self.seven()), "seven.pgm", in: folder)
            let models = [
                try Self.write(Array("not a checkpoint at all\n".utf8), "notes.safetensors", in: folder),
                try Self.write(PNGBytes.gray(width: 4, height: 4, pixels: [UInt8](repeating: 0, count: 16)), "picture.safetensors", in: folder),
                try Self.write([], "empty.safetensors", in: folder),
                folder.appendingPathComponent("missing.safetensors").path,
            ]
            for model in models {
                let run = try await ConvTutorRun.of(["inspect", image, "--plain", "--model", model])
                #expect(run.exitStatus == 1, "\(run)")
                #expect(run.standardOutput.isEmpty, "\(run)")
                #expect(run.standardError.hasPrefix("convtutor inspect: \(model)"), "\(run)")
            }
        }
    }
}

/// Hand-built PNG files: libpng's own format, with stored (uncompressed) deflate blocks, so the
/// tests make good and broken files without an encoder.
enum PNGBytes {
    static func gray(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(pixels.count == width * height, "\(pixels.count) pixels for \(width)x\(height)")
        var raw: [UInt8] = []
        for row in 0..<height { raw.append(0); raw += pixels[(row * width)..<((row + 1) * width)] }
        return header(width: width, height: height) + chunk("IDAT", zlibStored(raw)) + chunk("IEND", [])
    }

    /// The signature and the IHDR chunk (8-bit grey) alone.
    static func header(width: Int, height: Int) -> [UInt8] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        return signature + chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 0, 0, 0, 0])
    }

    /// Where the chunk of `type` starts (its length field).
    static func chunkOffset(_ bytes: [UInt8], type: String) -> Int? {
        var offset = 8
        while offset + 8 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self) == type { return offset }
            offset += 12 + length
        }
        return nil
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(data.count, start + 65535)
            let length = UInt16(end - start)
            out.append(end == data.count ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += data[start..<end]
            start = end
        } while start < data.count
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + bigEndian(b << 16 | a)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
