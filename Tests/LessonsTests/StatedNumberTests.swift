import Foundation
import Lessons
import Testing

/// `checks`: numbers the lesson text states, verified by `lessons check` against the step's output.
@Suite("Stated numbers (checks)")
struct StatedNumberTests {
    /// A 3x3 input and a 2x2 kernel: the output is [[0*0+1*1+3*2+4*3, ...]] = [[19, 25], [37, 43]].
    static func lesson(convChecks: String, quizChecks: String = "", answer: String = "37") -> String {
        """
        id = "stated"
        title = "Stated numbers"

        [[step]]
        kind = "conv"
        text = "The first cell is 19."
        input = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
        kernel = [[0, 1], [2, 3]]
        \(convChecks)

        [[step]]
        kind = "quiz"
        question = "What is the bottom-left cell?"
        answer = \(answer)
        \(quizChecks)
        """
    }

    static func problems(_ text: String) throws -> [LessonError] {
        let lesson = try LessonParser.parse(text, file: "stated.toml")
        return LessonChecker.problems(in: lesson, lessonFolder: nil)
    }

    @Test("right stated numbers pass; the quiz's answer taken from another step's cell passes")
    func rightNumbers() throws {
        let text = Self.lesson(convChecks: "checks = [{ cell = [1, 1], value = 19 }, { cell = [2, 2], value = 43.004 }]",
                               quizChecks: "checks = [{ step = 1, cell = [2, 1] }]")
        let lesson = try LessonParser.parse(text, file: "stated.toml")
        #expect(lesson.steps[0].checks.count == 2)
        #expect(lesson.steps[0].checks[0] == StatedNumber(row: 1, column: 1, value: 19, line: 9))
        #expect(lesson.steps[1].checks == [StatedNumber(step: 1, row: 2, column: 1, value: nil, line: 15)])
        #expect(try Self.problems(text).isEmpty)
    }

    @Test("a wrong stated number fails, naming file, line, step, cell, stated and computed value")
    func wrongNumber() throws {
        let problems = try Self.problems(Self.lesson(convChecks: "checks = [{ cell = [1, 2], value = 18 }]"))
        #expect(problems.count == 1)
        #expect(problems.first?.description == "stated.toml:9: lesson 'stated', step 1 (conv), checks[1]: the text states 18 "
            + "for output cell [1, 2] of step 1 (conv), but the step computes 25 (allowed difference 0.01)")
    }

    @Test("a quiz answer that disagrees with the step it is taken from fails")
    func wrongQuizAnswer() throws {
        let problems = try Self.problems(Self.lesson(convChecks: "", quizChecks: "checks = [{ step = 1, cell = [2, 1] }]",
                                                     answer: "36"))
        #expect(problems.count == 1)
        #expect(problems.first?.description == "stated.toml:15: lesson 'stated', step 2 (quiz), checks[1]: the quiz's answer "
            + "is 36 for output cell [2, 1] of step 1 (conv), but the step computes 37 (allowed difference 0.01)")
    }

    @Test("tolerance allows the text's rounding, and no more")
    func tolerance() throws {
        // A 2x2 average of 1, 2, 2, 2 is 1.75; the text says 1.8.
        func pool(_ check: String) throws -> [LessonError] {
            try Self.problems("""
            id = "t"
            title = "T"
            [[step]]
            kind = "pool"
            input = [[1, 2], [2, 2]]
            pool = "average"
            predict = true
            checks = [\(check)]
            """)
        }
        #expect(try pool("{ cell = [1, 1], value = 1.8, tolerance = 0.05 }").isEmpty)
        #expect(try pool("{ cell = [1, 1], value = 1.8 }").count == 1)
    }

    @Test("a cell outside the output, a step without output and a missing value are explained")
    func badChecks() throws {
        let outside = try Self.problems(Self.lesson(convChecks: "checks = [{ cell = [3, 1], value = 1 }]"))
        #expect(outside.first?.message == "output cell [3, 1] is outside the output of step 1 (conv), which has 1 channel "
            + "of 2 rows and 2 columns; cells count from 1")
        let quizTarget = try Self.problems(Self.lesson(convChecks: "checks = [{ step = 2, cell = [1, 1], value = 1 }]"))
        #expect(quizTarget.first?.message.hasPrefix("step 2 (quiz) computes no output grid") == true)
        let noValue = try Self.problems(Self.lesson(convChecks: "checks = [{ cell = [1, 1] }]"))
        #expect(noValue.first?.message.hasPrefix("missing 'value'") == true)
    }

    @Test("malformed checks are refused by the parser with the line and what is accepted")
    func malformed() {
        #expect(throws: LessonError.self) { try LessonParser.parse(Self.lesson(convChecks: "checks = [{ cel = [1, 1], value = 1 }]"), file: "s.toml") }
        do {
            _ = try LessonParser.parse(Self.lesson(convChecks: "checks = [{ cell = [0, 1], value = 1 }]"), file: "s.toml")
            Issue.record("cell [0, 1] was accepted")
        } catch {
            #expect(error.description == "s.toml:9: lesson 'stated', step 1 (conv), checks[1].cell: expected cell = [row, column], "
                + "counted from 1 (row 1 is the top row), found an array")
        }
        do {
            _ = try LessonParser.parse(Self.lesson(convChecks: "checks = [{ cell = [1, 1], vaule = 1 }]"), file: "s.toml")
            Issue.record("vaule was accepted")
        } catch {
            #expect(error.message.contains("unknown key 'vaule' in a check (did you mean 'value'?)"))
        }
    }

    @Test("counts of LeNet-5 stated in a text step are read off the network's layer table")
    func networkCounts() throws {
        let text = Self.lesson(convChecks: """
        checks = [{ network = "lenet5", layer = "conv2", count = "parameters", value = 2416 },
                  { network = "lenet5", count = "parameters", value = 61706 },
                  { network = "lenet5", layer = "conv1", count = "multiply_adds", value = 117600 },
                  { network = "lenet5", count = "multiply_adds", value = 416520 },
                  { network = "lenet5", layer = "flatten", count = "outputs", value = 400 },
                  { network = "lenet5", layer = ["conv1", "conv2"], count = "parameters", value = 2572 }]
        """, quizChecks: "checks = [{ network = \"lenet5\", layer = \"fc3\", count = \"parameters\" }]", answer: "850")
        let lesson = try LessonParser.parse(text, file: "stated.toml")
        #expect(lesson.steps[0].checks.first == StatedNumber(network: NetworkCount(layer: "conv2", quantity: .parameters),
                                                             value: 2416, line: 9))
        #expect(lesson.steps[0].checks[1].subject == .network(NetworkCount(layer: nil, quantity: .parameters)))
        #expect(lesson.steps[0].checks[5].subject == .network(NetworkCount(layers: ["conv1", "conv2"], quantity: .parameters)))
        #expect(lesson.steps[1].checks == [StatedNumber(network: NetworkCount(layer: "fc3", quantity: .parameters),
                                                        value: nil, line: 20)])
        #expect(try Self.problems(text).isEmpty)
    }

    @Test("a wrong count of LeNet-5 fails lessons check, naming the layer, the stated and the network's number")
    func wrongNetworkCount() throws {
        let problems = try Self.problems(Self.lesson(
            convChecks: "checks = [{ network = \"lenet5\", layer = \"fc1\", count = \"parameters\", value = 48000 }, "
                + "{ network = \"lenet5\", layer = [\"conv1\", \"conv2\"], count = \"parameters\", value = 2570 }]",
            quizChecks: "checks = [{ network = \"lenet5\", count = \"multiply_adds\" }]", answer: "416000"))
        #expect(problems.map(\.description) == [
            "stated.toml:9: lesson 'stated', step 1 (conv), checks[1]: the text states 48000 for LeNet-5's fc1 parameters, "
                + "but the network has 48120 (allowed difference 0.01)",
            "stated.toml:9: lesson 'stated', step 1 (conv), checks[2]: the text states 2570 for LeNet-5's conv1 + conv2 "
                + "parameters, but the network has 2572 (allowed difference 0.01)",
            "stated.toml:15: lesson 'stated', step 2 (quiz), checks[1]: the quiz's answer is 416000 for LeNet-5's "
                + "multiply-adds (all layers), but the network has 416520 (allowed difference 0.01)",
        ])
    }

    @Test("malformed network checks are refused by the parser, naming the key and what is accepted")
    func malformedNetworkChecks() {
        func message(_ check: String) -> String? {
            do {
                _ = try LessonParser.parse(Self.lesson(convChecks: "checks = [\(check)]"), file: "s.toml")
                return nil
            } catch {
                return error.description
            }
        }
        let prefix = "s.toml:9: lesson 'stated', step 1 (conv), "
        #expect(message("{ network = \"alexnet\", count = \"parameters\", value = 1 }") == prefix
            + "checks[1].network: expected network = \"lenet5\" (the LeNet-5 ConvTutor trains; the only network a check "
            + "can name), found the string \"alexnet\"")
        #expect(message("{ network = \"lenet5\", count = \"weights\", value = 1 }") == prefix
            + "checks[1].count: expected count = one of parameters, multiply_adds, outputs, found the string \"weights\"")
        #expect(message("{ network = \"lenet5\", value = 1 }") == prefix
            + "checks[1].count: expected count = one of parameters, multiply_adds, outputs, found nothing")
        #expect(message("{ network = \"lenet5\", layer = \"conv3\", count = \"parameters\", value = 1 }") == prefix
            + "checks[1].layer: expected a layer of LeNet-5 as `convtutor model` names them, or an array of them (their "
            + "counts are added): input, conv1, relu1, maxpool1, conv2, relu2, maxpool2, flatten, fc1, relu3, fc2, relu4, "
            + "fc3; found the string \"conv3\"")
        #expect(message("{ network = \"lenet5\", layer = [\"conv1\", 2], count = \"parameters\", value = 1 }")?
            .hasSuffix("fc3; found 2") == true)
        #expect(message("{ network = \"lenet5\", layer = [\"conv1\", \"conv1\"], count = \"parameters\", value = 1 }")
            == prefix + "checks[1].layer: 'conv1' is named twice; name each layer once")
        #expect(message("{ network = \"lenet5\", count = \"outputs\", value = 10 }")?
            .hasPrefix(prefix + "checks[1].layer: count = \"outputs\" needs a layer: one of input, conv1") == true)
        #expect(message("{ network = \"lenet5\", cell = [1, 1], count = \"parameters\", value = 1 }") == prefix
            + "checks[1]: unknown key 'cell' in a check; a check of the network (network = ...) takes: network, layer, "
            + "count, value, tolerance")
        #expect(message("{ cell = [1, 1], count = \"parameters\", value = 1 }")?.contains(
            "unknown key 'count' in a check; known keys: cell, channel, value, tolerance, step, stage (or, about the "
            + "network: network, layer, count, value, tolerance; about a kernel-learning run: run, step, value, "
            + "tolerance)") == true)
    }

    @Test("a cell quiz's check without value: the grid's value at the answer cell must be the step's cell")
    func cellQuizAnswer() throws {
        // The conv output is 19 25 / 37 43; the quiz asks where its largest value is.
        let text = Self.lesson(convChecks: "", quizChecks: "checks = [{ step = 1, cell = [2, 2] }]", answer: "[2, 2]")
            .replacingOccurrences(of: "question = \"What is the bottom-left cell?\"",
                                  with: "question = \"Where is the largest value?\"\ngrid = \"19 25; 37 43\"")
        #expect(try Self.problems(text).isEmpty)
        let wrong = try Self.problems(text.replacingOccurrences(of: "answer = [2, 2]", with: "answer = [2, 1]"))
        #expect(wrong.map(\.message) == ["the quiz's answer cell [2, 1] holds 37 for output cell [2, 2] of step 1 (conv), "
            + "but the step computes 43 (allowed difference 0.01)"])
    }

    @Test("a kernel-learning train step's output is the kernel its run ends with; an overfitting step has none")
    func trainedKernel() throws {
        func problems(_ checks: String, task: String = "task = \"kernel\"\ntarget = \"sobel-x\"\nlearning_rate = 0.5\nsteps = 1000")
            throws -> [LessonError] {
            try Self.problems("""
            id = "t"
            title = "T"
            [[step]]
            kind = "train"
            \(task)
            checks = [\(checks)]
            [[step]]
            kind = "quiz"
            question = "?"
            answer = 1
            """)
        }
        // After 1,000 steps at 0.5 on `house`, every entry is within 0.03 of Sobel-x's, not within 0.001.
        let sobelX: [[Float]] = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
        func allCells(tolerance: Float) -> String {
            (1...3).flatMap { row in (1...3).map { column in
                "{ cell = [\(row), \(column)], value = \(sobelX[row - 1][column - 1]), tolerance = \(tolerance) }"
            } }.joined(separator: ", ")
        }
        #expect(try problems(allCells(tolerance: 0.03)).isEmpty)
        let tight = try problems(allCells(tolerance: 0.001))
        #expect(!tight.isEmpty && tight.allSatisfy { $0.message.contains("of step 1 (train), but the step computes") })
        let overfitting = try problems("{ cell = [1, 1], value = 1 }", task: "task = \"overfitting\"")
        #expect(overfitting.map(\.message) == ["step 1 (train) trains LeNet-5 (task = \"overfitting\"), whose results "
            + "are not checked; a kernel task's learned kernel is"])
    }

    @Test("how a kernel-learning run ends: the steps it kept, its loss, its largest error; wrong ones fail")
    func kernelRunMeasures() throws {
        func lesson(_ checks: String) -> String {
            """
            id = "t"
            title = "T"
            [[step]]
            kind = "train"
            task = "kernel"
            target = "sobel-x"
            learning_rate = 1
            steps = 100
            [[step]]
            kind = "quiz"
            question = "?"
            answer = 14
            \(checks)
            """
        }
        // At learning rate 1 the run refuses step 15 and keeps step 14 (lesson 16 says so).
        let right = lesson("checks = [{ run = \"steps\", step = 1 }]")
        #expect(try LessonParser.parse(right, file: "t.toml").steps[1].checks
            == [StatedNumber(subject: .run(.steps, step: 1), value: nil, tolerance: 0.01, line: 13)])
        #expect(try Self.problems(right).isEmpty)
        let wrong = try Self.problems(lesson("checks = [{ run = \"steps\", step = 1, value = 15 }]"))
        #expect(wrong.map(\.message) == ["the text states 15 for the steps the run kept in step 1 (train), but the run "
            + "ends with 14 (allowed difference 0.01)"])
        // The loss and the largest error are the learner's own, whatever they are: a far-off value fails.
        #expect(try Self.problems(lesson("checks = [{ run = \"largest_error\", step = 1, value = 100 }]")).count == 1)
        #expect(try Self.problems(lesson("checks = [{ run = \"loss\", step = 1, value = -1 }]")).count == 1)
        // Not a kernel-learning step: said so.
        let notTrain = try Self.problems(Self.lesson(convChecks: "checks = [{ run = \"steps\", value = 1 }]"))
        #expect(notTrain.map(\.message) == ["step 1 (conv) is not a train step; a run check names a train step with "
            + "task = \"kernel\""])
        // Malformed: the measure, and a key of another kind of check.
        do {
            _ = try LessonParser.parse(lesson("checks = [{ run = \"epochs\", step = 1 }]"), file: "t.toml")
            Issue.record("run = epochs was accepted")
        } catch {
            #expect(error.description == "t.toml:13: lesson 't', step 2 (quiz), checks[1].run: expected run = one of steps, "
                + "loss, largest_error (how a kernel-learning run ends), found the string \"epochs\"")
        }
        do {
            _ = try LessonParser.parse(lesson("checks = [{ run = \"steps\", cell = [1, 1] }]"), file: "t.toml")
            Issue.record("cell in a run check was accepted")
        } catch {
            #expect(error.message == "unknown key 'cell' in a check; a check of a kernel-learning run (run = ...) takes: "
                + "run, step, value, tolerance")
        }
    }

    @Test("a step that does not run is reported once, not again for the numbers stated about it")
    func brokenStepReportedOnce() throws {
        // A 4x4 kernel on a 3x3 input: the step itself fails.
        let problems = try Self.problems(Self.lesson(convChecks: "checks = [{ cell = [1, 1], value = 19 }]")
            .replacingOccurrences(of: "kernel = [[0, 1], [2, 3]]", with: "kernel = [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]"))
        #expect(problems.count == 1)
        #expect(problems.first?.field == "kernel")
    }
}
