import ConvKernels
import Foundation
import Testing
@testable import Lessons

/// Issue 13: a lesson's numbers are checked where they are read, a step's computation is checked
/// against the budget before it runs, and only regular files are read as lessons and progress.
@Suite("Hostile lessons")
struct HostileLessonTests {
    static let hostileValues = ["0", "-1", "1000000000", "\(Int.max)", "\(Int.min)"]

    /// Step tables with one numeric key left out, and the keys to sweep in each.
    static let templates: [(name: String, step: String, keys: [String])] = [
        ("conv", """
            kind = "conv"
            input = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
            kernel = [[1, 0], [0, 1]]
            """, ["stride", "padding", "dilation"]),
        ("pool", """
            kind = "pool"
            pool = "max"
            input = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 8, 7, 6], [5, 4, 3, 2]]
            """, ["size", "stride", "padding"]),
        ("playground", """
            kind = "playground"
            input = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
            pool = "max"
            """, ["stride", "padding", "dilation", "pool_size"]),
        ("image", """
            kind = "image"
            image = "house"
            kernel = "identity"
            """, ["stride", "padding"]),
        ("train kernel", """
            kind = "train"
            task = "kernel"
            target = "sobel-x"
            """, ["steps"]),
        ("train overfitting", """
            kind = "train"
            task = "overfitting"
            """, ["training_images", "epochs"]),
    ]

    static func lesson(step: String, key: String, value: String) -> String {
        """
        id = "hostile"
        title = "Hostile"

        [[step]]
        \(step)
        \(key) = \(value)

        [[step]]
        kind = "quiz"
        type = "number"
        question = "1 + 1?"
        answer = 2
        """
    }

    /// Parses and checks `text`: a refusal must be a `LessonError` with the line, never a trap.
    static func parseAndCheck(_ text: String, _ what: String) {
        do {
            let lesson = try LessonParser.parse(text, file: "hostile.toml")
            for problem in LessonChecker.problems(in: lesson, lessonFolder: nil) {
                #expect(!problem.message.isEmpty, "\(what)")
            }
        } catch {
            #expect(error.line != nil, "\(what): \(error)")
            #expect(error.file == "hostile.toml", "\(what): \(error)")
            #expect(error.message.contains("must") || error.message.contains("limit") || error.message.contains("expected"), "\(what): \(error)")
        }
    }

    @Test("every numeric key of every step kind at 0, -1, 1e9, Int.max and Int.min: a clean error or a sound step",
          arguments: templates)
    func numericKeySweep(_ template: (name: String, step: String, keys: [String])) {
        for key in template.keys {
            for value in Self.hostileValues + ["[1, \(Int.max)]", "[\(Int.max), 0]"] {
                Self.parseAndCheck(Self.lesson(step: template.step, key: key, value: value), "\(template.name) \(key) = \(value)")
            }
        }
    }

    @Test("pipeline stages take the same ranges")
    func pipelineSweep() {
        let stages: [(String, [String])] = [
            ("op = \"conv\"\nkernel = \"identity\"", ["stride", "padding", "dilation"]),
            ("op = \"pool\"\npool = \"max\"", ["size", "stride", "padding"]),
        ]
        for (stage, keys) in stages {
            for key in keys {
                for value in Self.hostileValues {
                    let step = """
                        kind = "pipeline"
                        input = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 8, 7, 6], [5, 4, 3, 2]]
                        [[step.stage]]
                        \(stage)
                        """
                    Self.parseAndCheck(Self.lesson(step: step, key: key, value: value), "stage \(key) = \(value)")
                }
            }
        }
    }

    @Test("the reported lesson: a pool of size 20001 with padding 10000 is refused where it is read")
    func reportedPoolLesson() throws {
        let text = Self.lesson(step: """
            kind = "pool"
            pool = "max"
            input = [[1, 2], [3, 4]]
            size = 20001
            """, key: "padding", value: "10000")
        let error = try #require(throws: LessonError.self) { try LessonParser.parse(text, file: "big.toml") }
        #expect(error.description == "big.toml:8: lesson 'hostile', step 1 (pool), size: size 20001 is too large; "
            + "size must be at most 1000 (a lesson's grids are at most 1000 cells a side)")
    }

    @Test("the same pooling built in code is refused by the stepper with the estimate, before recording")
    func stepperRefusesPoolOverBudget() throws {
        let spec = PoolSpec(input: GridStack([[1, 2], [3, 4]]), kind: .max, size: Pair(20001), padding: Pair(10000))
        let error = try #require(throws: LessonError.self) { try PoolTrace(spec: spec) }
        #expect(error.isOverBudget)
        #expect(error.field == "size")
        #expect(error.message == "stepping through this pooling would record 400040001 window cells; a step is for "
            + "following by hand, so keep it to at most 2000000 (a smaller input or window)")
        let huge = PoolSpec(input: GridStack([[1, 2], [3, 4]]), kind: .max, size: Pair(Int.max), padding: Pair(Int.max / 2))
        #expect(throws: LessonError.self) { try PoolTrace(spec: huge) }
    }

    @Test("convolutions built in code with Int.max values are refused, never trapped")
    func stepperConvSweep() {
        let input = GridStack([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), kernel = GridStack([[1, 0], [0, 1]])
        let values = [0, -1, 1_000_000_000, Int.max, Int.min]
        for value in values {
            for rule in PaddingRule.allCases {
                for mode in Pad2d.Mode.allCases {
                    let specs = [
                        ConvSpec(input: input, kernels: [kernel], stride: Pair(value), rule: rule),
                        ConvSpec(input: input, kernels: [kernel], padding: .explicit(rows: value, columns: 0), paddingMode: mode, rule: rule),
                        ConvSpec(input: input, kernels: [kernel], padding: .same, rule: rule, dilation: Pair(value)),
                        ConvSpec(input: input, kernels: [kernel], padding: .explicit(rows: value, columns: value),
                                 paddingMode: mode, rule: rule, dilation: Pair(value)),
                    ]
                    for spec in specs {
                        if let trace = try? ConvTrace(spec: spec) { #expect(!trace.windows.isEmpty) }
                    }
                }
            }
        }
    }

    @Test("a step over the memory budget is refused with the estimate and the limit")
    func convBudgetMessage() throws {
        // A 1000x1000 input and a 10x10 kernel: 991 x 991 windows of 100 products each to record.
        let big = GridStack(Array(repeating: [Float](repeating: 1, count: 1000), count: 1000))
        let small = GridStack(Array(repeating: [Float](repeating: 1, count: 10), count: 10))
        let error = try #require(throws: LessonError.self) { try ConvTrace(spec: ConvSpec(input: big, kernels: [small])) }
        #expect(error.isOverBudget)
        #expect(error.message.hasPrefix("stepping through this convolution would record 98208100 products"))
        // Without recording (an image step) the same work is checked against the budget's steps.
        let wide = GridStack(Array(repeating: [Float](repeating: 1, count: 1000), count: 1000))
        let kernel = GridStack(Array(repeating: [Float](repeating: 1, count: 100), count: 100))
        let spec = ConvSpec(input: wide, kernels: [kernel], padding: .explicit(rows: 99, columns: 99))
        let refused = try #require(throws: LessonError.self) { try StepTracer.convolve(spec, recordWindows: false) }
        #expect(refused.message.hasPrefix("this convolution ([1, 1, 1198, 1198] padded input, [1, 1, 100, 100] filters) "
            + "would take 12 billion multiply-adds; the limit is 2.0 billion; use a smaller input, kernel or padding"))
    }

    @Test("grids wider or taller than 1000 are refused before their numbers are read")
    func gridSides() throws {
        let wideRow = Array(repeating: "1", count: 1001).joined(separator: " ")
        let wide = Self.lesson(step: "kind = \"conv\"\nkernel = \"identity\"\ninput = \"\(wideRow)\"", key: "stride", value: "1")
        let error = try #require(throws: LessonError.self) { try LessonParser.parse(wide, file: "wide.toml") }
        #expect(error.message == "row 1 has 1001 numbers; a grid has at most 1000 columns (a lesson's grids are at most 1000 cells a side)")
        let tall = Self.lesson(step: "kind = \"conv\"\nkernel = \"identity\"\ninput = [" + Array(repeating: "[1]", count: 1001).joined(separator: ",") + "]",
                               key: "stride", value: "1")
        let tallError = try #require(throws: LessonError.self) { try LessonParser.parse(tall, file: "tall.toml") }
        #expect(tallError.message.contains("the grid has 1001 rows; a grid has at most 1000"))
    }

    @Test("a FIFO or a link to /dev/zero named *.toml is refused at once; the other lessons load")
    func fifoAndDeviceLessons() throws {
        let tree = try LibraryTestFolder("hostile-files")
        defer { tree.remove() }
        try tree.write("a.toml", "id = \"a\"\ntitle = \"A\"\n\n[[step]]\nkind = \"text\"\ntext = \"Hi.\"\n")
        #expect(mkfifo(tree.file("b.toml"), 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: tree.file("c.toml"), withDestinationPath: "/dev/zero")
        let library = LessonLibrary.load(sources: [LessonSource(folder: tree.path, isBuiltIn: false)])
        #expect(library.lessons.map(\.id) == ["a"])
        let errors = library.entries.compactMap(\.error).map(\.message)
        #expect(errors == ["cannot read the file: it is a FIFO (named pipe), not a regular file; a lesson is a regular .toml file",
                           "cannot read the file: it is a character device, not a regular file; a lesson is a regular .toml file"])
        // Over the size limit.
        try tree.write("d.toml", String(repeating: "# padding\n", count: 100_001))
        let tooLarge = try #require(throws: LessonError.self) { try LessonParser.load(path: tree.file("d.toml")) }
        #expect(tooLarge.message == "cannot read the file: it is 1,000,010 bytes; the limit for this kind of file is 1,000,000 bytes")
    }

    @Test("progress.json as a FIFO or a link to /dev/zero starts fresh at once, and is left in place")
    func fifoProgress() throws {
        let tree = try LibraryTestFolder("hostile-progress")
        defer { tree.remove() }
        let store = ProgressStore(folder: tree.path)
        #expect(mkfifo(store.path, 0o600) == 0)
        let loaded = store.load()
        #expect(loaded.book == ProgressBook())
        #expect(loaded.warning == "The progress file \(store.path) is a FIFO (named pipe), not a regular file; it was not "
            + "read and is left alone; progress starts fresh, and is saved once it is removed.")
        try FileManager.default.removeItem(atPath: store.path)
        try FileManager.default.createSymbolicLink(atPath: store.path, withDestinationPath: "/dev/zero")
        #expect(store.load().warning?.contains("is a character device, not a regular file") == true)
        // Saving writes through links, so it refuses this one and leaves the link and the device alone.
        let refusal = try #require(throws: ProgressStoreError.self) {
            try store.save(ProgressBook(lessons: ["a": LessonProgress(currentStep: 1)]))
        }
        #expect(refusal.message == "cannot save \(store.path): it is a character device, not a regular file, and is not "
            + "replaced; give the path of a file to write")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: store.path) == "/dev/zero")
        try FileManager.default.removeItem(atPath: store.path)
        try store.save(ProgressBook(lessons: ["a": LessonProgress(currentStep: 1)]))
        #expect(store.load().book.lessons["a"]?.currentStep == 1)
    }

    @Test("table headers with no name (toml++ aborted on these) are refused with their line and column")
    func namelessTableHeaders() throws {
        for header in ["[ `", "[ {", "[ .a]", "[", "[[ `", "[[ [", "[ #", "[ =", "[[[1]]]", "[[=", "[[[]]"] {
            let text = "id = \"x\"\ntitle = \"X\"\n\(header)\n"
            let error = try #require(throws: LessonError.self) { try LessonParser.parse(text, file: "h.toml") }
            #expect(error.line == 3, "\(header)")
            #expect(error.message.hasPrefix("expected a table header [...] name")
                || error.message.hasPrefix("expected an array-of-tables header [[...]] name"), "\(header): \(error.message)")
        }
        // Inside a multi-line array, a string or a comment such lines are values or text.
        let fine = """
            id = "x"
            title = "X"
            [[step]]
            kind = "conv"
            kernel = "identity"
            text = \"\"\"
            [ `not a header`
            \"\"\"
            # [ . neither
            input = [
              [
                1, 2, 3
              ],
              [ +4, 5, 6],
              [7, 8, 9],
            ]
            """
        _ = try LessonParser.parse(fine, file: "fine.toml")
    }

    @Test("what fuzzing found toml++ aborting on is refused with its line and column, the program going on")
    func fuzzFindings() throws {
        let cases: [(text: String, line: Int, column: Int, message: String)] = [
            ("a = [1,}", 1, 8, "expected a value (a string, a number, true or false, an array [...] or an inline table {...}), found '}'"),
            ("a = [\"\"\"\"\"\",}", 1, 13, "expected a value (a string, a number, true or false, an array [...] or an inline table {...}), found '}'"),
            ("a = [1,,]", 1, 8, "expected a value or ']' in the array, found ','"),
        ]
        for (text, line, column, message) in cases {
            let error = try #require(throws: LessonError.self) { try LessonParser.parse(text, file: "f.toml") }
            #expect((error.line, error.column, error.message) == (line, column, message), "\(text)")
        }
        // The whole file the 10-minute fuzz run stopped on (tools/fuzz-findings), when the repository is here.
        let finding = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../tools/fuzz-findings/lessons-crash-f8159ce.toml").standardizedFileURL.path
        if FileManager.default.fileExists(atPath: finding) {
            let error = try #require(throws: LessonError.self) { try LessonParser.load(path: finding) }
            #expect(error.line != nil && error.column != nil, "\(error)")
        }
    }
}
