import CommonIO
import ConvKernels
import Foundation
import Testing
@testable import Lessons

/// Parses `text` expecting a `LessonError`, and returns it (nil when parsing succeeded).
private func parseError(_ text: String, file: String = "lessons/99-test.toml") -> LessonError? {
    do {
        _ = try LessonParser.parse(text, file: file)
        return nil
    } catch {
        return error
    }
}

/// A lesson whose only step is `step` (the lines after `[[step]]`); the step header is on line 4.
private func oneStep(_ step: String) -> String {
    """
    id = "demo"
    title = "Demo"

    [[step]]
    \(step)
    """
}

@Suite("LessonParser")
struct LessonParserTests {
    // MARK: A full lesson

    static let fullLesson = #"""
    id = "full-lesson"
    title = "Every step kind"
    summary = "One of each."
    order = 7

    [[step]]
    kind = "text"
    title = "Hello"
    text = """
    Some **bold** text.
    """

    [[step]]
    kind = "conv"
    text = "Slide it."
    input = """
    3 3 2 1 0
    0 0 1 3 1
    3 1 2 2 3
    2 0 0 2 2
    2 0 0 0 1
    """
    kernel = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
    bias = 1
    stride = [1, 2]
    padding = 1
    padding_mode = "reflect"
    convention = "tensorflow"
    dilation = 1
    activation = "leaky-relu"
    slope = 0.2
    predict = true

    [[step]]
    kind = "conv"
    input = ["1,2,3\n4,5,6\n7,8,9", """
    5, 6, 7
    7, 8, 9
    0, 0, 0
    """]
    kernels = ["sobel-x", [[[1, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 2]]]]
    bias = [0.5, -1]
    padding = "same"

    [[step]]
    kind = "conv"
    input = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
    kernel = "identity"
    depthwise = true
    padding = "valid"

    [[step]]
    kind = "pool"
    input = """
    1 2 3 4
    5 6 7 8
    """
    pool = "max"
    size = 2
    stride = [1, 2]
    padding = 0
    predict = true

    [[step]]
    kind = "pool"
    input = "1 2\n3 4"
    pool = "global-average"

    [[step]]
    kind = "activation"
    function = "leaky-relu"
    slope = 0.1
    input = "-1 0 2"
    range = [-3, 3.5]
    derivative = false

    [[step]]
    kind = "activation"
    function = "softmax"

    [[step]]
    kind = "pipeline"
    input = """
    0 0 1 1
    0 0 1 1
    0 0 1 1
    0 0 1 1
    """
      [[step.stage]]
      op = "conv"
      kernels = ["sobel-x", "sobel-y"]
      padding = 1
      [[step.stage]]
      op = "activation"
      function = "relu"
      [[step.stage]]
      op = "pool"
      pool = "max"
      size = 2

    [[step]]
    kind = "quiz"
    question = "Output size?"
    answer = "3x3"
    hint = "Use the formula."
    explanation = "(7 - 3) / 2 + 1 = 3"

    [[step]]
    kind = "quiz"
    question = "Sum?"
    answer = 12
    tolerance = 0.5

    [[step]]
    kind = "quiz"
    question = "Which?"
    choices = ["max", "average", "sum"]
    answer = 2

    [[step]]
    kind = "quiz"
    question = "Which, by text?"
    choices = ["max", "average", "sum"]
    answer = "sum"

    [[step]]
    kind = "quiz"
    question = "Where is the largest value?"
    grid = """
    1 2 3
    4 9 6
    """
    answer = [2, 2]

    [[step]]
    kind = "quiz"
    question = "Shape, typed?"
    type = "shape"
    answer = "(6, 28, 28)"

    [[step]]
    kind = "playground"
    input = "1 2 3\n4 5 6\n7 8 9"
    kernel = "sobel-x"
    stride = 1
    padding = 1
    pool = "max"
    pool_size = 2

    [[step]]
    kind = "image"
    image = "house"
    kernels = ["sobel-x", "sobel-y", "laplacian"]
    padding_mode = "replicate"
    activation = "relu"

    [[step]]
    kind = "train"
    task = "kernel"
    target = "sobel-x"
    start = """
    0 0 0
    0 0 0
    0 0 0
    """
    image = "checkerboard"
    learning_rate = 0.05
    steps = 150

    [[step]]
    kind = "train"
    task = "overfitting"
    training_images = 300
    epochs = 20
    dropout = false
    weight_decay = 0.001
    augment = false
    one_at_a_time = true
    """#

    @Test func fullLessonParsesIntoTheModel() throws {
        let lesson = try LessonParser.parse(Self.fullLesson, file: "full.toml")
        #expect(lesson.id == "full-lesson")
        #expect(lesson.title == "Every step kind")
        #expect(lesson.summary == "One of each.")
        #expect(lesson.order == 7)
        #expect(lesson.file == "full.toml")
        #expect(lesson.steps.count == 19)
        let s = lesson.steps

        #expect(s[0].title == "Hello")
        #expect(s[0].text == "Some **bold** text.\n")
        guard case .text = s[0].content else { Issue.record("step 1 is not text"); return }

        guard case .conv(let conv) = s[1].content else { Issue.record("step 2 is not conv"); return }
        #expect(s[1].text == "Slide it.")
        #expect(conv.input == GridStack([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2],
                                         [2, 0, 0, 0, 1]]))
        #expect(conv.kernels == [GridStack([[0, 1, 2], [2, 2, 0], [0, 1, 2]])])
        #expect(conv.bias == [1])
        #expect(conv.stride == Pair(1, 2))
        #expect(conv.padding == .explicit(rows: 1, columns: 1))
        #expect(conv.paddingMode == .reflect)
        #expect(conv.rule == .tensorflow)
        #expect(conv.dilation == 1)
        #expect(conv.depthwise == false)
        #expect(conv.activation == .elementwise(.leakyRelu(slope: 0.2)))
        #expect(conv.predict)
        #expect(s[1].isExercise)

        guard case .conv(let multi) = s[2].content else { Issue.record("step 3 is not conv"); return }
        #expect(multi.input == GridStack(channels: [[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[5, 6, 7], [7, 8, 9], [0, 0, 0]]]))
        #expect(multi.kernels.count == 2)
        #expect(multi.kernels[0] == KernelPreset.sobelX.stack(channels: 2))
        #expect(multi.kernels[0].presetName == "sobel-x")
        #expect(multi.kernels[1] == GridStack(channels: [[[1, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 2]]]))
        #expect(multi.bias == [0.5, -1])
        #expect(multi.padding == .same)
        #expect(multi.paddingMode == .zero && multi.rule == .pytorch && multi.stride == 1)
        #expect(multi.activation == nil && !multi.predict)

        guard case .conv(let depthwise) = s[3].content else { Issue.record("step 4 is not conv"); return }
        #expect(depthwise.depthwise)
        #expect(depthwise.padding == .valid)
        #expect(depthwise.kernels == [KernelPreset.identity.stack(), KernelPreset.identity.stack()])
        #expect(depthwise.bias == [0, 0])

        guard case .pool(let pool) = s[4].content else { Issue.record("step 5 is not pool"); return }
        #expect(pool.input == GridStack([[1, 2, 3, 4], [5, 6, 7, 8]]))
        #expect(pool.kind == .max && pool.size == 2 && pool.stride == Pair(1, 2) && pool.padding == 0 && pool.predict)
        guard case .pool(let global) = s[5].content else { Issue.record("step 6 is not pool"); return }
        #expect(global.kind == .globalAverage && global.size == 2 && global.stride == 2 && !global.predict)

        guard case .activation(let leaky) = s[6].content else { Issue.record("step 7 is not activation"); return }
        #expect(leaky.function == .elementwise(.leakyRelu(slope: 0.1)))
        #expect(leaky.input == GridStack([[-1, 0, 2]]))
        #expect(leaky.plotRange == -3...3.5)
        #expect(!leaky.showDerivative)
        guard case .activation(let softmax) = s[7].content else { Issue.record("step 8 is not activation"); return }
        #expect(softmax.function == .softmax && softmax.input == nil && softmax.plotRange == -4...4)
        #expect(softmax.showDerivative)

        guard case .pipeline(let pipeline) = s[8].content else { Issue.record("step 9 is not pipeline"); return }
        #expect(pipeline.input.width == 4 && pipeline.stages.count == 3)
        guard case .conv(let stageConv) = pipeline.stages[0] else { Issue.record("stage 1 is not conv"); return }
        #expect(stageConv.kernels == [KernelPreset.sobelX.stack(), KernelPreset.sobelY.stack()])
        #expect(stageConv.padding == .explicit(rows: 1, columns: 1))
        #expect(pipeline.stages[1] == .activation(.elementwise(.relu)))
        guard case .pool(let stagePool) = pipeline.stages[2] else { Issue.record("stage 3 is not pool"); return }
        #expect(stagePool.kind == .max && stagePool.size == 2 && stagePool.stride == 2)

        guard case .quiz(let shape) = s[9].content else { Issue.record("step 10 is not quiz"); return }
        #expect(shape.question == "Output size?")
        #expect(shape.answer == .shape([3, 3]))
        #expect(shape.hint == "Use the formula.")
        #expect(shape.explanation == "(7 - 3) / 2 + 1 = 3")
        guard case .quiz(let number) = s[10].content else { Issue.record("step 11 is not quiz"); return }
        #expect(number.answer == .number(12, tolerance: 0.5))
        guard case .quiz(let choice) = s[11].content else { Issue.record("step 12 is not quiz"); return }
        #expect(choice.answer == .choice(1))
        #expect(choice.choices == ["max", "average", "sum"])
        guard case .quiz(let byText) = s[12].content else { Issue.record("step 13 is not quiz"); return }
        #expect(byText.answer == .choice(2))
        guard case .quiz(let cell) = s[13].content else { Issue.record("step 14 is not quiz"); return }
        #expect(cell.answer == .cell(row: 1, column: 1))
        #expect(cell.grid == GridStack([[1, 2, 3], [4, 9, 6]]))
        guard case .quiz(let typed) = s[14].content else { Issue.record("step 15 is not quiz"); return }
        #expect(typed.answer == .shape([6, 28, 28]))
        #expect(s[14].isExercise)

        guard case .playground(let playground) = s[15].content else { Issue.record("step 16 is not playground"); return }
        #expect(playground.start.input == GridStack([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))
        #expect(playground.start.kernels == [KernelPreset.sobelX.stack()])
        #expect(playground.start.padding == .explicit(rows: 1, columns: 1))
        #expect(playground.pool == .max && playground.poolSize == 2)

        guard case .image(let image) = s[16].content else { Issue.record("step 17 is not image"); return }
        #expect(image.image == "house")
        #expect(image.kernels.map(\.presetName) == ["sobel-x", "sobel-y", "laplacian"])
        #expect(image.padding == .same && image.paddingMode == .replicate && image.stride == 1)
        #expect(image.activation == .elementwise(.relu))

        guard case .train(let kernelTask) = s[17].content else { Issue.record("step 18 is not train"); return }
        #expect(kernelTask.task == .kernel(target: KernelPreset.sobelX.stack(), start: GridStack(Array(
            repeating: [0, 0, 0], count: 3)), image: "checkerboard"))
        #expect(kernelTask.learningRate == 0.05 && kernelTask.steps == 150)
        guard case .train(let overfitting) = s[18].content else { Issue.record("step 19 is not train"); return }
        #expect(overfitting.task == .overfitting(trainingImages: 300, epochs: 20, dropout: false, weightDecay: 0.001,
                                                 augment: false, oneAtATime: true))
    }

    @Test func defaultsApplyWhenKeysAreLeftOut() throws {
        let lesson = try LessonParser.parse(oneStep("""
        kind = "conv"
        input = "1 2 3\\n4 5 6\\n7 8 9"
        kernel = "laplacian"
        """), file: "x.toml")
        #expect(lesson.summary == "" && lesson.order == nil)
        guard case .conv(let conv) = lesson.steps[0].content else { Issue.record("not conv"); return }
        #expect(conv.bias == [0] && conv.stride == 1 && conv.dilation == 1)
        #expect(conv.padding == .explicit(rows: 0, columns: 0))
        #expect(conv.paddingMode == .zero && conv.rule == .pytorch && conv.activation == nil && !conv.predict)
        #expect(lesson.steps[0].text == "" && lesson.steps[0].title == nil)

        let train = try LessonParser.parse(oneStep("kind = \"train\"\ntask = \"overfitting\""), file: "x.toml")
        guard case .train(let spec) = train.steps[0].content else { Issue.record("not train"); return }
        #expect(spec.task == .overfitting(trainingImages: 500, epochs: 30, dropout: true, weightDecay: 0.0005,
                                          augment: true, oneAtATime: false))
        let kernelTrain = try LessonParser.parse(oneStep("kind = \"train\"\ntask = \"kernel\"\ntarget = \"sobel-y\""),
                                                 file: "x.toml")
        guard case .train(let kernelSpec) = kernelTrain.steps[0].content else { Issue.record("not train"); return }
        #expect(kernelSpec.task == .kernel(target: KernelPreset.sobelY.stack(), start: nil, image: "house"))
        #expect(kernelSpec.learningRate == 0.1 && kernelSpec.steps == 200)

        let image = try LessonParser.parse(oneStep("kind = \"image\"\nimage = \"circle\"\nkernel = \"gaussian\""),
                                           file: "x.toml")
        guard case .image(let imageSpec) = image.steps[0].content else { Issue.record("not image"); return }
        #expect(imageSpec.kernels == [KernelPreset.gaussian.stack()] && imageSpec.padding == .same)
    }

    @Test func gridsAcceptCommasSpacesTabsAndSignedNumbers() throws {
        let lesson = try LessonParser.parse(oneStep("""
        kind = "pool"
        pool = "sum"
        input = \"\"\"

          1, -2.5,\t3
        +4 1e1 \u{2212}6

        \"\"\"
        """), file: "x.toml")
        guard case .pool(let pool) = lesson.steps[0].content else { Issue.record("not pool"); return }
        #expect(pool.input == GridStack([[1, -2.5, 3], [4, 10, -6]]))
    }

    @Test func presetIsRepeatedAcrossTheInputChannels() throws {
        let lesson = try LessonParser.parse(oneStep("""
        kind = "conv"
        input = ["1 2\\n3 4", "5 6\\n7 8", "0 0\\n0 0"]
        kernel = "box-blur"
        bias = [2]
        """), file: "x.toml")
        guard case .conv(let conv) = lesson.steps[0].content else { Issue.record("not conv"); return }
        #expect(conv.kernels.count == 1)
        #expect(conv.kernels[0].channelCount == 3)
        #expect(conv.kernels[0].channels.allSatisfy { $0 == KernelPreset.boxBlur.grid })
        #expect(conv.bias == [2])
    }

    @Test func quizTypeIsInferred() throws {
        func answer(_ keys: String) throws -> QuizSpec.Answer? {
            let lesson = try LessonParser.parse(oneStep("kind = \"quiz\"\nquestion = \"Q?\"\n" + keys), file: "x.toml")
            guard case .quiz(let quiz) = lesson.steps[0].content else { return nil }
            return quiz.answer
        }
        #expect(try answer("answer = 2.5") == .number(2.5, tolerance: 0.01))
        #expect(try answer("answer = \"-3\"") == .number(-3, tolerance: 0.01))
        #expect(try answer("answer = \"6 x 28 x 28\"") == .shape([6, 28, 28]))
        #expect(try answer("answer = \"6,28,28\"") == .shape([6, 28, 28]))
        #expect(try answer("choices = [\"a\", \"b\"]\nanswer = \"b\"") == .choice(1))
        #expect(try answer("grid = \"1 2\\n3 4\"\nanswer = [1, 2]") == .cell(row: 0, column: 1))
        #expect(try answer("type = \"number\"\nanswer = 3\ntolerance = 0") == .number(3, tolerance: 0))
        #expect(try answer("type = \"shape\"\nanswer = [2, 3]") == .shape([2, 3]))
    }

    // MARK: Syntax errors

    @Test func syntaxErrorGivesFileLineColumnAndWhatWasExpected() throws {
        let error = try #require(parseError("""
        id = "demo"
        title = "Demo"

        [[step]]
        kind =
        text = "x"
        """))
        #expect(error.file == "lessons/99-test.toml")
        #expect(error.line == 5)
        #expect(error.column != nil)
        let text = error.description
        #expect(text.hasPrefix("lessons/99-test.toml:5:"))
        #expect(text.contains("expected"))
    }

    @Test func duplicateKeyIsASyntaxError() throws {
        let error = try #require(parseError("id = \"a\"\ntitle = \"T\"\ntitle = \"U\"\n"))
        #expect(error.line == 3)
        #expect(error.description.hasPrefix("lessons/99-test.toml:3:"))
    }

    // MARK: Lesson-level errors

    @Test func missingIdTitleAndStepsAreNamed() throws {
        let noID = try #require(parseError("title = \"T\"\n[[step]]\nkind = \"text\"\ntext = \"x\""))
        #expect(noID.description.contains("missing required key 'id'"))
        let noTitle = try #require(parseError("id = \"a\"\n[[step]]\nkind = \"text\"\ntext = \"x\""))
        #expect(noTitle.lessonID == "a")
        #expect(noTitle.description.contains("lesson 'a'"))
        #expect(noTitle.description.contains("missing required key 'title'"))
        let noSteps = try #require(parseError("id = \"a\"\ntitle = \"T\"\n"))
        #expect(noSteps.description.contains("no steps"))
    }

    @Test func badIdAndUnknownTopLevelKey() throws {
        let badID = try #require(parseError("id = \"my lesson\"\ntitle = \"T\"\n"))
        #expect(badID.field == "id")
        #expect(badID.line == 1)
        #expect(badID.message.contains("letters, digits and '-'"))
        let unknown = try #require(parseError("id = \"a\"\ntitle = \"T\"\nauthor = \"me\"\n"))
        #expect(unknown.field == "author")
        #expect(unknown.line == 3)
        #expect(unknown.message.contains("known keys: id, title, summary, order, step"))
    }

    // MARK: Step errors

    @Test func raggedRowsNameLessonStepKindFieldAndCounts() throws {
        let error = try #require(parseError(oneStep("""
        kind = "conv"
        input = "1 2 3\\n4 5 6\\n7 8 9"
        kernel = \"\"\"
        1 2 3
        4 5
        \"\"\"
        """)))
        #expect(error.lessonID == "demo" && error.step == 1 && error.stepKind == "conv" && error.field == "kernel")
        #expect(error.line == 7)
        #expect(error.description == "lessons/99-test.toml:7: lesson 'demo', step 1 (conv), kernel: "
            + "row 2 has 2 values, row 1 has 3; every row needs the same number")
    }

    @Test("grid strings accept the command line's '1 2; 3 4' rows, and refuse what it refuses in the same words")
    func semicolonRowsAsOnTheCommandLine() throws {
        let lesson = try LessonParser.parse(oneStep("""
        kind = "conv"
        input = "0 1 2; 3 4 5; 6 7 8"
        kernel = "0 1; 2 3;"
        """), file: "lessons/99-test.toml")
        guard case .conv(let spec) = lesson.steps[0].content else { Issue.record("not a conv step"); return }
        #expect(spec.input.channels == [[[0, 1, 2], [3, 4, 5], [6, 7, 8]]])
        #expect(spec.kernels[0].channels == [[[0, 1], [2, 3]]])
        // The same reader as `--input`: CommonIO.GridRows, so the same message.
        let ragged = try #require(parseError(oneStep("kind = \"pool\"\npool = \"max\"\ninput = \"0 1 2; 3 4\"")))
        let commandLine = #expect(throws: KernelError.self) { try GridRows.parse("0 1 2; 3 4") }
        #expect(ragged.message == commandLine?.message)
        #expect(ragged.message == "row 2 has 2 values, row 1 has 3; every row needs the same number")
        let empty = try #require(parseError(oneStep("kind = \"pool\"\npool = \"max\"\ninput = \"1 2; ; 3 4\"")))
        #expect(empty.field == "input" && empty.message == "row 2 is empty; every row needs at least one number")
        let hex = try #require(parseError(oneStep("kind = \"pool\"\npool = \"max\"\ninput = \"0x10 1\"")))
        #expect(hex.message == "'0x10' in row 1 is not a number")
    }

    @Test func raggedArrayRowsAndChannelsOfDifferentSizes() throws {
        let ragged = try #require(parseError(oneStep("kind = \"pool\"\npool = \"max\"\ninput = [[1, 2], [3]]")))
        #expect(ragged.message == "row 2 has 1 value, row 1 has 2; every row needs the same number")
        let channels = try #require(parseError(oneStep("kind = \"pool\"\npool = \"max\"\ninput = [\"1 2\\n3 4\", \"1 2 3\"]")))
        #expect(channels.field == "input")
        #expect(channels.message.contains("channel 2 is 1x3, channel 1 is 2x2; every channel needs the same size"))
    }

    @Test func nonNumbersAreQuotedWithTheirRow() throws {
        let error = try #require(parseError(oneStep("""
        kind = "conv"
        input = "1 x 3\\n4 5 6"
        kernel = "identity"
        """)))
        #expect(error.field == "input")
        #expect(error.line == 6)
        #expect(error.message == "'x' in row 1 is not a number")
        let inArray = try #require(parseError(oneStep("kind = \"pool\"\npool = \"max\"\ninput = [[1, 2], [3, \"y\"]]")))
        #expect(inArray.message == "'y' in row 2 is not a number")
        let inChannel = try #require(parseError(oneStep("kind = \"pool\"\npool = \"max\"\ninput = [\"1 2\", \"3 z\"]")))
        #expect(inChannel.message == "channel 2: 'z' in row 1 is not a number")
    }

    @Test func unknownStepKindListsTheKnownKinds() throws {
        let text = """
        id = "convolution"
        title = "T"

        [[step]]
        kind = "text"
        text = "hi"

        [[step]]
        kind = "convolve"
        """
        let error = try #require(parseError(text, file: "lessons/03-convolution.toml"))
        #expect(error.step == 2 && error.field == "kind" && error.line == 9)
        #expect(error.description == "lessons/03-convolution.toml:9: lesson 'convolution', step 2, kind: "
            + "unknown step kind 'convolve'; known kinds: text, conv, pool, activation, pipeline, quiz, playground, "
            + "image, train")
        let missing = try #require(parseError(oneStep("title = \"no kind\"")))
        #expect(missing.message.contains("missing required key 'kind'; known kinds: text, conv"))
        #expect(missing.line == 4)
    }

    @Test func unknownKeyListsTheKnownKeysForThatKind() throws {
        let error = try #require(parseError(oneStep("""
        kind = "pool"
        input = "1 2\\n3 4"
        pool = "max"
        strid = 2
        """)))
        #expect(error.field == "strid" && error.line == 8 && error.stepKind == "pool")
        #expect(error.message == "unknown key 'strid' for a pool step (did you mean 'stride'?); known keys: "
            + "kind, title, text, checks, input, pool, size, stride, padding, predict")
        let textStep = try #require(parseError(oneStep("kind = \"text\"\ntext = \"a\"\ninput = \"1\"")))
        #expect(textStep.message.contains("known keys: kind, title, text"))
    }

    @Test func missingRequiredKeysAreNamed() throws {
        let input = try #require(parseError(oneStep("kind = \"conv\"\nkernel = \"identity\"")))
        #expect(input.stepKind == "conv" && input.line == 4)
        #expect(input.message.hasPrefix("missing required key 'input'"))
        let kernel = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1 2\"")))
        #expect(kernel.message.hasPrefix("missing required key 'kernel'"))
        #expect(kernel.message.contains(KernelPreset.namesList))
        let text = try #require(parseError(oneStep("kind = \"text\"")))
        #expect(text.message.hasPrefix("missing required key 'text'"))
        let pool = try #require(parseError(oneStep("kind = \"pool\"\ninput = \"1 2\"")))
        #expect(pool.message == "missing required key 'pool' (one of: max, average, sum, global-average)")
        let question = try #require(parseError(oneStep("kind = \"quiz\"\nanswer = 1")))
        #expect(question.message.hasPrefix("missing required key 'question'"))
        let task = try #require(parseError(oneStep("kind = \"train\"")))
        #expect(task.message == "missing required key 'task' (kernel or overfitting)")
        let function = try #require(parseError(oneStep("kind = \"activation\"")))
        #expect(function.message.hasPrefix("missing required key 'function'"))
        let image = try #require(parseError(oneStep("kind = \"image\"\nkernel = \"sobel-x\"")))
        #expect(image.message.hasPrefix("missing required key 'image'"))
    }

    @Test func unknownPresetListsThePresets() throws {
        let error = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1 2\"\nkernels = [\"sobel-x\", \"sobelx\"]")))
        #expect(error.field == "kernels")
        #expect(error.message == "kernel 2: unknown kernel preset 'sobelx'; known presets: \(KernelPreset.namesList)")
    }

    @Test func strideAndDilationBelowOneAreRefused() throws {
        let stride = try #require(parseError(oneStep("""
        kind = "conv"
        input = "1 2\\n3 4"
        kernel = "1"
        stride = 0
        """)))
        #expect(stride.field == "stride" && stride.line == 8)
        #expect(stride.description == "lessons/99-test.toml:8: lesson 'demo', step 1 (conv), stride: "
            + "stride 0 is invalid; stride must be at least 1")
        let dilation = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1 2\"\nkernel = \"1\"\ndilation = [1, 0]")))
        #expect(dilation.message == "dilation 0 along the columns is invalid; dilation must be at least 1")
        let padding = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1 2\"\nkernel = \"1\"\npadding = -1")))
        #expect(padding.message == "padding -1 is invalid; padding must be 0 or more")
        let word = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1 2\"\nkernel = \"1\"\npadding = \"full\"")))
        #expect(word.message.contains("\"same\" or \"valid\""))
        let poolSize = try #require(parseError(oneStep("kind = \"pool\"\ninput = \"1 2\"\npool = \"max\"\nsize = 0")))
        #expect(poolSize.field == "size")
    }

    @Test func kernelChannelsMustMatchTheInput() throws {
        let error = try #require(parseError(oneStep("""
        kind = "conv"
        input = ["1 2\\n3 4", "5 6\\n7 8", "1 1\\n1 1"]
        kernel = ["1", "2"]
        """)))
        #expect(error.field == "kernel" && error.line == 7)
        #expect(error.message == "the kernel has 2 channels, the input has 3 channels; give one grid per input channel "
            + "(a preset is repeated across the channels)")
        let depthwise = try #require(parseError(oneStep("""
        kind = "conv"
        input = ["1 2\\n3 4", "5 6\\n7 8"]
        kernels = ["identity"]
        depthwise = true
        """)))
        #expect(depthwise.message.contains("depthwise needs one filter per input channel"))
        let sizes = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1 2\"\nkernels = [\"1\", \"1 2\"]")))
        #expect(sizes.message == "kernel 2 is 1x2, kernel 1 is 1x1; every filter needs the same size")
        let both = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1 2\"\nkernel = \"1\"\nkernels = [\"1\"]")))
        #expect(both.message.contains("not both"))
    }

    @Test func biasCountMustMatchTheFilters() throws {
        let error = try #require(parseError(oneStep("""
        kind = "conv"
        input = "1 2\\n3 4"
        kernels = ["1", "2"]
        bias = [1, 2, 3]
        """)))
        #expect(error.field == "bias" && error.line == 8)
        #expect(error.message == "3 biases for 2 filters; give one number per filter (or a single number for all)")
    }

    @Test func badQuizzesAreExplained() throws {
        let outside = try #require(parseError(oneStep("""
        kind = "quiz"
        question = "Where?"
        grid = "1 2 3\\n4 5 6"
        answer = [3, 1]
        """)))
        #expect(outside.field == "answer" && outside.line == 8 && outside.stepKind == "quiz")
        #expect(outside.message.hasPrefix("cell [3, 1] is outside the 2x3 grid; rows go from 1 to 2 and columns from 1 to 3"))
        let range = try #require(parseError(oneStep("kind = \"quiz\"\nquestion = \"Q\"\nchoices = [\"a\", \"b\"]\nanswer = 3")))
        #expect(range.message == "choice 3 is out of range; the choices are numbered 1 to 2")
        let zero = try #require(parseError(oneStep("kind = \"quiz\"\nquestion = \"Q\"\nchoices = [\"a\", \"b\"]\nanswer = 0")))
        #expect(zero.message.contains("out of range"))
        let text = try #require(parseError(oneStep("kind = \"quiz\"\nquestion = \"Q\"\nchoices = [\"a\", \"b\"]\nanswer = \"c\"")))
        #expect(text.message.contains("\"c\" is not one of the choices"))
        let duplicate = try #require(parseError(oneStep("kind = \"quiz\"\nquestion = \"Q\"\nchoices = [\"a\", \"a\"]\nanswer = 1")))
        #expect(duplicate.message.contains("choice 2 repeats choice 1"))
        let cellWithoutGrid = try #require(parseError(oneStep("kind = \"quiz\"\nquestion = \"Q\"\ntype = \"cell\"\nanswer = [1, 1]")))
        #expect(cellWithoutGrid.message.hasPrefix("missing required key 'grid'"))
        let unclear = try #require(parseError(oneStep("kind = \"quiz\"\nquestion = \"Q\"\nanswer = \"maybe\"")))
        #expect(unclear.message.contains("set type = number | shape | choice | cell"))
        let badType = try #require(parseError(oneStep("kind = \"quiz\"\nquestion = \"Q\"\nanswer = 1\ntype = \"essay\"")))
        #expect(badType.message == "unknown type 'essay'; use one of: number, shape, choice, cell")
    }

    @Test func pipelineStageErrorsNameTheStage() throws {
        let text = """
        id = "demo"
        title = "Demo"

        [[step]]
        kind = "pipeline"
        input = "1 2 3\\n4 5 6\\n7 8 9"
          [[step.stage]]
          op = "conv"
          kernel = "sobel-x"
          [[step.stage]]
          op = "pool"
          pool = "max"
          size = 0
        """
        let error = try #require(parseError(text))
        #expect(error.field == "stage 2.size" && error.line == 13)
        #expect(error.description == "lessons/99-test.toml:13: lesson 'demo', step 1 (pipeline), stage 2.size: "
            + "size 0 is invalid; size must be at least 1")
        let op = try #require(parseError(oneStep("kind = \"pipeline\"\ninput = \"1\"\n[[step.stage]]\nop = \"flatten\"")))
        #expect(op.field == "stage 1.op" && op.line == 8)
        #expect(op.message == "unknown op 'flatten'; known ops: conv, activation, pool")
        let keys = try #require(parseError(oneStep("kind = \"pipeline\"\ninput = \"1\"\n[[step.stage]]\nop = \"activation\"\nsize = 2")))
        #expect(keys.message.contains("known keys: op, function, slope"))
        // After a two-filter conv, the next conv's kernels need two channels.
        let channels = try #require(parseError(oneStep("""
        kind = "pipeline"
        input = "1 2 3\\n4 5 6\\n7 8 9"
        [[step.stage]]
        op = "conv"
        kernels = ["sobel-x", "sobel-y"]
        [[step.stage]]
        op = "conv"
        kernel = "1"
        """)))
        #expect(channels.field == "stage 2.kernel")
        #expect(channels.message.contains("the input has 2 channels"))
    }

    @Test func otherValueErrors() throws {
        let slope = try #require(parseError(oneStep("kind = \"activation\"\nfunction = \"relu\"\nslope = 0.1")))
        #expect(slope.field == "slope" && slope.message.contains("leaky-relu"))
        let function = try #require(parseError(oneStep("kind = \"activation\"\nfunction = \"gelu\"")))
        #expect(function.message == "unknown function 'gelu'; use one of: relu, leaky-relu, sigmoid, tanh, softmax")
        let convSoftmax = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1\"\nkernel = \"1\"\nactivation = \"softmax\"")))
        #expect(convSoftmax.message == "unknown activation 'softmax'; use one of: relu, leaky-relu, sigmoid, tanh")
        let range = try #require(parseError(oneStep("kind = \"activation\"\nfunction = \"tanh\"\nrange = [2, 1]")))
        #expect(range.field == "range")
        let mode = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1\"\nkernel = \"1\"\npadding_mode = \"mirror\"")))
        #expect(mode.message == "unknown padding_mode 'mirror'; use one of: zero, reflect, replicate, circular")
        let convention = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1\"\nkernel = \"1\"\nconvention = \"keras\"")))
        #expect(convention.message == "unknown convention 'keras'; use one of: pytorch, tensorflow, cs231n")
        let predict = try #require(parseError(oneStep("kind = \"conv\"\ninput = \"1\"\nkernel = \"1\"\npredict = \"yes\"")))
        #expect(predict.message == "expected true or false, found the string \"yes\"")
        let oneAtATime = try #require(parseError(oneStep("kind = \"train\"\ntask = \"overfitting\"\none_at_a_time = 1")))
        #expect(oneAtATime.field == "one_at_a_time" && oneAtATime.message == "expected true or false, found 1")
        let kernelOnly = try #require(parseError(oneStep("kind = \"train\"\ntask = \"kernel\"\ntarget = \"sobel-x\"\none_at_a_time = true")))
        #expect(kernelOnly.field == "one_at_a_time" && kernelOnly.message.contains("task = \"kernel\""))
        let taskKeys = try #require(parseError(oneStep("kind = \"train\"\ntask = \"overfitting\"\ntarget = \"sobel-x\"")))
        #expect(taskKeys.field == "target" && taskKeys.message.contains("task = \"overfitting\""))
        let start = try #require(parseError(oneStep("kind = \"train\"\ntask = \"kernel\"\ntarget = \"sobel-x\"\nstart = \"0 0\\n0 0\"")))
        #expect(start.field == "start")
        let empty = try #require(parseError(oneStep("kind = \"pool\"\npool = \"max\"\ninput = \"\"")))
        #expect(empty.message.hasPrefix("the grid is empty"))
        let blankRow = try #require(parseError(oneStep("kind = \"pool\"\npool = \"max\"\ninput = \"1 2\\n\\n3 4\"")))
        #expect(blankRow.message.hasPrefix("row 2 is empty"))
    }

    @Test func linesAreFoundForTheRightStep() throws {
        // The second step's error points into the second step, past a grid whose lines look like keys.
        let text = """
        id = "demo"
        title = "Demo"
        [[step]]
        kind = "text"
        text = \"\"\"
        stride = 0
        \"\"\"
        [[step]]
        kind = "pool"
        input = "1 2"
        pool = "max"
          stride = 0
        """
        let error = try #require(parseError(text))
        #expect(error.step == 2 && error.line == 12)
    }

    @Test func loadReadsTheFileAndNamesAMissingOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parser-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("01-a.toml").path
        try oneStep("kind = \"text\"\ntext = \"hi\"").write(toFile: path, atomically: true, encoding: .utf8)
        let lesson = try LessonParser.load(path: path)
        #expect(lesson.file == path && lesson.id == "demo")
        do {
            _ = try LessonParser.load(path: folder.appendingPathComponent("missing.toml").path)
            Issue.record("expected an error")
        } catch {
            #expect(error.file.hasSuffix("missing.toml"))
            #expect(error.message.hasPrefix("cannot read the file"))
        }
    }
}
