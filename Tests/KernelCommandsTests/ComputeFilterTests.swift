import ConvKernels
import KernelCommands
import Testing

/// A tensor as request JSON.
private func t(_ shape: [Int], _ data: [Float]) -> String {
    JSONText.tensor(Tensor(shape: shape, data: data))
}

/// The answer's fields, parsed back.
private func fields(_ answer: ComputeAnswer) throws -> [String: JSONValue] {
    guard case .object(let fields) = try JSONParser.parse(answer.json) else {
        Issue.record("answer is not an object: \(answer.json)")
        return [:]
    }
    return fields
}

/// A tensor field of an answer, parsed back to shape and values.
private func tensor(_ answer: ComputeAnswer, _ name: String) throws -> Tensor? {
    guard case .object(let parts)? = try fields(answer)[name],
          case .array(let shape)? = parts["shape"], case .array(let data)? = parts["data"] else { return nil }
    return Tensor(shape: shape.compactMap { if case .number(let n) = $0 { Int(n) } else { nil } },
                  data: data.compactMap { if case .number(let n) = $0 { Float(n) } else { nil } })
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
        #expect(abs((Float(loss) ?? 0) - 0.6931472) < 1e-6)
        #expect(try tensor(answer, "gradInput") == Tensor(shape: [2, 2], data: [-0.25, 0.25, 0.25, -0.25]))
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
        (#"{"op": "relu", "input": "#, "malformed JSON after character 24: the line ends where a value was expected"),
        (#"{"op": "relu" "input": 1}"#, "malformed JSON at character 15: expected ',' or '}' after the value of \"op\", found '\"input\": 1}'"),
        ("not json", "malformed JSON at character 1: expected a value (object, array, string, number, true, false or null), found 'not json'"),
        (#"[1, 2]"#, #"a request must be a JSON object such as {"op": "relu", "input": {"shape": [2], "data": [-1, 1]}}"#),
        (#"{"op": "conv3d"}"#, "unknown op \"conv3d\"; the ops are conv2d, maxpool2d, avgpool2d, sumpool2d, globalavgpool2d, relu, leaky_relu, sigmoid, tanh, softmax, linear, softmax_cross_entropy"),
        (#"{"input": {"shape": [1], "data": [1]}}"#, "missing field \"op\"; it names the operation, one of conv2d, maxpool2d, avgpool2d, sumpool2d, globalavgpool2d, relu, leaky_relu, sigmoid, tanh, softmax, linear, softmax_cross_entropy"),
        (#"{"op": 3}"#, "field \"op\" must be a string, one of conv2d, maxpool2d, avgpool2d, sumpool2d, globalavgpool2d, relu, leaky_relu, sigmoid, tanh, softmax, linear, softmax_cross_entropy; got 3"),
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
        (#"{"op": "relu", "op": "tanh"}"#, "malformed JSON at character 16: field \"op\" appears twice"),
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
        #expect(error(String(repeating: "[", count: 100_000)).hasSuffix("arrays and objects are nested more than 64 deep"))
        #expect(error(#"{"op": "relu\u0000"}"#).hasPrefix("unknown op"))
        #expect(error("{\"op\": \"re\u{1}lu\"}") == "malformed JSON at character 11: a control character (code 1) inside a string must be escaped")
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
        #expect(answers[1].hasPrefix(#"{"error": "malformed JSON at character 2"#))
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
