/// Something that updates a list of parameter tensors from their gradients, one training step at a time.
///
/// Parameters are identified by their position in the list: an optimizer keeps its state (momentum,
/// moment estimates) per index, creates it lazily on the first step, and expects the same list, in
/// the same order and with the same shapes, on every later step.
public protocol Optimizer {
    /// The step size; a learning-rate schedule sets it before each epoch.
    var learningRate: Float { get set }

    /// Updates `parameters` in place from `gradients` (the same count, each the shape of its parameter).
    mutating func step(parameters: inout [Tensor], gradients: [Tensor])
}

extension Optimizer {
    /// Stops with the shapes when the parameter and gradient lists do not match each other or the
    /// state created on the first step. A mismatch is a programmer error: the model hands the lists over.
    func checkMatching(parameters: [Tensor], gradients: [Tensor], state: [Tensor], optimizer: String) {
        precondition(parameters.count == gradients.count,
                     "\(optimizer).step: \(parameters.count) parameters \(parameters.map(\.shape)) but "
                     + "\(gradients.count) gradients \(gradients.map(\.shape))")
        for index in parameters.indices {
            precondition(parameters[index].shape == gradients[index].shape,
                         "\(optimizer).step: parameter \(index) has shape \(parameters[index].shape), "
                         + "its gradient \(gradients[index].shape)")
        }
        if state.isEmpty { return }
        precondition(state.count == parameters.count,
                     "\(optimizer).step: state was created for \(state.count) parameters \(state.map(\.shape)), "
                     + "now given \(parameters.count) \(parameters.map(\.shape))")
        for index in parameters.indices {
            precondition(state[index].shape == parameters[index].shape,
                         "\(optimizer).step: state of parameter \(index) has shape \(state[index].shape), "
                         + "the parameter \(parameters[index].shape)")
        }
    }
}
