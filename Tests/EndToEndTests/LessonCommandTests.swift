import Foundation
import Testing

extension EndToEnd {
    /// `convtutor lessons list|check` and `convtutor lesson` as a teacher meets them: the built-in
    /// lessons, and a folder of their own with a good lesson and broken ones. (Bad flags and ids are
    /// checked in-process: ConvTutorCommandsTests' CommandLineTests.)
    @Suite("End to end: lesson commands")
    struct LessonCommandTests {
        static let goodLesson = """
            id = "my-first"
            title = "My first lesson"
            order = 100

            [[step]]
            kind = "conv"
            input = \"\"\"
            1 2
            3 4
            \"\"\"
            kernel = "1"
            predict = true
            """

        /// A teacher's folder holding `files` (name -> text), removed afterwards by the caller.
        static func folder(_ files: [String: String]) throws -> String {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lessons-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, text) in files {
                try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
            }
            return folder
        }

        static let privateData = ["XDG_DATA_HOME": FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)").path]

        @Test("lessons check: every built-in lesson is sound, exit 0")
        func checkBuiltIn() async throws {
            let run = try await ConvTutorRun.of(["lessons", "check"], environment: Self.privateData)
            run.expectSuccess()
            #expect(run.standardOutput.contains("lesson files checked: all sound"))
            #expect(run.outputLines.filter { $0.hasPrefix("ok ") }.count >= 14)
        }

        @Test("lessons list: the built-in lessons in order with their progress")
        func listBuiltIn() async throws {
            let run = try await ConvTutorRun.of(["lessons", "list"], environment: Self.privateData)
            run.expectSuccess()
            #expect(run.outputLines.first?.contains("1. images") == true, "\(run)")
            #expect(run.outputLines.allSatisfy { $0.contains("not started") }, "\(run)")
        }

        @Test("a teacher's folder: a syntax error gives file:line:column, a grid problem names lesson, step and field, an unknown kind lists the known ones; the good lesson still lists; exit 1")
        func brokenTeacherLessons() async throws {
            let folder = try Self.folder([
                "good.toml": Self.goodLesson,
                "syntax.toml": "id = \"syntax\"\ntitle = \"Broken\"\n[[step]]\nkind = \n",
                "ragged.toml": """
                    id = "ragged"
                    title = "Ragged"
                    [[step]]
                    kind = "conv"
                    input = \"\"\"
                    1 2 3
                    4 5
                    \"\"\"
                    kernel = "1"
                    """,
                "kind.toml": "id = \"kind\"\ntitle = \"Kind\"\n[[step]]\nkind = \"convolve\"\n",
                "stride.toml": "id = \"stride\"\ntitle = \"Stride\"\n[[step]]\nkind = \"conv\"\ninput = \"1 2; 3 4\"\nkernel = \"1\"\nstride = 0\n",
                "big.toml": "id = \"big\"\ntitle = \"Big\"\n[[step]]\nkind = \"conv\"\ninput = \"1 2\\n3 4\"\nkernel = \"sobel-x\"\npredict = true\n",
            ])
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let check = try await ConvTutorRun.of(["lessons", "check", "--lessons", folder, "--no-builtin"], environment: Self.privateData)
            #expect(check.exitStatus == 1, "\(check)")
            let text = check.standardOutput
            #expect(text.contains("ok      my-first"), "\(text)")
            #expect(text.contains("syntax.toml:4:"), "a syntax error names line and column: \(text)")
            #expect(text.contains("lesson 'ragged', step 1 (conv)") && text.contains("input"), "\(text)")
            #expect(text.contains("row 2 has 2 values"), "\(text)")
            #expect(text.contains("convolve") && text.contains("text, conv, pool, activation, pipeline, quiz, playground, image, train"),
                    "\(text)")
            #expect(text.contains("lesson 'stride'") && text.contains("stride"), "\(text)")
            #expect(text.contains("lesson 'big', step 1 (conv)") && text.contains("kernel"), "a kernel larger than the input: \(text)")
            #expect(text.contains("6 lesson files checked: 5 with problems"), "\(text)")

            let list = try await ConvTutorRun.of(["lessons", "list", "--lessons", folder, "--no-builtin"], environment: Self.privateData)
            list.expectSuccess()
            #expect(list.standardOutput.contains("my-first") && list.standardOutput.contains("cannot be opened"), "\(list)")
        }
    }
}
