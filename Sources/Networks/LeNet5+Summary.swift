import ConvKernels

extension LeNet5 {
    /// One row of the layer table `convtutor model` prints (as torchsummary does).
    public struct LayerSummary: Sendable, Equatable {
        public let name: String
        /// For one image: channels, height, width, or features.
        public let outputShape: [Int]
        public let parameters: Int
        /// Multiply-adds of the forward pass for one image.
        public let multiplyAdds: Int

        public init(name: String, outputShape: [Int], parameters: Int, multiplyAdds: Int) {
            self.name = name
            self.outputShape = outputShape
            self.parameters = parameters
            self.multiplyAdds = multiplyAdds
        }
    }

    /// Every layer of the network with its output shape, parameters and multiply-adds, read off a
    /// real forward pass of one blank image.
    public func summary() throws(KernelError) -> [LayerSummary] {
        let a = try forward(Tensor(zeros: [1, 1, 28, 28]))
        let activationName = variant == .modern ? "relu" : "tanh"
        let poolName = variant == .modern ? "maxpool" : "avgpool"
        func shape(_ t: Tensor) -> [Int] { Array(t.shape.dropFirst()) }
        func count(_ index: Int) -> Int { parameters[index].count + parameters[index + 1].count }
        // Conv: each output value costs C x KH x KW; linear: each output costs its input count.
        func convMultiplyAdds(_ output: Tensor, weight index: Int) -> Int {
            let w = parameters[index].shape
            return output.count * w[1] * w[2] * w[3]
        }
        return [
            LayerSummary(name: "input", outputShape: shape(a.input), parameters: 0, multiplyAdds: 0),
            LayerSummary(name: "conv1", outputShape: shape(a.conv1), parameters: count(0), multiplyAdds: convMultiplyAdds(a.conv1, weight: 0)),
            LayerSummary(name: "\(activationName)1", outputShape: shape(a.conv1Activated), parameters: 0, multiplyAdds: 0),
            LayerSummary(name: "\(poolName)1", outputShape: shape(a.pool1), parameters: 0, multiplyAdds: 0),
            LayerSummary(name: "conv2", outputShape: shape(a.conv2), parameters: count(2), multiplyAdds: convMultiplyAdds(a.conv2, weight: 2)),
            LayerSummary(name: "\(activationName)2", outputShape: shape(a.conv2Activated), parameters: 0, multiplyAdds: 0),
            LayerSummary(name: "\(poolName)2", outputShape: shape(a.pool2), parameters: 0, multiplyAdds: 0),
            LayerSummary(name: "flatten", outputShape: shape(a.flat), parameters: 0, multiplyAdds: 0),
            LayerSummary(name: "fc1", outputShape: shape(a.fc1), parameters: count(4), multiplyAdds: a.fc1.count * a.flat.count),
            LayerSummary(name: "\(activationName)3", outputShape: shape(a.fc1Activated), parameters: 0, multiplyAdds: 0),
            LayerSummary(name: "fc2", outputShape: shape(a.fc2), parameters: count(6), multiplyAdds: a.fc2.count * a.fc1.count),
            LayerSummary(name: "\(activationName)4", outputShape: shape(a.fc2Activated), parameters: 0, multiplyAdds: 0),
            LayerSummary(name: "fc3", outputShape: shape(a.logits), parameters: count(8), multiplyAdds: a.logits.count * a.fc2.count),
        ]
    }
}
