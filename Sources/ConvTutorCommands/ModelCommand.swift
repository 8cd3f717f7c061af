import ArgumentParser
import Training
import Networks
import ConvKernels
import Datasets

extension LeNet5.Variant: ExpressibleByArgument {}

/// `convtutor model`: LeNet-5's layers, as torchsummary prints them.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Print LeNet-5's layers: output shape, parameters and multiply-adds.",
        discussion: """
            modern: ReLU and max pooling (the default). classic: tanh and average pooling, as in \
            LeCun et al. 1998. Both have 61,706 parameters.

            Examples:
              convtutor model
              convtutor model --variant classic
            """)

    @Option(help: "Which LeNet-5: modern or classic.")
    var variant: LeNet5.Variant = .modern

    func run() throws {
        let rows = try LeNet5(variant: variant, seed: 0).summary()
        let describe = variant == .modern ? "ReLU, max pooling" : "tanh, average pooling"
        print("LeNet-5 (\(variant.rawValue): \(describe))")
        print("")
        print(pad("layer", 10) + pad("output shape", 16) + pad("parameters", 12, right: true) + pad("multiply-adds", 16, right: true))
        for row in rows {
            let shape = "[" + row.outputShape.map(String.init).joined(separator: ", ") + "]"
            print(pad(row.name, 10) + pad(shape, 16) + pad(ResourceBudget.groupedDigits(row.parameters), 12, right: true)
                  + pad(ResourceBudget.groupedDigits(row.multiplyAdds), 16, right: true))
        }
        let parameters = rows.reduce(0) { $0 + $1.parameters }, multiplyAdds = rows.reduce(0) { $0 + $1.multiplyAdds }
        print(pad("total", 26) + pad(ResourceBudget.groupedDigits(parameters), 12, right: true) + pad(ResourceBudget.groupedDigits(multiplyAdds), 16, right: true))
        print("")
        print("Parameters: \(ResourceBudget.groupedDigits(parameters)) (\(ResourceBudget.groupedDigits(parameters * 4)) bytes as 32-bit floats). "
              + "Multiply-adds per image, forward: \(ResourceBudget.groupedDigits(multiplyAdds)).")
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
