import Foundation
import Testing
@testable import Networks

@Suite("PyTorch export: a module whose state dict has the engine's names")
struct PyTorchExportTests {
    @Test func lenet5IsASequentialOfTorchLayers() throws {
        let text = try PyTorchExport.source(for: try #require(BuiltInArchitecture.named("lenet5")).spec)
        #expect(text.contains("""
                    self.layers = nn.Sequential(
                        nn.Conv2d(1, 6, kernel_size=5, padding=2),  # 1
                        nn.ReLU(),  # 2
                        nn.MaxPool2d(2, stride=2),  # 3
                        nn.Conv2d(6, 16, kernel_size=5),  # 4
                        nn.ReLU(),  # 5
                        nn.MaxPool2d(2, stride=2),  # 6
                        nn.Flatten(),  # 7
                        nn.Linear(400, 120),  # 8
                        nn.ReLU(),  # 9
                        nn.Linear(120, 84),  # 10
                        nn.ReLU(),  # 11
                        nn.Linear(84, 10),  # 12
                    )
            """))
        #expect(text.contains("class Lenet5(nn.Module):") && text.contains("61,706 parameters"))
        // Only the helpers the spec needs, and the training script under torchrun.
        #expect(!text.contains("class Residual") && !text.contains("class FlatLinear"))
        #expect(text.contains("nn.parallel.DistributedDataParallel(model)") && text.contains("if __name__ == \"__main__\":"))
    }

    @Test func blocksKeepTheEnginesNames() throws {
        let resnet = try PyTorchExport.source(for: try #require(BuiltInArchitecture.named("resnet-mini")).spec)
        // The engine's layers.5.shortcut.0.weight and layers.5.body.0.weight live in Residual's body and shortcut.
        #expect(resnet.contains("class Residual(nn.Module):") && resnet.contains("self.shortcut = shortcut"))
        #expect(resnet.contains("shortcut=nn.Sequential(\n                    nn.Conv2d(16, 32, kernel_size=1, stride=2, bias=False),  # 6.shortcut.1"))
        #expect(resnet.contains("nn.BatchNorm2d(16, eps=1e-05, momentum=0.1),  # 2"))
        #expect(resnet.contains("shortcut=nn.Sequential())"), "the identity shortcut of the first block")
        let network = try Network(spec: try #require(BuiltInArchitecture.named("resnet-mini")).spec, seed: 0)
        #expect(network.parameterNames.contains("layers.5.shortcut.0.weight") && network.parameterNames.contains("layers.5.body.0.weight"))
        let inception = try PyTorchExport.source(for: try #require(BuiltInArchitecture.named("inception-mini")).spec)
        #expect(inception.contains("class Branches(nn.Module):") && inception.contains("Branches(["))
        // A linear layer after maps flattens them itself, so no module shifts the numbering.
        #expect(inception.contains("nn.AdaptiveAvgPool2d(1),  # 7") && inception.contains("FlatLinear(80, 10),  # 8"))
    }

    @Test func theZooExportsToo() throws {
        let googlenet = try PyTorchExport.source(for: try #require(ModelZoo.spec(named: "googlenet")))
        #expect(googlenet.contains("ceil_mode=True") && googlenet.contains("eps=0.001"))
        let efficientnet = try PyTorchExport.source(for: try #require(ModelZoo.spec(named: "efficientnet_b0")))
        #expect(efficientnet.contains("class SqueezeExcite(nn.Module):") && efficientnet.contains("nn.SiLU()"))
    }

    @Test func everyExportIsPythonThatParses() throws {
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileManager.default.isExecutableFile) else {
            print("note: no python3 here; the exports' syntax is not checked")
            return
        }
        let folder = NSTemporaryDirectory() + "convtutor-export-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var specs = try BuiltInArchitecture.all.map { try $0.spec }
        specs += ModelZoo.names.compactMap { ModelZoo.spec(named: $0) }
        for spec in specs {
            let path = folder + "/\(spec.name).py"
            try PyTorchExport.source(for: spec).write(toFile: path, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", path]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(spec.name)'s export does not parse as Python")
        }
    }
}
