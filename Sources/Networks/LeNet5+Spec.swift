import ConvKernels

extension LeNet5.Variant {
    /// The plain network (no batch norm, no dropout) as a spec, so that `convtutor model --arch
    /// lenet5` prints it beside the zoo's; its summary agrees with `LeNet5.summary()`, which reads
    /// the same numbers off a real forward pass.
    public var spec: NetworkSpec {
        let activation: LayerSpec = self == .modern ? .relu : .tanh
        let pool = LayerSpec.Pooling(kernel: LeNet5.poolOptions.kernel, stride: LeNet5.poolOptions.stride)
        let subsample: LayerSpec = self == .modern ? .maxPool(pool) : .avgPool(pool)
        return NetworkSpec(name: "lenet5", input: .maps(channels: 1, height: 28, width: 28), classes: 10, layers: [
            .conv(LayerSpec.Convolution(out: 6, kernel: 5, padding: LeNet5.conv1Options.padding)), activation, subsample,
            .conv(LayerSpec.Convolution(out: 16, kernel: 5, padding: LeNet5.conv2Options.padding)), activation, subsample,
            .flatten,
            .linear(LayerSpec.FullyConnected(out: 120)), activation,
            .linear(LayerSpec.FullyConnected(out: 84)), activation,
            .linear(LayerSpec.FullyConnected(out: 10)),
        ])
    }
}
