import ArgumentParser
import Foundation
import Networks
import Testing
@testable import ConvTutorCommands

@Suite("convtutor model: --arch, --input and --json")
struct ModelCommandTests {
    func summary(_ arguments: [String]) throws -> NetworkSummary {
        try ModelCommand.parse(arguments).requestedSummary()
    }

    @Test("--arch takes every zoo name and lenet5, at its own input unless --input gives another")
    func architectures() throws {
        for name in ModelZoo.names {
            let summary = try summary(["--arch", name])
            #expect(summary.name == name && summary.input.description == "3x224x224" && summary.output == .flat(1000))
        }
        #expect(try summary(["--arch", "lenet5"]).parameters == 61_706)
        #expect(try summary(["--json"]).name == "lenet5")
        let small = try summary(["--arch", "resnet18", "--input", "3,64,64"])
        #expect(small.input.description == "3x64x64" && small.parameters == 11_689_512)
        #expect(small.rows.last { $0.kind == "residual" }?.outputShape.description == "512x2x2")
    }

    @Test("the text table: a row per layer, a block's layers indented under it, digits grouped, the totals")
    func textTable() throws {
        let lines = ModelTable.text(try summary(["--arch", "resnet18"]))
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "resnet18: 3x224x224 in, 1000 scores out" && lines[1].isEmpty)
        #expect(lines[2].split(separator: " ", omittingEmptySubsequences: true)
                    == ["layer", "kind", "output", "shape", "parameters", "multiply-adds"])
        let conv = try #require(lines.first { $0.hasPrefix("1 ") })
        #expect(conv.split(separator: " ") == ["1", "conv", "64x112x112", "9,408", "118,013,952"])
        // The block's own row, then its first layer two spaces further in, under the same columns.
        let block = try #require(lines.firstIndex { $0.hasPrefix("5 ") })
        #expect(lines[block].split(separator: " ") == ["5", "residual", "64x56x56", "73,984", "231,211,008"])
        let kindColumn = try #require(lines[block].range(of: "residual")).lowerBound.utf16Offset(in: lines[block])
        #expect(try #require(lines[block + 1].range(of: "conv")).lowerBound.utf16Offset(in: lines[block + 1]) == kindColumn + 2)
        #expect(lines.contains { $0.split(separator: " ") == ["total", "11,689,512", "1,814,073,344"] })
        #expect(lines.last == "Parameters: 11,689,512 (46,758,048 bytes as 32-bit floats). "
                    + "Multiply-adds per image, forward: 1,814,073,344.")
    }

    @Test("--json: name, input, totals and every layer with its label, kind, shape and counts")
    func json() throws {
        let summary = try summary(["--arch", "googlenet", "--json"])
        let text = ModelTable.json(summary)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "googlenet")
        #expect(object["input"] as? [Int] == [3, 224, 224])
        #expect(object["parameters"] as? Int == 6_624_904)
        #expect(object["multiply_adds"] as? Int == summary.multiplyAdds)
        let layers = try #require(object["layers"] as? [[String: Any]])
        #expect(layers.count == summary.rows.count)
        // The stem is conv, batch norm, ReLU (1-3), max pool (4), twice more a convolution (5-10),
        // max pool (11): Inception 3a is layer 12.
        let inception = try #require(layers.first { $0["name"] as? String == "12" })
        #expect(inception["kind"] as? String == "branches" && inception["output_shape"] as? [Int] == [256, 28, 28])
        #expect(layers.filter { ($0["name"] as? String)?.contains(".") == false }
                    .reduce(0) { $0 + ($1["parameters"] as? Int ?? 0) } == 6_624_904)
    }

    static let badInputs = ["3,224", "3,224,224,1", "3,0,224", "-3,4,4", "3,x,224", "3,4,4,", "3,,224", "3.5,224,224"]

    @Test("--input takes three positive integers; anything else is a usage error naming the flag", arguments: badInputs)
    func badInput(_ input: String) throws {
        // Joined with '=': swift-argument-parser would read a separate "-3,4,4" as a flag.
        try CommandLineOutcome.of(["model", "--arch", "resnet18", "--input=" + input])
            .expectUsageError(saying: "--input: '\(input)' is not three positive integers; give channels,height,width")
    }

    @Test("an architecture the zoo does not have fails (status 1) with the names there are")
    func unknownArchitecture() throws {
        let outcome = try CommandLineOutcome.of(["model", "--arch", "resnet34"])
        #expect(outcome.status == ExitStatus.failure && !outcome.toStandardOutput, "\(outcome)")
        #expect(outcome.message.contains("there is no architecture called 'resnet34'"), "\(outcome)")
        #expect(outcome.message.contains(BuiltInArchitecture.all.map(\.name).joined(separator: ", ")), "\(outcome)")
        #expect(outcome.message.contains(ModelZoo.names.joined(separator: ", ")), "\(outcome)")
    }

    @Test("a spec file: its table; a spec that cannot be a network fails (status 1) naming the file, the layer and the rule")
    func specFiles() throws {
        let folder = NSTemporaryDirectory() + "convtutor-model-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let good = folder + "/tiny.toml"
        try """
            name = "tiny"
            input = [1, 28, 28]
            classes = 10
            [[layer]]
            kind = "conv"
            out = 8
            kernel = 3
            padding = 1
            [[layer]]
            kind = "gap"
            [[layer]]
            kind = "linear"
            out = 10
            """.write(toFile: good, atomically: true, encoding: .utf8)
        // conv 1 -> 8, 3x3: 80; linear 8 -> 10: 90.
        #expect(try summary(["--arch", good]).parameters == 170)
        let bad = folder + "/bad.toml"
        try "input = [1, 28, 28]\nclasses = 10\n[[layer]]\nkind = \"linear\"\nout = 12\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try CommandLineOutcome.of(["model", "--arch", bad])
        #expect(refused.status == ExitStatus.failure, "\(refused)")
        #expect(refused.message.contains("\(bad): layer 1 (linear): gives 12 outputs (12) but the network has 10 classes"),
                "\(refused)")
        let missing = try CommandLineOutcome.of(["model", "--arch", folder + "/missing.toml"])
        #expect(missing.status == ExitStatus.failure && missing.message.contains("missing.toml: cannot be read"), "\(missing)")
        #expect(try summary(["--arch", "resnet-mini"]).rows.contains { $0.kind == "residual" })
        // --toml prints a spec to copy and change: written to a file, it is the same network.
        let command = try ModelCommand.parse(["--arch", "resnet-mini", "--toml"])
        #expect(command.toml)
        let copy = folder + "/copy.toml"
        try #require(BuiltInArchitecture.named("resnet-mini")).spec.toml.write(toFile: copy, atomically: true, encoding: .utf8)
        #expect(try summary(["--arch", copy]) == summary(["--arch", "resnet-mini"]))
        try CommandLineOutcome.of(["model", "--toml", "--json"]).expectUsageError(saying: "--toml and --json")
    }

    @Test("an input too small for the network fails (status 1) naming the layer that cannot take it")
    func inputTooSmall() throws {
        let outcome = try CommandLineOutcome.of(["model", "--arch", "alexnet", "--input", "3,32,32"])
        #expect(outcome.status == ExitStatus.failure && !outcome.toStandardOutput, "\(outcome)")
        #expect(outcome.message.hasPrefix("convtutor model: alexnet on 3x32x32: layer 13 (maxpool): cannot take the 1x1 maps"),
                "\(outcome)")
    }

    @Test("--variant belongs to LeNet-5")
    func variantWithZoo() throws {
        try CommandLineOutcome.of(["model", "--arch", "alexnet", "--variant", "classic"])
            .expectUsageError(saying: "--variant is LeNet-5's")
        #expect(try summary(["--arch", "lenet5", "--variant", "classic"]).rows.contains { $0.kind == "avgpool" })
    }
}
