/// A dense, row-major tensor of `Float` values.
///
/// Images and feature maps are NCHW: `[batch, channels, height, width]`. Weights of a
/// convolution are `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]`,
/// weights of a linear layer `[outputFeatures, inputFeatures]`.
public struct Tensor: Equatable, Sendable {
    public private(set) var shape: [Int]
    public var data: [Float]

    /// A tensor with the given shape and row-major data; `data.count` must equal the product of `shape`.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
        precondition(shape.reduce(1, *) == data.count,
                     "Tensor shape \(shape) holds \(shape.reduce(1, *)) values, data has \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// A tensor whose values `initialize` writes, every one of them, into uninitialised memory:
    /// for kernels that overwrite their whole output, which need not pay for zeroing it first.
    public init(shape: [Int], initializingWith initialize: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
        self.shape = shape
        self.data = [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            initialize(buffer)
            initializedCount = count
        }
    }

    /// A tensor with every value equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A 1 x 1 x H x W tensor from a grid of rows (all rows the same length).
    public init(grid rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "Grid rows differ in length")
        self.init(shape: [1, 1, rows.count, width], data: rows.flatMap { $0 })
    }

    /// A tensor from a list of same-sized grids, one per channel: 1 x C x H x W.
    public init(channels: [[[Float]]]) {
        let height = channels.first?.count ?? 0
        let width = channels.first?.first?.count ?? 0
        precondition(channels.allSatisfy { $0.count == height && $0.allSatisfy { $0.count == width } },
                     "Channel grids differ in size")
        self.init(shape: [1, channels.count, height, width], data: channels.flatMap { $0.flatMap { $0 } })
    }

    /// The number of values.
    public var count: Int { data.count }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The same values under another shape with the same number of values.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// The value at a 4-D index `[n, c, h, w]`.
    public subscript(n: Int, c: Int, h: Int, w: Int) -> Float {
        get { data[flatIndex(n, c, h, w)] }
        set { data[flatIndex(n, c, h, w)] = newValue }
    }

    /// The value at a 2-D index `[row, column]` of a rank-2 tensor.
    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(rank == 2, "2-D subscript on a tensor of shape \(shape)")
            return data[row * shape[1] + column]
        }
        set {
            precondition(rank == 2, "2-D subscript on a tensor of shape \(shape)")
            data[row * shape[1] + column] = newValue
        }
    }

    private func flatIndex(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        precondition(rank == 4, "4-D subscript on a tensor of shape \(shape)")
        return ((n * shape[1] + c) * shape[2] + h) * shape[3] + w
    }

    /// One H x W plane of a 4-D tensor as rows, for display.
    public func grid(batch n: Int = 0, channel c: Int = 0) -> [[Float]] {
        precondition(rank == 4, "grid(batch:channel:) needs a 4-D tensor, shape is \(shape)")
        let height = shape[2], width = shape[3]
        let base = (n * shape[1] + c) * height * width
        return (0..<height).map { row in Array(data[(base + row * width)..<(base + row * width + width)]) }
    }

    /// The largest absolute value (0 for an empty tensor).
    public var maxMagnitude: Float {
        data.reduce(0) { max($0, abs($1)) }
    }
}
