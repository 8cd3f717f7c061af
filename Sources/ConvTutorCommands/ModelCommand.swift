import ArgumentParser
import Training
import Networks
import ConvKernels
import Datasets


/// `convtutor model`: a network's layers, output shapes, parameters and multiply-adds. With no
/// `--arch`, LeNet-5's table as torchsummary prints it; with one, the architecture's spec summary.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Print a network's layers: output shape, parameters and multiply-adds.",
        discussion: """
            Without --arch: LeNet-5. modern: ReLU and max pooling (the default). classic: tanh and \
            average pooling, as in LeCun et al. 1998. Both have 61,706 parameters.

            --arch takes a network spec file (TOML: see the README's "Networks as data"), a built-in \
            architecture that trains here (\(NetworkChoice.builtInList)), or a table of the model zoo, \
            laid out as torchvision builds it, at full size and without weights: \(NetworkChoice.zooList). \
            The zoo's parameter counts are torchvision's; multiply-adds count convolutions and linear \
            layers, for one image. A spec that cannot be a network is refused naming the file, the \
            layer and the rule, exit 1.

            Examples:
              convtutor model
              convtutor model --variant classic
              convtutor model --arch resnet18
              convtutor model --arch resnet18 --input 3,64,64 --json
              convtutor model --arch resnet-mini
              convtutor model --arch my-net.toml
              convtutor model --arch resnet-mini --toml > my-resnet.toml
            """)

    @Option(help: ArgumentHelp("The network: a spec file, a built-in architecture or a zoo table.", valueName: "name|file"))
    var arch: String?

    @Option(help: ArgumentHelp("What one example is, as channels,height,width (default: the network's own, "
                                   + "3,224,224 for the zoo, 1,28,28 for lenet5).", valueName: "c,h,w"))
    var input: String?

    @Flag(help: "Print the table as JSON.")
    var json = false

    @Flag(help: "Print the network's spec as TOML instead of its table: a built-in or zoo network to copy and change.")
    var toml = false

    @Option(help: "Which LeNet-5: modern or classic (default modern).")
    var variant: LeNetVariant?

    static let lenet5 = "lenet5"

    func validate() throws {
        if toml && json { throw ValidationError("--toml and --json each choose the output; give one") }
        if let input { _ = try Self.featureShape(parsing: input) }
        if variant != nil, let arch, arch != Self.lenet5 {
            throw ValidationError("--variant is LeNet-5's; it goes with --arch lenet5 or no --arch")
        }
    }

    /// "3,224,224" as maps of 3 channels, 224x224; anything but three positive integers is refused
    /// with a message naming the flag.
    static func featureShape(parsing text: String) throws(ValidationError) -> FeatureShape {
        let sizes = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0) }
        guard sizes.count == 3, let channels = sizes[0], let height = sizes[1], let width = sizes[2],
              channels >= 1, height >= 1, width >= 1 else {
            throw ValidationError("--input: '\(text)' is not three positive integers; give channels,height,width, e.g. 3,224,224")
        }
        return .maps(channels: channels, height: height, width: width)
    }

    func run() throws {
        if toml {
            var spec = try namedSpec(arch ?? Self.lenet5)
            if let input { spec.input = try Self.featureShape(parsing: input) }
            print(spec.toml, terminator: "")
            return
        }
        guard arch != nil || input != nil || json else {
            try printLeNet5Table(variant: variant ?? .modern)
            return
        }
        let summary = try requestedSummary()
        print(json ? ModelTable.json(summary) : ModelTable.text(summary))
    }

    /// The summary of the network `--arch` names (LeNet-5 when it is not given) taking `--input`,
    /// or a failure naming the layer that cannot take it.
    func requestedSummary() throws -> NetworkSummary {
        let name = arch ?? Self.lenet5
        var spec = try namedSpec(name)
        if let input { spec.input = try Self.featureShape(parsing: input) }
        do {
            return try spec.summary(file: NetworkChoice.isFile(name) ? name : nil)
        } catch {
            throw CommandFailure("convtutor model: \(spec.name) on \(spec.input): \(error)")
        }
    }

    /// The spec `name` stands for (`--variant classic` makes lenet5 the classic one).
    private func namedSpec(_ name: String) throws -> NetworkSpec {
        try NetworkChoice.spec(named: name == Self.lenet5 ? (variant ?? .modern).architecture : name, command: "model")
    }

    /// LeNet-5's table as `convtutor model` has always printed it, under the names lessons quote.
    private func printLeNet5Table(variant: LeNetVariant) throws {
        let summary = try NetworkChoice.spec(named: variant.architecture, command: "model").summary()
        print("LeNet-5 (\(variant.rawValue): \(variant == .classic ? "tanh, average pooling" : "ReLU, max pooling"))")
        print("")
        print(ModelTable.pad("layer", 10) + ModelTable.pad("output shape", 16) + ModelTable.pad("parameters", 12, right: true)
              + ModelTable.pad("multiply-adds", 16, right: true))
        func shape(_ shape: FeatureShape) -> String { "[" + shape.dimensions.map(String.init).joined(separator: ", ") + "]" }
        for (name, row) in summary.conventionalNames {
            print(ModelTable.pad(name, 10) + ModelTable.pad(shape(row.outputShape), 16)
                  + ModelTable.pad(ResourceBudget.groupedDigits(row.parameters), 12, right: true)
                  + ModelTable.pad(ResourceBudget.groupedDigits(row.multiplyAdds), 16, right: true))
        }
        print(ModelTable.pad("total", 26) + ModelTable.pad(ResourceBudget.groupedDigits(summary.parameters), 12, right: true)
              + ModelTable.pad(ResourceBudget.groupedDigits(summary.multiplyAdds), 16, right: true))
        print("")
        print(ModelTable.totalsSentence(parameters: summary.parameters, multiplyAdds: summary.multiplyAdds))
    }
}
