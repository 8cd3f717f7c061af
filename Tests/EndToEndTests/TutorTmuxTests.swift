import Foundation
import TestSupport
import Testing

extension EndToEnd {
    /// The interactive tutor in a real terminal: tmux runs an interactive shell, the test types
    /// `convtutor` into it, drives the screens with keys, and reads the screen back. After the program
    /// ends, typed text must be echoed again: the terminal was given back sane.
    @Suite("End to end: the tutor in tmux")
    struct TutorTmuxTests {
        /// A private tmux server with one 100x30 window running a plain interactive shell.
        final class Session {
            let socket = "convtutor-test-\(UUID().uuidString.prefix(8))"
            let binary: String

            init() throws {
                binary = try ConvTutorBinary.url().path
                // The server this starts lives on: it must not hold the pipe a captured command reads to its end.
                try tmux(["-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", "100", "-y", "30",
                          "env -i PATH=/usr/bin:/bin HOME=/tmp TERM=screen-256color LANG=C.UTF-8 SWIFT_BACKTRACE=interactive=no "
                          + "PS1='ready> ' bash --norc --noprofile -i"], captureOutput: false)
            }

            deinit { _ = try? tmux(["kill-server"], captureOutput: false) }

            /// Runs `tmux -L <socket> arguments...` (see `Session.run`).
            @discardableResult
            func tmux(_ arguments: [String], captureOutput: Bool = true) throws -> String {
                try Self.run(["tmux", "-L", socket] + arguments, captureOutput: captureOutput)
            }

            /// How long one tmux (or ps) command may take: each is a request to a running server that
            /// answers at once, so reaching this means tmux is stuck.
            static let commandLimit: Double = 60

            /// Runs `arguments` through the shell with its output in a file, and waits for it with
            /// waitpid, polling, at most `commandLimit`: no pipes for tmux's long-lived server to hold open.
            @discardableResult
            static func run(_ arguments: [String], captureOutput: Bool = true) throws -> String {
                let outputFile = FileManager.default.temporaryDirectory
                    .appendingPathComponent("convtutor-test-\(UUID().uuidString).out").path
                defer { try? FileManager.default.removeItem(atPath: outputFile) }
                let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
                let command = quoted.joined(separator: " ") + " > '\(outputFile)' 2>&1 < /dev/null"
                var pid: pid_t = 0
                let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (text: String) in strdup(text) } + [nil]
                defer { argv.forEach { free($0) } }
                guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else {
                    throw Failure(description: "could not start /bin/sh -c \(command)")
                }
                let deadline = Date().addingTimeInterval(commandLimit)
                var status: Int32 = 0
                while true {
                    let result = waitpid(pid, &status, WNOHANG)
                    if result == pid || (result == -1 && errno != EINTR) { break }
                    if Date() >= deadline {
                        kill(pid, SIGKILL)
                        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                        throw Failure(description: "\(command) did not finish within \(Int(commandLimit)) s; killed")
                    }
                    Thread.sleep(forTimeInterval: 0.002)
                }
                guard captureOutput else { return "" }
                return (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
            }

            struct Failure: Error, CustomStringConvertible {
                let description: String
            }

            func keys(_ names: String...) throws { try tmux(["send-keys", "-t", "app"] + names) }
            func type(_ text: String) throws { try tmux(["send-keys", "-t", "app", "-l", text]) }
            func screen() throws -> String { try tmux(["capture-pane", "-t", "app", "-p"]) }
            func resize(_ width: Int, _ height: Int) throws {
                try tmux(["resize-window", "-t", "app", "-x", "\(width)", "-y", "\(height)"])
            }

            /// Waits up to `seconds` for `text` on the screen, polling; the screen when it came, or an
            /// error with the last screen.
            @discardableResult
            func waitFor(_ text: String, seconds: Double = EndToEnd.screenWait,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
                try waitFor(all: [text], seconds: seconds, sourceLocation: sourceLocation)
            }

            /// Waits up to `seconds` for every one of `texts` on one screen, polling. A program draws
            /// its screen piece by piece, so a capture may hold part of a frame: a test that reads
            /// more of a screen than the text it waited for must wait for all of it.
            @discardableResult
            func waitFor(all texts: [String], seconds: Double = EndToEnd.screenWait,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
                let (met, last) = try BoundedWait.poll(seconds: seconds, sample: screen, until: { screen in
                    texts.allSatisfy { screen.contains($0) }
                })
                if met { return last }
                let missing = texts.filter { !last.contains($0) }.map { "\"\($0)\"" }.joined(separator: ", ")
                Issue.record("waited \(Int(seconds)) s for \(missing); the screen was:\n\(last)", sourceLocation: sourceLocation)
                throw Timeout()
            }

            struct Timeout: Error {}

            /// Starts the tutor in the shell and waits for the home screen.
            func startTutor() throws {
                try waitFor("ready>")
                try type("\(binary); echo EXITED=$((1000 + $?))")
                try keys("Enter")
                try waitFor("Inspect an image")
            }

            /// After the tutor ended: the exit status it printed, and whether typed text is echoed again.
            func expectCleanExit(sourceLocation: SourceLocation = #_sourceLocation) throws {
                let screen = try waitFor("EXITED=10", sourceLocation: sourceLocation)
                #expect(screen.contains("EXITED=1000"), "\(screen)", sourceLocation: sourceLocation)
                try type("echo typed-text-echoes")
                try waitFor("echo typed-text-echoes", sourceLocation: sourceLocation)
                try keys("Enter")
                let after = try waitFor("\ntyped-text-echoes", sourceLocation: sourceLocation)
                #expect(after.contains("\ntyped-text-echoes"), sourceLocation: sourceLocation)
            }
        }

        static var tmuxAvailable: Bool {
            FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/tmux")
                || FileManager.default.isExecutableFile(atPath: "/opt/homebrew/bin/tmux")
        }

        @Test("home screen, the menu, each screen and back, help, too small and back, then q", .enabled(if: tmuxAvailable))
        func walkThrough() throws {
            let session = try Session()
            try session.startTutor()
            // Down to each entry, open it, see its title, go back.
            for (downs, title) in [(0, "Lessons"), (1, "Playground"), (2, "Training lenet5"), (3, "Inspect an image"), (4, "Help")] {
                for _ in 0..<downs { try session.keys("Down") }
                try session.keys("Enter")
                // The training screen has no frame: its progress shows it is open.
                try session.waitFor(title == "Training lenet5" ? "epoch 1/" : "┌ \(title) ")
                try session.keys("Escape")
                // The training screen (it trains for real) asks whether to save before it stops.
                if title == "Training lenet5" {
                    try session.waitFor("Save a checkpoint before stopping?")
                    try session.keys("n")
                }
                try session.waitFor("L P T I H open directly")
                try session.keys("Home")
            }
            // A letter opens its screen directly; ? shows that screen's keys; Esc closes help, Esc goes back.
            try session.keys("t")
            try session.waitFor("epoch 1/")  // the training screen's progress (it has no frame)
            try session.keys("?")
            try session.waitFor("Training lenet5: keys")
            try session.keys("Escape")
            try session.keys("Escape")
            try session.waitFor("Save a checkpoint before stopping?")
            try session.keys("n")
            try session.waitFor("L P T I H open directly")
            try session.keys("?")
            try session.waitFor("ConvTutor: keys")
            try session.keys("Escape")
            // Too small, then big enough again.
            try session.resize(60, 20)
            try session.waitFor("This terminal is 60x20.")
            try session.resize(100, 30)
            try session.waitFor("L P T I H open directly")
            #expect(!(try session.screen()).contains("This terminal is"))
            try session.keys("q")
            try session.expectCleanExit()
        }

        @Test("Ctrl-C quits from a screen with status 0 and a sane terminal", .enabled(if: tmuxAvailable))
        func controlC() throws {
            let session = try Session()
            try session.startTutor()
            try session.keys("p")
            try session.waitFor("┌ Playground ")
            try session.keys("C-c")
            try session.expectCleanExit()
        }

        @Test("without a terminal it points to the commands and exits 2", .enabled(if: tmuxAvailable))
        func notATerminal() throws {
            let session = try Session()
            try session.waitFor("ready>")
            try session.type("\(session.binary) < /dev/null | cat; echo STATUS=$((1000 + ${PIPESTATUS[0]}))")
            try session.keys("Enter")
            let screen = try session.waitFor("STATUS=10")
            #expect(screen.contains("STATUS=1002"), "\(screen)")
            #expect(screen.contains("the tutor's screens need a terminal"), "\(screen)")
        }

        @Test("TERM=dumb and an unknown TERM get a readable refusal, exit 1, and leave the terminal as it was",
              .enabled(if: tmuxAvailable), arguments: ["dumb", "no-such-terminal"])
        func unusableTerminal(term: String) throws {
            let session = try Session()
            try session.waitFor("ready>")
            try session.type("TERM=\(term) \(session.binary); echo EXITED=$((1000 + $?))")
            try session.keys("Enter")
            let screen = try session.waitFor("EXITED=10")
            #expect(screen.contains("EXITED=1001"), "\(screen)")
            #expect(screen.contains("use the commands instead"), "the message points to the commands: \(screen)")
            try session.type("echo still-echoing")
            try session.waitFor("echo still-echoing")
        }
    }
}
