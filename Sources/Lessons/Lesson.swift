import ConvKernels

/// One lesson, as read from its TOML file: a title and the steps a learner goes through in order.
public struct Lesson: Sendable {
    /// Unique among the lessons shown together; `convtutor lesson ID` opens it.
    public var id: String
    public var title: String
    /// One line for the lesson list.
    public var summary: String
    /// Where the list puts it (lower first); lessons without one follow, by file name.
    public var order: Int?
    /// The file it was read from (for error messages and the list).
    public var file: String
    public var steps: [LessonStep]

    public init(id: String, title: String, summary: String = "", order: Int? = nil, file: String = "",
                steps: [LessonStep]) {
        self.id = id
        self.title = title
        self.summary = summary
        self.order = order
        self.file = file
        self.steps = steps
    }
}

/// One step of a lesson: text beside an optional interactive part.
public struct LessonStep: Sendable {
    /// A short heading for the step (optional in the file).
    public var title: String?
    /// The explanation, with `**bold**` and `` `code` `` spans; may be empty.
    public var text: String
    public var content: StepContent
    /// Numbers the text states that `lessons check` verifies against a step's output (`checks`).
    public var checks: [StatedNumber]

    public init(title: String? = nil, text: String = "", content: StepContent, checks: [StatedNumber] = []) {
        self.title = title
        self.text = text
        self.content = content
        self.checks = checks
    }

    public var kind: StepKind { content.kind }
    /// True when the learner must answer something before the step counts as done.
    public var isExercise: Bool {
        switch content {
        case .quiz: true
        case .conv(let spec): spec.predict
        case .pool(let spec): spec.predict
        default: false
        }
    }
}

/// The kinds of step a lesson file may use (`kind = "..."`).
public enum StepKind: String, CaseIterable, Sendable {
    case text, conv, pool, activation, pipeline, quiz, playground, image, train
}

/// What a step shows and lets the learner do.
public enum StepContent: Sendable {
    case text
    case conv(ConvSpec)
    case pool(PoolSpec)
    case activation(ActivationSpec)
    case pipeline(PipelineSpec)
    case quiz(QuizSpec)
    case playground(PlaygroundSpec)
    case image(ImageSpec)
    case train(TrainSpec)

    public var kind: StepKind {
        switch self {
        case .text: .text
        case .conv: .conv
        case .pool: .pool
        case .activation: .activation
        case .pipeline: .pipeline
        case .quiz: .quiz
        case .playground: .playground
        case .image: .image
        case .train: .train
        }
    }
}

/// A stack of 2-D grids of the same size: `channels[c][row][column]`.
public struct GridStack: Hashable, Sendable {
    public var channels: [[[Float]]]
    /// The preset name when the file named one (`kernel = "sobel-x"`), for labels.
    public var presetName: String?

    /// - Precondition: at least one channel, every channel the same non-empty rectangle.
    public init(channels: [[[Float]]], presetName: String? = nil) {
        precondition(!channels.isEmpty && !channels[0].isEmpty && !channels[0][0].isEmpty, "empty grid")
        let height = channels[0].count, width = channels[0][0].count
        precondition(channels.allSatisfy { $0.count == height && $0.allSatisfy { $0.count == width } },
                     "ragged grid stack")
        self.channels = channels
        self.presetName = presetName
    }

    /// One channel.
    public init(_ grid: [[Float]], presetName: String? = nil) {
        self.init(channels: [grid], presetName: presetName)
    }

    public var channelCount: Int { channels.count }
    public var height: Int { channels[0].count }
    public var width: Int { channels[0][0].count }

    /// The stack as a `[1, C, H, W]` tensor.
    public var tensor: Tensor {
        Tensor(shape: [1, channelCount, height, width], data: channels.flatMap { $0.flatMap { $0 } })
    }
}

/// How much padding a convolution or pooling gets.
public enum PaddingAmount: Hashable, Sendable {
    /// The same number of cells on top and bottom (`rows`) and on left and right (`columns`).
    case explicit(rows: Int, columns: Int)
    /// Enough to keep the output the input's size at stride 1; with `PaddingRule.tensorflow` an odd
    /// total puts the extra cell at the bottom and right (TensorFlow's SAME), otherwise the kernel must
    /// have an odd span.
    case same
    /// None (TensorFlow's VALID).
    case valid
}

/// Whose output-size rule a step follows (`convention = "pytorch" | "tensorflow" | "cs231n"`).
public enum PaddingRule: String, CaseIterable, Sendable {
    /// Symmetric padding and the floor of the output-size division.
    case pytorch
    /// SAME and VALID as TensorFlow computes them (asymmetric split for SAME).
    case tensorflow
    /// `(W - F + 2P) / S + 1` must be whole, else the step is invalid.
    case cs231n
}

/// An activation as a lesson names it: the kernel's elementwise functions plus softmax over a grid.
public enum ActivationChoice: Hashable, Sendable {
    case elementwise(Activation)
    /// Softmax over all cells of each channel (for a classifier's scores).
    case softmax

    /// "relu", "leaky-relu", "sigmoid", "tanh" or "softmax".
    public var name: String {
        switch self {
        case .elementwise(let activation): activation.name
        case .softmax: "softmax"
        }
    }
}

/// A convolution step: a real `Conv2d.forward` call, stepped one window at a time.
public struct ConvSpec: Hashable, Sendable {
    public var input: GridStack
    /// One stack per filter, each with the input's channel count (or 1 with `depthwise`).
    public var kernels: [GridStack]
    /// One per filter; zeros when the file gives none.
    public var bias: [Float]
    public var stride: Pair
    public var padding: PaddingAmount
    public var paddingMode: Pad2d.Mode
    public var rule: PaddingRule
    public var dilation: Pair
    /// Each filter sees only its own input channel (groups = channels).
    public var depthwise: Bool
    /// Applied to each output cell after the sum, shown as a second line of arithmetic.
    public var activation: ActivationChoice?
    /// The learner types each output value before it is revealed.
    public var predict: Bool

    public init(input: GridStack, kernels: [GridStack], bias: [Float]? = nil, stride: Pair = 1,
                padding: PaddingAmount = .explicit(rows: 0, columns: 0), paddingMode: Pad2d.Mode = .zero,
                rule: PaddingRule = .pytorch, dilation: Pair = 1, depthwise: Bool = false,
                activation: ActivationChoice? = nil, predict: Bool = false) {
        self.input = input
        self.kernels = kernels
        self.bias = bias ?? Array(repeating: 0, count: kernels.count)
        self.stride = stride
        self.padding = padding
        self.paddingMode = paddingMode
        self.rule = rule
        self.dilation = dilation
        self.depthwise = depthwise
        self.activation = activation
        self.predict = predict
    }
}

/// A pooling step: a real `Pool2d.forward` (or global average) call, stepped window by window.
public struct PoolSpec: Hashable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case max, average, sum
        /// One value per channel: the mean of the whole grid.
        case globalAverage = "global-average"
    }

    public var input: GridStack
    public var kind: Kind
    public var size: Pair
    /// Defaults to the size (non-overlapping windows).
    public var stride: Pair
    public var padding: Pair
    public var predict: Bool

    public init(input: GridStack, kind: Kind, size: Pair = 2, stride: Pair? = nil, padding: Pair = 0,
                predict: Bool = false) {
        self.input = input
        self.kind = kind
        self.size = size
        self.stride = stride ?? size
        self.padding = padding
        self.predict = predict
    }
}

/// An activation step: the function applied to a grid cell by cell, with a plot of it and its derivative.
public struct ActivationSpec: Hashable, Sendable {
    public var function: ActivationChoice
    /// The grid to apply it to (optional: a plot alone is fine).
    public var input: GridStack?
    /// The x range of the plot.
    public var plotRange: ClosedRange<Float>
    public var showDerivative: Bool

    public init(function: ActivationChoice, input: GridStack? = nil, plotRange: ClosedRange<Float> = -4...4,
                showDerivative: Bool = true) {
        self.function = function
        self.input = input
        self.plotRange = plotRange
        self.showDerivative = showDerivative
    }
}

/// One stage of a pipeline.
public enum PipelineStage: Hashable, Sendable {
    /// A convolution of the previous stage's output (its `input` is ignored and replaced).
    case conv(ConvSpec)
    case activation(ActivationChoice)
    /// A pooling of the previous stage's output (its `input` is ignored and replaced).
    case pool(PoolSpec)
}

/// conv -> activation -> pool (any order, any count) on one grid, each stage's output feeding the next.
public struct PipelineSpec: Hashable, Sendable {
    public var input: GridStack
    public var stages: [PipelineStage]

    public init(input: GridStack, stages: [PipelineStage]) {
        self.input = input
        self.stages = stages
    }
}

/// A checked question.
public struct QuizSpec: Hashable, Sendable {
    public enum Answer: Hashable, Sendable {
        /// A number, right within `tolerance` (absolute).
        case number(Float, tolerance: Float)
        /// An output shape such as 6x28x28 (any of "6x28x28", "6 x 28 x 28", "(6, 28, 28)", "6,28,28").
        case shape([Int])
        /// The index (0-based) of the right choice among `choices`.
        case choice(Int)
        /// A cell of `grid`, picked with the arrow keys: row and column, 0-based.
        case cell(row: Int, column: Int)
    }

    public var question: String
    public var answer: Answer
    /// For `.choice`: the options, shown numbered from 1.
    public var choices: [String]
    /// For `.cell` (required) and optionally for the others: a grid shown with the question.
    public var grid: GridStack?
    /// Shown after the first wrong answer.
    public var hint: String?
    /// Shown once the answer is right (or given up on).
    public var explanation: String?

    public init(question: String, answer: Answer, choices: [String] = [], grid: GridStack? = nil,
                hint: String? = nil, explanation: String? = nil) {
        self.question = question
        self.answer = answer
        self.choices = choices
        self.grid = grid
        self.hint = hint
        self.explanation = explanation
    }
}

/// A sandbox inside a lesson: the playground's controls with the lesson's starting values.
public struct PlaygroundSpec: Hashable, Sendable {
    public var start: ConvSpec
    /// Optional pooling after the convolution.
    public var pool: PoolSpec.Kind?
    public var poolSize: Pair

    public init(start: ConvSpec, pool: PoolSpec.Kind? = nil, poolSize: Pair = 2) {
        self.start = start
        self.pool = pool
        self.poolSize = poolSize
    }
}

/// One or more kernels applied to a sample image, the results side by side as heatmaps.
public struct ImageSpec: Hashable, Sendable {
    /// A built-in sample image's name (`SampleImage`), or a path relative to the lesson file.
    public var image: String
    public var kernels: [GridStack]
    public var padding: PaddingAmount
    public var paddingMode: Pad2d.Mode
    public var stride: Pair
    public var activation: ActivationChoice?

    public init(image: String, kernels: [GridStack], padding: PaddingAmount = .same, paddingMode: Pad2d.Mode = .zero,
                stride: Pair = 1, activation: ActivationChoice? = nil) {
        self.image = image
        self.kernels = kernels
        self.padding = padding
        self.paddingMode = paddingMode
        self.stride = stride
        self.activation = activation
    }
}

/// A small live training inside a lesson.
public struct TrainSpec: Hashable, Sendable {
    public enum Task: Hashable, Sendable {
        /// Learn one 3x3 (or any size) kernel from pairs (image, image convolved with `target`) by
        /// gradient descent on the mean squared error, starting from `start` (zeros if nil); the
        /// learner can step the backward pass's gradient windows like the forward pass.
        case kernel(target: GridStack, start: GridStack?, image: String)
        /// LeNet-5 on a small subset of the built-in digits, once plain and once regularised, so the
        /// train and validation accuracy curves can be compared (overfitting, then closing the gap).
        /// `dropout`, `weightDecay` and `augment` are the regularised run's remedies; with
        /// `oneAtATime` each chosen remedy also gets a run of its own, so the learner sees which one
        /// closes the gap.
        case overfitting(trainingImages: Int, epochs: Int, dropout: Bool, weightDecay: Float, augment: Bool,
                         oneAtATime: Bool = false)
    }

    public var task: Task
    public var learningRate: Float
    /// Gradient steps (kernel task) the run makes before it stops on its own.
    public var steps: Int

    public init(task: Task, learningRate: Float = 0.1, steps: Int = 200) {
        self.task = task
        self.learningRate = learningRate
        self.steps = steps
    }
}
