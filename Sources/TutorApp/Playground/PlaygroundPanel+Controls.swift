import ConvKernels
import Lessons
import TerminalUI

extension PlaygroundPanel {
    /// One setting of the playground, in the order the controls list shows them.
    public enum Control: String, CaseIterable, Sendable {
        case preset, input, stride, padding, paddingMode, convention, dilation, bias, activation, pool, poolSize
        case inputSize, kernelSize

        /// The label in the controls list.
        public var label: String {
            switch self {
            case .preset: "kernel"
            case .input: "input"
            case .stride: "stride"
            case .padding: "padding"
            case .paddingMode: "padding mode"
            case .convention: "size rule"
            case .dilation: "dilation"
            case .bias: "bias"
            case .activation: "activation"
            case .pool: "pooling"
            case .poolSize: "pool window"
            case .inputSize: "input size"
            case .kernelSize: "kernel size"
            }
        }

        /// The key that steps it forward (its capital steps back).
        public var key: Character {
            switch self {
            case .preset: "p"
            case .input: "i"
            case .stride: "s"
            case .padding: "d"
            case .paddingMode: "m"
            case .convention: "c"
            case .dilation: "l"
            case .bias: "b"
            case .activation: "r"
            case .pool: "o"
            case .poolSize: "w"
            case .inputSize: "]"
            case .kernelSize: "}"
            }
        }
    }

    static let maximumStride = 6
    static let maximumDilation = 4
    static let maximumPadding = 6
    static let poolSizes = 1...4
    /// The activations `r` steps through (nil: none). Leaky ReLU gets a slope large enough to see.
    static let activations: [ActivationChoice?] = [
        nil, .elementwise(.relu), .elementwise(.leakyRelu(slope: 0.1)), .elementwise(.sigmoid), .elementwise(.tanh),
    ]
    static let pools: [PoolSpec.Kind?] = [nil, .max, .average, .sum]
    /// Paddings `d` steps through: explicit amounts, then "same".
    static let paddings: [PaddingAmount] = (0...maximumPadding).map { .explicit(rows: $0, columns: $0) } + [.same]

    /// The control's current value, as the controls list shows it.
    public func valueText(of control: Control) -> String {
        let conv = state.spec.start
        switch control {
        case .preset:
            guard let kernel = conv.kernels.first else { return "none" }
            return kernel.presetName ?? "custom \(kernel.height)x\(kernel.width)"
        case .input:
            return state.sampleImage.map { "image \($0)" } ?? "grid"
        case .stride: return Self.pairText(conv.stride)
        case .padding:
            switch conv.padding {
            case .explicit(let rows, let columns): return rows == columns ? "\(rows)" : "\(rows)x\(columns)"
            case .same: return "same"
            case .valid: return "valid"
            }
        case .paddingMode: return conv.paddingMode.rawValue
        case .convention: return conv.rule.rawValue
        case .dilation: return Self.pairText(conv.dilation)
        case .bias: return LessonNumber.format(conv.bias.first ?? 0)
        case .activation:
            guard let activation = conv.activation else { return "none" }
            if case .elementwise(.leakyRelu(let slope)) = activation {
                return "leaky-relu \(LessonNumber.format(slope))"
            }
            return activation.name
        case .pool: return state.spec.pool?.rawValue ?? "none"
        case .poolSize: return state.spec.pool == nil ? "(no pooling)" : Self.pairText(state.spec.poolSize)
        case .inputSize:
            return "\(conv.input.height)x\(conv.input.width)" + (state.sampleImage == nil ? "" : " (image)")
        case .kernelSize:
            guard let kernel = conv.kernels.first else { return "none" }
            return "\(kernel.height)x\(kernel.width)"
        }
    }

    static func pairText(_ pair: Pair) -> String {
        pair.height == pair.width ? "\(pair.height)" : "\(pair.height)x\(pair.width)"
    }

    /// Steps `control` forward (`step` > 0) or back; lists wrap around, numbers stop at their ends.
    func adjust(_ control: Control, by step: Int) {
        let before = state
        let applied = change { state in
            var conv = state.spec.start
            switch control {
            case .preset:
                let presets = KernelPreset.allCases
                let current = conv.kernels.first?.presetName.flatMap(KernelPreset.init(rawValue:))
                let preset: KernelPreset
                if let current, let index = presets.firstIndex(of: current) {
                    preset = presets[(index + step % presets.count + presets.count) % presets.count]
                } else {
                    preset = step > 0 ? presets[0] : presets[presets.count - 1]
                }
                conv.kernels = Self.kernels(preset, for: conv)
            case .input:
                let choices: [String?] = [nil] + SampleImage.names.map { Optional($0) }
                var index = choices.firstIndex(of: state.sampleImage) ?? 0
                // A name `make` does not know is skipped.
                for _ in choices.indices {
                    index = (index + step % choices.count + choices.count) % choices.count
                    if let name = choices[index] {
                        guard let image = SampleImage.make(name) else { continue }
                        state.sampleImage = name
                        conv.input = image
                    } else {
                        state.sampleImage = nil
                        conv.input = state.grid
                    }
                    break
                }
                conv.kernels = Self.kernels(matching: conv.input.channelCount, conv)
                // Depthwise: one filter per channel, so one bias each.
                let bias = conv.bias.first ?? 0
                conv.bias = (0..<conv.kernels.count).map { $0 < conv.bias.count ? conv.bias[$0] : bias }
            case .stride:
                conv.stride = Self.stepped(conv.stride, by: step, in: 1...Self.maximumStride)
            case .padding:
                let index: Int
                switch conv.padding {
                case .explicit(let rows, _): index = min(rows, Self.maximumPadding)
                case .valid: index = 0
                case .same: index = Self.paddings.count - 1
                }
                conv.padding = Self.paddings[min(max(index + step, 0), Self.paddings.count - 1)]
            case .paddingMode:
                conv.paddingMode = Self.cycled(Pad2d.Mode.allCases, from: conv.paddingMode, by: step)
            case .convention:
                conv.rule = Self.cycled(PaddingRule.allCases, from: conv.rule, by: step)
            case .dilation:
                conv.dilation = Self.stepped(conv.dilation, by: step, in: 1...Self.maximumDilation)
            case .bias:
                conv.bias = conv.bias.map { $0 + Float(step) }
            case .activation:
                conv.activation = Self.cycled(Self.activations, from: conv.activation, by: step)
            case .pool:
                state.spec.pool = Self.cycled(Self.pools, from: state.spec.pool, by: step)
            case .poolSize:
                state.spec.poolSize = Self.stepped(state.spec.poolSize, by: step, in: Self.poolSizes)
            case .inputSize:
                guard state.sampleImage == nil else { return }
                state.grid = Self.resized(state.grid, by: step, in: Self.inputSizes, keepPreset: false)
                conv.input = state.grid
            case .kernelSize:
                conv.kernels = conv.kernels.map { Self.resized($0, by: step, in: Self.kernelSizes, keepPreset: false) }
            }
            state.spec.start = conv
        }
        guard applied else { return }  // `change` has said why
        if state == before {
            if control == .inputSize && state.sampleImage != nil {
                message = "The sample image keeps its size; press i to go back to the grid."
            } else {
                message = "\(control.label) stays \(valueText(of: control)): that is its "
                    + (step > 0 ? "largest" : "smallest") + " value."
            }
        } else {
            var text = "\(control.label): \(valueText(of: control))"
            if control == .preset, let name = spec.start.kernels.first?.presetName,
               let preset = KernelPreset(rawValue: name) {
                text += ", \(preset.summary)"
            }
            message = text
        }
    }

    /// The kernels for `preset` with `conv`'s input: one filter, or one per channel when depthwise.
    static func kernels(_ preset: KernelPreset, for conv: ConvSpec) -> [GridStack] {
        let channels = conv.input.channelCount
        if conv.depthwise {
            return Array(repeating: preset.stack(channels: 1), count: channels)
        }
        return Array(repeating: preset.stack(channels: channels), count: max(1, conv.kernels.count))
    }

    /// The kernels with their channel count matched to an input of `channels` channels (the first
    /// channel repeated, or the extra ones dropped), so switching to a grayscale image keeps working.
    static func kernels(matching channels: Int, _ conv: ConvSpec) -> [GridStack] {
        if conv.depthwise {
            guard let first = conv.kernels.first else { return conv.kernels }
            var kernels = Array(conv.kernels.prefix(channels))
            while kernels.count < channels { kernels.append(first) }
            return kernels
        }
        return conv.kernels.map { kernel in
            guard kernel.channelCount != channels else { return kernel }
            var channelsList = Array(kernel.channels.prefix(channels))
            while channelsList.count < channels { channelsList.append(kernel.channels[0]) }
            return GridStack(channels: channelsList, presetName: kernel.presetName)
        }
    }

    static func stepped(_ pair: Pair, by step: Int, in range: ClosedRange<Int>) -> Pair {
        Pair(min(max(pair.height + step, range.lowerBound), range.upperBound),
             min(max(pair.width + step, range.lowerBound), range.upperBound))
    }

    static func cycled<Value: Equatable>(_ values: [Value], from current: Value, by step: Int) -> Value {
        guard let index = values.firstIndex(of: current) else { return step > 0 ? values[0] : values[values.count - 1] }
        return values[(index + step % values.count + values.count) % values.count]
    }

    /// The stack grown (zeros added at the bottom and right) or shrunk by `step` rows and columns,
    /// each kept within `range`.
    static func resized(_ stack: GridStack, by step: Int, in range: ClosedRange<Int>, keepPreset: Bool) -> GridStack {
        let height = min(max(stack.height + step, range.lowerBound), range.upperBound)
        let width = min(max(stack.width + step, range.lowerBound), range.upperBound)
        guard height != stack.height || width != stack.width else { return stack }
        let channels = stack.channels.map { grid in
            (0..<height).map { row in
                (0..<width).map { column in
                    row < grid.count && column < grid[row].count ? grid[row][column] : 0
                }
            }
        }
        return GridStack(channels: channels, presetName: keepPreset ? stack.presetName : nil)
    }
}

// MARK: - Typing a control's value

extension PlaygroundPanel {
    /// The largest bias that can be typed: far beyond what a grid of small numbers needs, and
    /// small enough that the sums stay readable.
    static let maximumBias: Float = 1000

    /// The controls a value can be typed for, instead of pressing their key many times.
    static let typableControls: Set<Control> = [.bias, .stride, .padding, .dilation, .poolSize]

    /// Typing a value for the selected control: digits and `.` start or extend it, `-` changes
    /// its sign once typing has started (elsewhere `-` still nudges), Backspace edits, Enter sets
    /// it, and moving to another control drops it. Nil when the key is not part of typing.
    func handleControlEntry(_ event: KeyEvent) -> Bool? {
        switch event {
        case .character(let character)
            where Self.typableControls.contains(selectedControl) && ((character.isASCII && character.isNumber) || character == "."):
            controlEntry = (controlEntry ?? "") + String(character)
        case .character("-") where controlEntry != nil:
            controlEntry = controlEntry!.hasPrefix("-") ? String(controlEntry!.dropFirst()) : "-" + controlEntry!
        case .backspace where controlEntry != nil:
            controlEntry!.removeLast()
            if controlEntry!.isEmpty { controlEntry = nil }
        case .enter where controlEntry != nil:
            let text = controlEntry!
            controlEntry = nil
            setControl(selectedControl, typed: text)
            return true
        case .up, .down, .home, .end:
            controlEntry = nil
            return nil
        default:
            return nil
        }
        message = controlEntry.map { "\(selectedControl.label): \($0)  (Enter sets it, Backspace edits, - flips the sign)" }
        return true
    }

    /// Sets a numeric control to the typed `text`, or says what it accepts.
    func setControl(_ control: Control, typed text: String) {
        let whole: ClosedRange<Int>? = switch control {
        case .stride: 1...Self.maximumStride
        case .dilation: 1...Self.maximumDilation
        case .padding: 0...Self.maximumPadding
        case .poolSize: Self.poolSizes
        default: nil
        }
        if let range = whole {
            guard let value = Int(text), range.contains(value) else {
                message = "\(control.label) takes a whole number from \(range.lowerBound) to \(range.upperBound); \(text) is not one"
                return
            }
            let applied = change { state in
                switch control {
                case .stride: state.spec.start.stride = Pair(value, value)
                case .dilation: state.spec.start.dilation = Pair(value, value)
                case .padding: state.spec.start.padding = .explicit(rows: value, columns: value)
                case .poolSize: state.spec.poolSize = Pair(value, value)
                default: break
                }
            }
            if applied { message = "\(control.label): \(valueText(of: control))" }
            return
        }
        // The bias: any number within ±maximumBias.
        let limit = Self.maximumBias
        guard let value = Float(text), value.isFinite, abs(value) <= limit else {
            message = "bias takes a number from -\(Int(limit)) to \(Int(limit)), such as -20 or 0.5; \(text) is not one"
            return
        }
        if change({ state in state.spec.start.bias = state.spec.start.bias.map { _ in value } }) {
            message = "bias: \(valueText(of: .bias))"
        }
    }
}
