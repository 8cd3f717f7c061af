import ConvKernels
import Testing
@testable import ConvTutorCommands

/// A tensor as request JSON.
private func t(_ shape: [Int], _ data: [Float]) -> String {
    JSONText.tensor(Tensor(shape: shape, data: data))
}

/// The answer's fields, parsed back.
private func fields(_ answer: ComputeAnswer) throws -> [String: JSONValue] {
    guard case .object(let fields) = try JSONValue(parsing: answer.json) else {
        Issue.record("answer is not an object: \(answer.json)")
        return [:]
    }
    return fields
}

/// A tensor field of an answer, parsed back to shape and values.
private func tensor(_ answer: ComputeAnswer, _ name: String) throws -> Tensor? {
    guard case .object(let parts)? = try fields(answer)[name],
          case .array(let shape)? = parts["shape"], case .array(let data)? = parts["data"] else { return nil }
    return Tensor(shape: shape.compactMap { if case .number(let n) = $0 { n.integer } else { nil } },
                  data: data.compactMap { if case .number(let n) = $0 { n.float } else { nil } })
}

private func error(_ line: String) -> String {
    let answer = ComputeFilter.answer(to: line)
    guard answer.failed, case .string(let message)? = try? fields(answer)["error"] else {
        Issue.record("expected an error answer to \(line), got \(answer.json)")
        return ""
    }
    return message
}

@Suite("compute filter")
struct ComputeFilterTests {
    let convInput = t([1, 1, 3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8])
    let convWeight = t([1, 1, 2, 2], [0, 1, 2, 3])

    @Test("conv2d: the worked example, exactly as JSON")
    func conv2dForward() {
        let answer = ComputeFilter.answer(to: #"{"op": "conv2d", "input": \#(convInput), "weight": \#(convWeight)}"#)
        #expect(!answer.failed)
        #expect(answer.json == #"{"output": {"shape": [1, 1, 2, 2], "data": [19, 25, 37, 43]}}"#)
    }

    @Test("conv2d: gradients appear exactly when gradOutput is given; gradBias only with a bias")
    func conv2dBackward() throws {
        let ones = t([1, 1, 2, 2], [1, 1, 1, 1])
        let withBias = ComputeFilter.answer(to: #"{"op": "conv2d", "input": \#(convInput), "weight": \#(convWeight), "bias": \#(t([1], [0.5])), "gradOutput": \#(ones)}"#)
        #expect(try Set(fields(withBias).keys) == ["output", "gradInput", "gradWeight", "gradBias"])
        #expect(try tensor(withBias, "output") == Tensor(shape: [1, 1, 2, 2], data: [19.5, 25.5, 37.5, 43.5]))
        #expect(try tensor(withBias, "gradInput") == Tensor(shape: [1, 1, 3, 3], data: [0, 1, 1, 2, 6, 4, 2, 5, 3]))
        #expect(try tensor(withBias, "gradWeight") == Tensor(shape: [1, 1, 2, 2], data: [8, 12, 20, 24]))
        #expect(try tensor(withBias, "gradBias") == Tensor(shape: [1], data: [4]))
        #expect(withBias.json.hasPrefix(#"{"output": "#) && withBias.json.contains(#"}, "gradInput": {"#))

        let noBias = ComputeFilter.answer(to: #"{"op": "conv2d", "input": \#(convInput), "weight": \#(convWeight), "gradOutput": \#(ones)}"#)
        #expect(try Set(fields(noBias).keys) == ["output", "gradInput", "gradWeight"])
        let forwardOnly = ComputeFilter.answer(to: #"{"op": "conv2d", "input": \#(convInput), "weight": \#(convWeight), "bias": \#(t([1], [1]))}"#)
        #expect(try Set(fields(forwardOnly).keys) == ["output"])
    }

    @Test("conv2d: pairs as integers or [h, w], groups")
    func conv2dOptions() throws {
        let strided = ComputeFilter.answer(to: #"{"op": "conv2d", "input": \#(t([1, 1, 3, 4], Array(0..<12).map(Float.init))), "weight": \#(t([1, 1, 1, 1], [1])), "stride": [2, 3], "padding": 0, "dilation": [1, 1], "groups": 1}"#)
        #expect(try tensor(strided, "output") == Tensor(shape: [1, 1, 2, 2], data: [0, 3, 8, 11]))
        // Depthwise: each of two channels gets its own 1x1 weight.
        let depthwise = ComputeFilter.answer(to: #"{"op": "conv2d", "input": \#(t([1, 2, 1, 2], [1, 2, 3, 4])), "weight": \#(t([2, 1, 1, 1], [10, -1])), "groups": 2}"#)
        #expect(try tensor(depthwise, "output") == Tensor(shape: [1, 2, 1, 2], data: [10, 20, -3, -4]))
        let padded = ComputeFilter.answer(to: #"{"op": "conv2d", "input": \#(convInput), "weight": \#(convWeight), "padding": [1, 0]}"#)
        #expect(try tensor(padded, "output") == Tensor(shape: [1, 1, 4, 2], data: [3, 8, 19, 25, 37, 43, 7, 8]))
    }

    @Test("pooling ops with and without gradOutput")
    func pooling() throws {
        let input = t([1, 1, 2, 2], [1, 3, 2, 4])
        let grad = t([1, 1, 1, 1], [1])
        let max = ComputeFilter.answer(to: #"{"op": "maxpool2d", "input": \#(input), "kernel": 2, "gradOutput": \#(grad)}"#)
        #expect(try tensor(max, "output") == Tensor(shape: [1, 1, 1, 1], data: [4]))
        #expect(try tensor(max, "gradInput") == Tensor(shape: [1, 1, 2, 2], data: [0, 0, 0, 1]))
        let average = ComputeFilter.answer(to: #"{"op": "avgpool2d", "input": \#(input), "kernel": [2, 2], "stride": 2, "padding": 0, "gradOutput": \#(grad)}"#)
        #expect(try tensor(average, "output") == Tensor(shape: [1, 1, 1, 1], data: [2.5]))
        #expect(try tensor(average, "gradInput") == Tensor(shape: [1, 1, 2, 2], data: [0.25, 0.25, 0.25, 0.25]))
        let sum = ComputeFilter.answer(to: #"{"op": "sumpool2d", "input": \#(input), "kernel": [1, 2], "gradOutput": \#(t([1, 1, 2, 1], [1, 2]))}"#)
        #expect(try tensor(sum, "output") == Tensor(shape: [1, 1, 2, 1], data: [4, 6]))
        #expect(try tensor(sum, "gradInput") == Tensor(shape: [1, 1, 2, 2], data: [1, 1, 2, 2]))
        let forwardOnly = ComputeFilter.answer(to: #"{"op": "maxpool2d", "input": \#(input), "kernel": 1}"#)
        #expect(try Set(fields(forwardOnly).keys) == ["output"])
        #expect(try tensor(forwardOnly, "output") == Tensor(shape: [1, 1, 2, 2], data: [1, 3, 2, 4]))

        let global = ComputeFilter.answer(to: #"{"op": "globalavgpool2d", "input": \#(t([1, 2, 1, 2], [1, 3, 5, 7])), "gradOutput": \#(t([1, 2, 1, 1], [2, 4]))}"#)
        #expect(try tensor(global, "output") == Tensor(shape: [1, 2, 1, 1], data: [2, 6]))
        #expect(try tensor(global, "gradInput") == Tensor(shape: [1, 2, 1, 2], data: [1, 1, 2, 2]))
    }

    @Test("activations")
    func activations() throws {
        let input = t([3], [-1, 0, 2])
        let ones = t([3], [1, 1, 1])
        let relu = ComputeFilter.answer(to: #"{"op": "relu", "input": \#(input), "gradOutput": \#(ones)}"#)
        #expect(relu.json == #"{"output": {"shape": [3], "data": [0, 0, 2]}, "gradInput": {"shape": [3], "data": [0, 0, 1]}}"#)
        let leaky = ComputeFilter.answer(to: #"{"op": "leaky_relu", "input": \#(input), "gradOutput": \#(ones)}"#)
        #expect(try tensor(leaky, "output") == Tensor(shape: [3], data: [-0.01, 0, 2]))
        #expect(try tensor(leaky, "gradInput") == Tensor(shape: [3], data: [0.01, 0.01, 1]))
        let sloped = ComputeFilter.answer(to: #"{"op": "leaky_relu", "input": \#(input), "slope": 0.5}"#)
        #expect(try tensor(sloped, "output") == Tensor(shape: [3], data: [-0.5, 0, 2]))
        let sigmoid = ComputeFilter.answer(to: #"{"op": "sigmoid", "input": \#(t([1, 1], [0])), "gradOutput": \#(t([1, 1], [1]))}"#)
        #expect(try tensor(sigmoid, "output") == Tensor(shape: [1, 1], data: [0.5]))
        #expect(try tensor(sigmoid, "gradInput") == Tensor(shape: [1, 1], data: [0.25]))
        let tanh = ComputeFilter.answer(to: #"{"op": "tanh", "input": \#(t([2], [0, 0])), "gradOutput": \#(t([2], [1, 3]))}"#)
        #expect(try tensor(tanh, "output") == Tensor(shape: [2], data: [0, 0]))
        #expect(try tensor(tanh, "gradInput") == Tensor(shape: [2], data: [1, 3]))
        let forwardOnly = ComputeFilter.answer(to: #"{"op": "tanh", "input": \#(input)}"#)
        #expect(try Set(fields(forwardOnly).keys) == ["output"])
    }

    @Test("softmax over dimension 1, and its gradient")
    func softmax() throws {
        let answer = ComputeFilter.answer(to: #"{"op": "softmax", "input": \#(t([2, 2], [0, 0, 3, 3])), "gradOutput": \#(t([2, 2], [1, 0, 0, 0]))}"#)
        #expect(try tensor(answer, "output") == Tensor(shape: [2, 2], data: [0.5, 0.5, 0.5, 0.5]))
        #expect(try tensor(answer, "gradInput") == Tensor(shape: [2, 2], data: [0.25, -0.25, 0, 0]))
    }

    @Test("linear")
    func linear() throws {
        let request = #"{"op": "linear", "input": \#(t([1, 2], [1, 2])), "weight": \#(t([2, 2], [1, 2, 3, 4])), "bias": \#(t([2], [1, -1])), "gradOutput": \#(t([1, 2], [1, 1]))}"#
        let answer = ComputeFilter.answer(to: request)
        #expect(try tensor(answer, "output") == Tensor(shape: [1, 2], data: [6, 10]))
        #expect(try tensor(answer, "gradInput") == Tensor(shape: [1, 2], data: [4, 6]))
        #expect(try tensor(answer, "gradWeight") == Tensor(shape: [2, 2], data: [1, 2, 1, 2]))
        #expect(try tensor(answer, "gradBias") == Tensor(shape: [2], data: [1, 1]))
        let noBias = ComputeFilter.answer(to: #"{"op": "linear", "input": \#(t([1, 2], [1, 2])), "weight": \#(t([1, 2], [1, 1])), "gradOutput": \#(t([1, 1], [1]))}"#)
        #expect(try Set(fields(noBias).keys) == ["output", "gradInput", "gradWeight"])
    }

    @Test("softmax_cross_entropy: loss and gradInput")
    func crossEntropy() throws {
        let answer = ComputeFilter.answer(to: #"{"op": "softmax_cross_entropy", "input": \#(t([2, 2], [0, 0, 0, 0])), "labels": [0, 1]}"#)
        #expect(try Set(fields(answer).keys) == ["loss", "gradInput"])
        guard case .number(let loss)? = try fields(answer)["loss"] else { Issue.record("no loss"); return }
        #expect(abs((loss.float ?? 0) - 0.6931472) < 1e-6)
        #expect(try tensor(answer, "gradInput") == Tensor(shape: [2, 2], data: [-0.25, 0.25, 0.25, -0.25]))
    }

    @Test("add: the sum, and with gradOutput the same gradient for both addends, exactly as JSON")
    func add() throws {
        let request = #"{"op": "add", "input": \#(t([1, 1, 1, 3], [1, -2, 0.5])), "other": \#(t([1, 1, 1, 3], [10, 20, 0.25]))"#
        let forwardOnly = ComputeFilter.answer(to: request + "}")
        #expect(forwardOnly.json == #"{"output": {"shape": [1, 1, 1, 3], "data": [11, 18, 0.75]}}"#)
        let answer = ComputeFilter.answer(to: request + #", "gradOutput": \#(t([1, 1, 1, 3], [1, -1, 2]))}"#)
        #expect(answer.json == #"{"output": {"shape": [1, 1, 1, 3], "data": [11, 18, 0.75]}, "#
            + #""gradInput": {"shape": [1, 1, 1, 3], "data": [1, -1, 2]}, "gradOther": {"shape": [1, 1, 1, 3], "data": [1, -1, 2]}}"#)
    }

    @Test("concat: the inputs along the channels, and with gradOutput one gradient per input, in order")
    func concat() throws {
        let inputs = #"[\#(t([1, 1, 1, 2], [1, 2])), \#(t([1, 2, 1, 2], [3, 4, 5, 6]))]"#
        let forwardOnly = ComputeFilter.answer(to: #"{"op": "concat", "inputs": \#(inputs)}"#)
        #expect(forwardOnly.json == #"{"output": {"shape": [1, 3, 1, 2], "data": [1, 2, 3, 4, 5, 6]}}"#)
        let answer = ComputeFilter.answer(to: #"{"op": "concat", "inputs": \#(inputs), "gradOutput": \#(t([1, 3, 1, 2], [-1, -2, -3, -4, -5, -6]))}"#)
        #expect(answer.json == #"{"output": {"shape": [1, 3, 1, 2], "data": [1, 2, 3, 4, 5, 6]}, "gradInputs": ["#
            + #"{"shape": [1, 1, 1, 2], "data": [-1, -2]}, {"shape": [1, 2, 1, 2], "data": [-3, -4, -5, -6]}]}"#)
        let single = ComputeFilter.answer(to: #"{"op": "concat", "inputs": [\#(t([1, 1, 1, 1], [7]))]}"#)
        #expect(single.json == #"{"output": {"shape": [1, 1, 1, 1], "data": [7]}}"#)
    }

    @Test("channel_scale: each channel times its factor; gradInput and gradScale")
    func channelScale() throws {
        let request = #"{"op": "channel_scale", "input": \#(t([1, 2, 1, 2], [1, 2, 3, 4])), "scale": \#(t([1, 2, 1, 1], [10, -0.5])), "gradOutput": \#(t([1, 2, 1, 2], [1, -1, 2, 0.5]))}"#
        let answer = ComputeFilter.answer(to: request)
        #expect(answer.json == #"{"output": {"shape": [1, 2, 1, 2], "data": [10, 20, -1.5, -2]}, "#
            + #""gradInput": {"shape": [1, 2, 1, 2], "data": [10, -10, -1, -0.25]}, "gradScale": {"shape": [1, 2, 1, 1], "data": [-1, 8]}}"#)
        #expect(error(#"{"op": "channel_scale", "input": \#(t([1, 2, 1, 2], [1, 2, 3, 4])), "scale": \#(t([2], [1, 2]))}"#)
            == "channel scaling of an input [1, 2, 1, 2] needs a scale of shape [N, C, 1, 1] = [1, 2, 1, 1]; got [2]")
    }

    @Test("pooling's ceilMode: a clipped last window, and only true or false accepted")
    func poolCeilMode() throws {
        let request = #"{"op": "avgpool2d", "kernel": 2, "input": \#(t([1, 1, 3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8]))"#
        #expect(ComputeFilter.answer(to: request + "}").json == #"{"output": {"shape": [1, 1, 1, 1], "data": [2]}}"#)
        #expect(ComputeFilter.answer(to: request + #", "ceilMode": true}"#).json
            == #"{"output": {"shape": [1, 1, 2, 2], "data": [2, 3.5, 6.5, 8]}}"#)
        #expect(ComputeFilter.answer(to: request + #", "ceilMode": false}"#).json == #"{"output": {"shape": [1, 1, 1, 1], "data": [2]}}"#)
        #expect(error(request + #", "ceilMode": 1}"#) == "\"ceilMode\" is 1; it must be true or false")
        // Sizes near Int.max: the extra window's start (3 x stride) overflows; the answer is the padding rule, not a crash.
        let huge = #"{"op": "maxpool2d", "kernel": 1, "padding": 4611686018427387900, "stride": 4611686018427387899, "ceilMode": true, "input": \#(t([1, 1, 3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8]))}"#
        #expect(error(huge) == "padding 4611686018427387900 along the height is too large for kernel height 1; "
            + "pad should be at most half of the kernel size (at most 0)")
    }

    @Test("adaptiveavgpool2d: overlapping windows, the gradient spread back, and a budget on the output size")
    func adaptiveAveragePool() throws {
        let request = #"{"op": "adaptiveavgpool2d", "outputSize": 2, "input": \#(t([1, 1, 3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8])), "gradOutput": \#(t([1, 1, 2, 2], [4, 4, 4, 4]))}"#
        #expect(ComputeFilter.answer(to: request).json == #"{"output": {"shape": [1, 1, 2, 2], "data": [2, 3, 5, 6]}, "#
            + #""gradInput": {"shape": [1, 1, 3, 3], "data": [1, 2, 1, 2, 4, 2, 1, 2, 1]}}"#)
        #expect(error(#"{"op": "adaptiveavgpool2d", "input": \#(t([1, 1, 1, 1], [1]))}"#)
            == "adaptiveavgpool2d needs the field \"outputSize\": a whole number (both axes) or [height, width]")
        #expect(error(#"{"op": "adaptiveavgpool2d", "outputSize": 1000000000, "input": \#(t([1, 1, 1, 1], [1]))}"#)
            .hasPrefix("adaptive average pooling of an input [1, 1, 1, 1] to 1000000000x1000000000 would "))
        #expect(error(#"{"op": "adaptiveavgpool2d", "outputSize": [0, 2], "input": \#(t([1, 1, 1, 1], [1]))}"#)
            == "adaptive average pooling output size 0x2 is invalid; both sides must be at least 1")
    }

    @Test("add and concat: shapes that do not fit, and malformed inputs, are answered with what would be accepted")
    func addAndConcatErrors() {
        let a = t([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), b = t([1, 1, 2, 2], [1, 2, 3, 4])
        #expect(error(#"{"op": "add", "input": \#(a), "other": \#(b)}"#)
            == "adding tensors needs two of the same shape; got [1, 2, 2, 2] and [1, 1, 2, 2]")
        #expect(error(#"{"op": "add", "input": \#(a)}"#)
            == "add needs the field \"other\": a tensor {\"shape\": [the input's shape], \"data\": [numbers, row-major]}")
        #expect(error(#"{"op": "add", "input": \#(b), "other": \#(b), "gradOutput": \#(a)}"#)
            == "adding tensors: dOutput must have the output's shape [1, 1, 2, 2]; got [1, 2, 2, 2]")
        #expect(error(#"{"op": "concat", "inputs": [\#(a), \#(t([1, 1, 2, 1], [1, 2]))]}"#)
            == "channel concatenation input 1 has shape [1, 1, 2, 1] and input 0 has [1, 2, 2, 2]; "
            + "all inputs must agree in N, H and W (only the channels C may differ)")
        #expect(error(#"{"op": "concat", "inputs": [\#(a), \#(t([2, 2], [1, 2, 3, 4]))]}"#)
            == "channel concatenation input 1 must have 4 dimensions [N, C, H, W]; got shape [2, 2]")
        #expect(error(#"{"op": "concat", "inputs": [\#(a), \#(b)], "gradOutput": \#(a)}"#)
            == "channel concatenation dOutput must have the output's shape [1, 3, 2, 2]; got [1, 2, 2, 2]")
        #expect(error(#"{"op": "concat", "input": \#(a)}"#) == "unknown field \"input\" for op concat; it accepts inputs, gradOutput")
        #expect(error(#"{"op": "concat"}"#)
            == "concat needs the field \"inputs\": an array of tensors [{\"shape\": [N, C, H, W], \"data\": [numbers, row-major]}, ...]")
        #expect(error(#"{"op": "concat", "inputs": []}"#)
            == "\"inputs\" must be an array of at least one tensor [{\"shape\": [N, C, H, W], \"data\": [numbers, row-major]}, ...]; got []")
        #expect(error(#"{"op": "concat", "inputs": \#(a)}"#).hasPrefix("\"inputs\" must be an array of at least one tensor"))
        #expect(error(#"{"op": "concat", "inputs": [\#(a), {"shape": [1, 1, 2, 2], "data": [1, 2, 3]}]}"#)
            == "\"inputs[1]\" shape [1, 1, 2, 2] holds 4 values but data has 3")
    }

    @Test("numbers: shortest round-trip form, integers without .0, non-finite as null")
    func numberForm() {
        let answer = ComputeFilter.answer(to: #"{"op": "relu", "input": {"shape": [4], "data": [0.1, 3.0, 3.4e38, 1e-45]}}"#)
        #expect(answer.json == #"{"output": {"shape": [4], "data": [0.1, 3, 3.4e+38, 1e-45]}}"#)
        // 3e38 + 3e38 overflows a Float: the sum pool writes infinity, answered as null.
        let overflow = ComputeFilter.answer(to: #"{"op": "sumpool2d", "input": {"shape": [1, 1, 1, 2], "data": [3e38, 3e38]}, "kernel": [1, 2]}"#)
        #expect(overflow.json == #"{"output": {"shape": [1, 1, 1, 1], "data": [null]}}"#)
        #expect(!overflow.failed)
    }

    @Test("invalid requests are answered with an error naming the value and the rule", arguments: [
        (#"{"op": "relu", "input": "#, "malformed JSON: Unexpected end of file during JSON parse."),
        (#"{"op": "relu" "input": 1}"#, "malformed JSON: Invalid value around character 14."),
        ("not json", "malformed JSON: Invalid value around character 1."),
        (#"[1, 2]"#, #"a request must be a JSON object such as {"op": "relu", "input": {"shape": [2], "data": [-1, 1]}}"#),
        (#"{"op": "conv3d"}"#, "unknown op \"conv3d\"; the ops are conv2d, maxpool2d, avgpool2d, sumpool2d, globalavgpool2d, adaptiveavgpool2d, relu, leaky_relu, sigmoid, tanh, relu6, silu, softmax, linear, softmax_cross_entropy, add, concat, channel_scale"),
        (#"{"input": {"shape": [1], "data": [1]}}"#, "missing field \"op\"; it names the operation, one of conv2d, maxpool2d, avgpool2d, sumpool2d, globalavgpool2d, adaptiveavgpool2d, relu, leaky_relu, sigmoid, tanh, relu6, silu, softmax, linear, softmax_cross_entropy, add, concat, channel_scale"),
        (#"{"op": 3}"#, "field \"op\" must be a string, one of conv2d, maxpool2d, avgpool2d, sumpool2d, globalavgpool2d, adaptiveavgpool2d, relu, leaky_relu, sigmoid, tanh, relu6, silu, softmax, linear, softmax_cross_entropy, add, concat, channel_scale; got 3"),
        (#"{"op": "relu"}"#, "relu needs the field \"input\": a tensor {\"shape\": [any sizes], \"data\": [numbers, row-major]}"),
        (#"{"op": "conv2d", "input": {"shape": [1, 1, 1, 1], "data": [1]}}"#, "conv2d needs the field \"weight\": a tensor {\"shape\": [O, C/groups, KH, KW], \"data\": [numbers, row-major]}"),
        (#"{"op": "maxpool2d", "input": {"shape": [1, 1, 1, 1], "data": [1]}}"#, "maxpool2d needs the field \"kernel\": a whole number (both axes) or [height, width]"),
        (#"{"op": "softmax_cross_entropy", "input": {"shape": [1, 2], "data": [1, 2]}}"#, "softmax_cross_entropy needs the field \"labels\": an array of whole numbers"),
        (#"{"op": "relu", "input": {"shape": [1], "data": [1]}, "gradOuptut": {"shape": [1], "data": [1]}}"#, "unknown field \"gradOuptut\" for op relu; it accepts input, gradOutput"),
        (#"{"op": "relu", "input": {"shape": [2, 2], "data": [1, 2, 3]}}"#, "\"input\" shape [2, 2] holds 4 values but data has 3"),
        (#"{"op": "relu", "input": {"shape": [2, -1], "data": []}}"#, "\"input\" shape [2, -1] has the entry -1; every shape entry must be a whole number of at least 1"),
        (#"{"op": "relu", "input": {"shape": [1.5], "data": [1]}}"#, "\"input\" shape [1.5] has the entry 1.5; every shape entry must be a whole number of at least 1"),
        (#"{"op": "relu", "input": {"shape": [0], "data": []}}"#, "\"input\" shape [0] has the entry 0; every shape entry must be a whole number of at least 1"),
        (#"{"op": "relu", "input": {"shape": [1], "data": [null]}}"#, "\"input\" data[0] is null; it must be a number; NaN and infinity cannot be written in JSON"),
        (#"{"op": "relu", "input": {"shape": [2], "data": [1, "2"]}}"#, "\"input\" data[1] is \"2\"; it must be a number"),
        (#"{"op": "relu", "input": {"shape": [1], "data": [1e39]}}"#, "\"input\" data[0] is 1e39, outside the range of a 32-bit float (+-3.4e38)"),
        (#"{"op": "relu", "input": [1, 2]}"#, "\"input\" must be a tensor {\"shape\": [...], \"data\": [numbers, row-major]}; got an array"),
        (#"{"op": "relu", "input": {"data": [1]}}"#, "\"input\" has no \"shape\"; a tensor is {\"shape\": [...], \"data\": [numbers, row-major]}"),
        (#"{"op": "relu", "input": {"shape": [1], "data": [1], "dtype": "f32"}}"#, "\"input\" has an unknown field \"dtype\"; a tensor has only \"shape\" and \"data\""),
        (#"{"op": "relu", "input": {"shape": [2], "data": [1, 2]}, "gradOutput": {"shape": [1], "data": [1]}}"#, "relu gradOutput must have the output's shape [2]; got [1]"),
    ])
    func invalidRequests(line: String, message: String) {
        #expect(error(line) == message)
    }

    @Test("pairs, groups and labels are checked")
    func badNumbers() {
        let conv = #""op": "conv2d", "input": \#(convInput), "weight": \#(convWeight)"#
        #expect(error("{\(conv), \"stride\": [1, 2, 3]}") == "\"stride\" is [1, 2, 3] with 3 entries; a pair is a whole number (both axes) or [height, width]")
        #expect(error("{\(conv), \"padding\": 0.5}") == "\"padding\" is 0.5; a pair is a whole number (both axes) or [height, width]")
        #expect(error("{\(conv), \"dilation\": [1, \"2\"]}") == "\"dilation\" is [1, \"2\"]; a pair is a whole number (both axes) or [height, width]")
        #expect(error("{\(conv), \"groups\": 1.5}") == "\"groups\" is 1.5; it must be a whole number")
        #expect(error(#"{"op": "softmax_cross_entropy", "input": \#(t([1, 2], [1, 2])), "labels": [0.5]}"#)
            == "\"labels\"[0] is 0.5; it must be a whole number")
        #expect(!ComputeFilter.answer(to: "{\(conv), \"stride\": 1.0, \"padding\": [0, 0e0]}").failed, "2.0 and 0e0 are whole numbers")
    }

    @Test("values the kernels reject: their messages come through")
    func kernelErrors() {
        let conv = #""op": "conv2d", "input": \#(convInput), "weight": \#(convWeight)"#
        #expect(error("{\(conv), \"stride\": 0}") == "stride 0 along the height is invalid; stride must be at least 1")
        #expect(error("{\(conv), \"dilation\": [1, 0]}") == "dilation 0 along the width is invalid; dilation must be at least 1")
        #expect(error("{\(conv), \"padding\": -1}") == "padding -1 along the height is invalid; padding must be 0 or more")
        #expect(error(#"{"op": "conv2d", "input": \#(t([1, 1, 1, 1], [1])), "weight": \#(convWeight)}"#)
            == "kernel height 2 is larger than the padded input height 1 (input 1 + 2 x padding 0)")
        #expect(error(#"{"op": "conv2d", "input": \#(t([1, 3, 1, 1], [1, 2, 3])), "weight": \#(t([2, 1, 1, 1], [1, 1])), "groups": 2}"#)
            == "groups 2 does not divide the 3 input channels")
        #expect(error(#"{"op": "softmax_cross_entropy", "input": \#(t([1, 2], [1, 2])), "labels": [2]}"#)
            == "label 2 at position 0 is out of range; labels must be in 0..<2")
        #expect(error(#"{"op": "softmax_cross_entropy", "input": \#(t([1, 2], [1, 2])), "labels": [-1]}"#)
            == "label -1 at position 0 is out of range; labels must be in 0..<2")
        #expect(error(#"{"op": "conv2d", "input": \#(convInput), "weight": \#(convWeight), "gradOutput": \#(t([1, 1, 3, 3], Array(repeating: 1, count: 9)))}"#)
            == "conv2d gradOutput must have the output's shape [1, 1, 2, 2]; got [1, 1, 3, 3]")
        #expect(error(#"{"op": "softmax", "input": \#(t([4], [1, 2, 3, 4]))}"#) == "softmax input must have 2 dimensions [N, K]; got shape [4]")
    }

    @Test("empty lines and deep nesting are errors, never crashes")
    func oddLines() {
        #expect(error("").hasPrefix("the line is empty; each line must be one request"))
        #expect(error("   \t").hasPrefix("the line is empty"))
        #expect(error(String(repeating: "[", count: 100_000)) == "malformed JSON: Too many nested arrays or dictionaries around character 513.")
        #expect(error(#"{"op": "relu\u0000"}"#).hasPrefix("unknown op"))
        #expect(error("{\"op\": \"re\u{1}lu\"}") == "malformed JSON: Unescaped control character around character 10.")
    }

    @Test("numbers keep full Float precision: rounded once from the digits, never through Double")
    func floatPrecision() throws {
        var random = SeededRandom(seed: 2024)
        let special: [Float] = [0.1, 1.0 / 3, .pi, -2.5e-7, 16_777_216, .leastNonzeroMagnitude, .leastNormalMagnitude,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        let positives = (0..<500).map { _ in Float(bitPattern: UInt32.random(in: 1..<0x7F80_0000, using: &random)) }
        for value in special + positives {
            guard case .number(let number) = try JSONValue(parsing: NumberText.format(value)) else {
                Issue.record("\(value) did not read as a number")
                continue
            }
            #expect(number.float == value, "\(NumberText.format(value))")
        }
        // Just above the midpoint of 1 and the next Float: rounded once, it goes up; through a
        // Double it would land on the midpoint and then tie to even, down to 1.
        guard case .number(let aboveMidpoint) = try JSONValue(parsing: "1.000000059604644775390625000000001") else {
            Issue.record("not a number")
            return
        }
        #expect(aboveMidpoint.float == Float(1).nextUp)
        // End to end: relu answers every positive value exactly as it was written.
        let answer = ComputeFilter.answer(to: #"{"op": "relu", "input": \#(t([positives.count], positives))}"#)
        #expect(answer.json == #"{"output": \#(t([positives.count], positives))}"#)
    }

    @Test("numbers beyond a Float: underflow reads as 0, overflow is refused, beyond a Double is malformed")
    func floatRange() {
        let tiny = ComputeFilter.answer(to: #"{"op": "relu", "input": {"shape": [3], "data": [1e-50, -1e-50, 1e-45]}}"#)
        #expect(tiny.json == #"{"output": {"shape": [3], "data": [0, 0, 1e-45]}}"#)
        #expect(error(#"{"op": "relu", "input": {"shape": [1], "data": [-3.5e38]}}"#)
            == "\"input\" data[0] is -3.5e38, outside the range of a 32-bit float (+-3.4e38)")
        #expect(error(#"{"op": "relu", "input": {"shape": [1], "data": [1e400]}}"#)
            == "malformed JSON: Number 1e400 is not representable in Swift.")
    }

    @Test("booleans are never numbers; whole numbers are told from fractions and stay exact")
    func numberKinds() {
        let conv = #""op": "conv2d", "input": \#(convInput), "weight": \#(convWeight)"#
        let crossEntropy = #""op": "softmax_cross_entropy", "input": \#(t([1, 2], [1, 2]))"#
        #expect(error(#"{"op": "relu", "input": {"shape": [true], "data": [1]}}"#)
            == "\"input\" shape [true] has the entry true; every shape entry must be a whole number of at least 1")
        #expect(error(#"{"op": "relu", "input": {"shape": [2.5], "data": [1, 2]}}"#)
            == "\"input\" shape [2.5] has the entry 2.5; every shape entry must be a whole number of at least 1")
        #expect(error(#"{"op": "relu", "input": {"shape": [1], "data": [false]}}"#) == "\"input\" data[0] is false; it must be a number")
        #expect(error("{\(crossEntropy), \"labels\": [true]}") == "\"labels\"[0] is true; it must be a whole number")
        #expect(error("{\(crossEntropy), \"labels\": [1.5]}") == "\"labels\"[0] is 1.5; it must be a whole number")
        #expect(error("{\(crossEntropy), \"labels\": [9007199254740993]}")
            == "label 9007199254740993 at position 0 is out of range; labels must be in 0..<2", "beyond 2^53, still exact")
        #expect(error("{\(conv), \"groups\": true}") == "\"groups\" is true; it must be a whole number")
        #expect(error("{\(conv), \"stride\": [1, false]}") == "\"stride\" is [1, false]; a pair is a whole number (both axes) or [height, width]")
        #expect(error("{\(conv), \"padding\": 1e20}") == "\"padding\" is 1e20; a pair is a whole number (both axes) or [height, width]")
        let wholeInExponentForm = ComputeFilter.answer(to: #"{"op": "maxpool2d", "input": \#(t([1, 1, 1, 2], [1, 3])), "kernel": [1e0, 2.0]}"#)
        #expect(wholeInExponentForm.json == #"{"output": {"shape": [1, 1, 1, 1], "data": [3]}}"#)
    }

    @Test("malformed lines: trailing text, NaN and infinity, numbers and strings JSON does not allow")
    func malformedLines() {
        let relu = #"{"op": "relu", "input": {"shape": [1], "data": [1]}}"#
        #expect(error(relu + " x") == "malformed JSON: Invalid value around character 53.")
        #expect(error(relu + relu) == "malformed JSON: Invalid value around character 52.")
        #expect(!ComputeFilter.answer(to: relu + " \t").failed, "trailing whitespace is fine")
        #expect(error(#"{"op": "relu", "input": {"shape": [1], "data": [NaN]}}"#) == "malformed JSON: Invalid value around character 48.")
        #expect(error(#"{"op": "relu", "input": {"shape": [1], "data": [-Infinity]}}"#) == "malformed JSON: Invalid value around character 49.")
        #expect(error(#"{"op": "relu", "input": {"shape": [1], "data": ["NaN"]}}"#) == "\"input\" data[0] is \"NaN\"; it must be a number")
        #expect(error(#"{"op": "relu", "input": {"shape": [1], "data": [01]}}"#) == "malformed JSON: Number with leading zero around character 49.")
        #expect(error(#"{"op": "relu", "input": {"shape": [1], "data": [1.]}}"#).hasPrefix("malformed JSON: "))
        #expect(error(#"{"op": "\ud800"}"#).hasPrefix("malformed JSON: "), "a lone surrogate")
        #expect(error(#"{'op': 'relu'}"#).hasPrefix("malformed JSON: "))
    }

    @Test("nesting deeper than 64 is refused before it is read")
    func closedNesting() {
        func nested(_ depth: Int) -> String {
            #"{"op": "relu", "input": {"shape": [1], "data": [1]}, "x": "# + String(repeating: "[", count: depth - 1)
                + String(repeating: "]", count: depth - 1) + "}"
        }
        #expect(error(nested(64)) == "unknown field \"x\" for op relu; it accepts input, gradOutput")
        #expect(error(nested(65)) == "arrays and objects are nested more than 64 deep")
        #expect(error(nested(500)) == "arrays and objects are nested more than 64 deep")
    }

    @Test("duplicate keys: the first value counts (JSONDecoder's rule)")
    func duplicateKeys() {
        let answer = ComputeFilter.answer(to: #"{"op": "relu", "op": "tanh", "input": {"shape": [2], "data": [-1, 2], "data": [5, 6]}}"#)
        #expect(answer.json == #"{"output": {"shape": [2], "data": [0, 2]}}"#)
    }

    @Test("the loop answers every line in order, goes on after errors and counts the failures")
    func loop() {
        var lines = [
            #"{"op": "relu", "input": {"shape": [1], "data": [-3]}}"#,
            "{oops",
            "",
            #"{"op": "tanh", "input": {"shape": [1], "data": [0]}}"#,
        ][...]
        var answers: [String] = []
        let failures = ComputeFilter.run(readLine: { lines.popFirst() }, write: { answers.append($0) })
        #expect(failures == 2)
        #expect(answers.count == 4)
        #expect(answers[0] == #"{"output": {"shape": [1], "data": [0]}}"#)
        #expect(answers[1].hasPrefix(#"{"error": "malformed JSON: Invalid value around character 1."#))
        #expect(answers[2].hasPrefix(#"{"error": "the line is empty"#))
        #expect(answers[3] == #"{"output": {"shape": [1], "data": [0]}}"#)
    }

    @Test("error messages are escaped as JSON strings")
    func errorEscaping() {
        let answer = ComputeFilter.answer(to: #"{"op": "con\"v"}"#)
        #expect(answer.failed)
        #expect(answer.json.hasPrefix(#"{"error": "unknown op \"con\\\"v\"; the ops are"#))
    }
}
