import Foundation
import Testing
import TerminalUI

/// Screen snapshots: a frame's text compared with a file in Snapshots/. Run the tests with
/// CONVTUTOR_RECORD_SNAPSHOTS=1 to write the files afresh (then read the diff before committing).
enum Snapshot {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    static func text(of buffer: CellBuffer) -> String {
        (0..<buffer.height).map { y in
            var line = buffer.line(y)
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n") + "\n"
    }

    static func expect(_ buffer: CellBuffer, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = folder.appendingPathComponent(name + ".txt")
        let actual = text(of: buffer)
        if ProcessInfo.processInfo.environment["CONVTUTOR_RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(actual == expected, "snapshot \(name) differs:\n\(actual)", sourceLocation: sourceLocation)
    }
}
