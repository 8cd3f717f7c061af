import Inspection
import Datasets
import Foundation
import TerminalUI

/// Asks for an image to inspect: a text field for a path (Tab completes it, as a shell does) and
/// the sample images listed under it (Up and Down put one in the field). Enter opens the file; a
/// file that cannot be opened shows its error in place and the prompt stays, so the path can be
/// corrected. Esc goes back.
public final class ImagePromptScreen: Screen {
    /// One image offered under the field.
    public struct Sample: Hashable, Sendable {
        /// The path put into the field (relative to the current folder when it lies inside it).
        public let path: String
        /// What is drawn in the list: the file's name.
        public let name: String
        /// A few words after the name ("PNG, 64x64, dark ink on light"); may be empty.
        public let summary: String

        public init(path: String, name: String, summary: String = "") {
            self.path = path
            self.name = name
            self.summary = summary
        }
    }

    /// What Enter does with a path: the action to take (open a screen, or go back to one that
    /// now shows the image), or an error whose text is shown under the field.
    public typealias Opener = (String) throws -> ScreenAction

    public let samples: [Sample]
    /// The folder the samples came from, for the list's title (nil: none was found).
    public let sampleFolder: String?
    /// The folder relative paths are completed and opened in.
    public let currentFolder: String
    private let open: Opener

    /// The text in the field and the cursor's position in it (0...text.count).
    public private(set) var text = ""
    public private(set) var cursor = 0
    /// The sample last chosen with Up/Down (its path is in the field until the text is edited).
    public private(set) var selectedSample: Int?
    /// The last opening's error, shown under the field until the text changes.
    public private(set) var error: String?
    /// What Tab found when it could not complete further: the names that match, shown under the field.
    public private(set) var candidates: [String] = []
    /// A short note from the last Tab ("no file starts with …").
    public private(set) var note: String?
    /// The first sample drawn (the list scrolls to keep the selection in view).
    private var firstShownSample = 0

    /// - Parameters: `samples` listed under the field (from `sampleFolder`); `currentFolder` for
    ///   relative paths; `open` is called with the field's text on Enter (tilde expanded).
    public init(samples: [Sample], sampleFolder: String?, currentFolder: String = FileManager.default.currentDirectoryPath,
                open: @escaping Opener) {
        self.samples = samples
        self.sampleFolder = sampleFolder
        self.currentFolder = currentFolder
        self.open = open
    }

    public var title: String { "Inspect an image" }

    public var keyHelp: [KeyHint] {
        [KeyHint("Enter", "open the file"), KeyHint("Tab", "complete the path (twice: list the matches)"),
         KeyHint("↑↓", "choose a sample image"), KeyHint("←→ Home End", "move in the field"),
         KeyHint("Backspace Del", "delete"), KeyHint("Ctrl-U", "clear the field"), KeyHint("Ctrl-W", "delete a word"),
         KeyHint("Esc", "back"), KeyHint("?", "this help")]
    }

    public var helpText: String {
        "Type the path of a **PNG**, **JPEG**, **PGM** or **PPM** image, or choose one of the sample images with "
            + "the arrows, and press **Enter**. **Tab** completes the path as a shell does: it fills in as much as "
            + "is certain, and when several files match it lists them under the field. A relative path starts "
            + "from the folder ConvTutor was started in; `~` is your home folder. If the file cannot be read, "
            + "the reason is shown under the field and you can correct the path."
    }

    var footerHints: [KeyHint] {
        [KeyHint("Enter", "open"), KeyHint("Tab", "complete"), KeyHint("↑↓", "samples"), KeyHint("Ctrl-U", "clear"),
         KeyHint("Esc", "back"), KeyHint("?", "help")]
    }

    // MARK: Keys

    public func handle(_ event: KeyEvent) -> ScreenAction {
        switch event {
        case .escape:
            return .pop
        case .enter:
            return openField()
        case .tab:
            complete()
        case .up:
            chooseSample(by: -1)
        case .down:
            chooseSample(by: 1)
        case .pageUp:
            chooseSample(by: -10)
        case .pageDown:
            chooseSample(by: 10)
        case .left:
            cursor = max(0, cursor - 1)
        case .right:
            cursor = min(text.count, cursor + 1)
        case .home, .control("a"):
            cursor = 0
        case .end, .control("e"):
            cursor = text.count
        case .backspace, .control("h"):
            guard cursor > 0 else { break }
            edit { $0.remove(at: $0.index($0.startIndex, offsetBy: cursor - 1)) }
            cursor -= 1
        case .delete, .control("d"):
            guard cursor < text.count else { break }
            edit { $0.remove(at: $0.index($0.startIndex, offsetBy: cursor)) }
        case .control("u"):
            edit { $0 = "" }
            cursor = 0
        case .control("w"):
            deleteWordBeforeCursor()
        case .character(let character):
            edit { $0.insert(character, at: $0.index($0.startIndex, offsetBy: cursor)) }
            cursor += 1
        default:
            break
        }
        return .none
    }

    /// Changes the text; whatever was shown about the old text goes.
    private func edit(_ change: (inout String) -> Void) {
        change(&text)
        error = nil
        note = nil
        candidates = []
        selectedSample = nil
    }

    /// Replaces the whole text and puts the cursor at its end.
    private func setText(_ newText: String) {
        edit { $0 = newText }
        cursor = text.count
    }

    private func deleteWordBeforeCursor() {
        guard cursor > 0 else { return }
        let characters = Array(text)
        var start = cursor
        // Slashes right before the cursor go with the word before them, as in a shell.
        while start > 0 && characters[start - 1] == "/" { start -= 1 }
        while start > 0 && characters[start - 1] != "/" && characters[start - 1] != " " { start -= 1 }
        let removed = cursor - start
        edit { $0 = String(characters[..<start]) + String(characters[cursor...]) }
        cursor -= removed
    }

    private func chooseSample(by offset: Int) {
        guard !samples.isEmpty else {
            note = "no sample images were found"
            return
        }
        let next: Int
        if let selectedSample {
            next = min(samples.count - 1, max(0, selectedSample + offset))
        } else {
            next = offset > 0 ? 0 : samples.count - 1
        }
        setText(samples[next].path)
        selectedSample = next
    }

    private func openField() -> ScreenAction {
        let path = ImagePromptScreen.expandingTilde(text.trimmingCharacters(in: .whitespaces))
        guard !path.isEmpty else {
            error = samples.isEmpty ? "Type the path of an image file." : "Type the path of an image file, or choose a sample with ↑↓."
            return .none
        }
        // A relative path is opened as typed (the image keeps the name the user gave it) unless the
        // prompt works in a folder other than the process's.
        let sameFolder = currentFolder == FileManager.default.currentDirectoryPath
        let target = path.hasPrefix("/") || sameFolder ? path : ImagePromptScreen.joined(currentFolder, path)
        do {
            return try open(target)
        } catch {
            self.error = ImagePromptScreen.message(of: error)
            return .none
        }
    }

    /// An error's text: its own description (`ImageError`, `CheckpointError` and `KernelError` name
    /// the file and the problem).
    static func message(of error: any Error) -> String {
        String(describing: error)
    }

    // MARK: Completion

    private func complete() {
        let result = Completion.complete(text, currentFolder: currentFolder)
        if result.text != text {
            setText(result.text)
        } else {
            error = nil
            note = nil
        }
        candidates = result.candidates
        note = result.note
    }

    /// Shell-style completion of a path: the folder part is kept, the last part is matched against
    /// the names in that folder.
    public struct Completion: Hashable, Sendable {
        /// The field's text after completing.
        public let text: String
        /// The names that match when the text could not be completed further (folders end in `/`).
        public let candidates: [String]
        /// Why nothing happened, when nothing did.
        public let note: String?

        /// Completes `text`: with one match, its whole name (and a `/` after a folder); with several,
        /// their longest common prefix, or, when that adds nothing, the list of them. Names starting
        /// with a dot are offered only when the typed part starts with one. `~` stands for `home`.
        public static func complete(_ text: String, currentFolder: String,
                                    home: String? = ProcessInfo.processInfo.environment["HOME"]) -> Completion {
            let slash = text.lastIndex(of: "/")
            let folderPart = slash.map { String(text[...$0]) } ?? ""
            let typed = slash.map { String(text[text.index(after: $0)...]) } ?? text
            if folderPart.isEmpty && typed == "~" { return Completion(text: "~/", candidates: [], note: nil) }
            let expanded = ImagePromptScreen.expandingTilde(folderPart, home: home)
            let folder = expanded.isEmpty ? currentFolder
                : expanded.hasPrefix("/") ? expanded : ImagePromptScreen.joined(currentFolder, expanded)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
                return Completion(text: text, candidates: [], note: "no folder \(folderPart.isEmpty ? "." : folderPart)")
            }
            let matches = names.filter { $0.hasPrefix(typed) && (typed.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted()
            func shown(_ name: String) -> String {
                var isDirectory: ObjCBool = false
                let path = ImagePromptScreen.joined(folder, name)
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
                    ? name + "/" : name
            }
            switch matches.count {
            case 0:
                return Completion(text: text, candidates: [],
                                  note: typed.isEmpty ? "the folder is empty" : "nothing here starts with \(typed)")
            case 1:
                return Completion(text: folderPart + shown(matches[0]), candidates: [], note: nil)
            default:
                let common = commonPrefix(matches)
                if common.count > typed.count {
                    return Completion(text: folderPart + common, candidates: [], note: nil)
                }
                return Completion(text: text, candidates: matches.map(shown), note: nil)
            }
        }

        /// The longest prefix every name shares (by characters).
        static func commonPrefix(_ names: [String]) -> String {
            guard var prefix = names.first.map(Array.init) else { return "" }
            for name in names.dropFirst() {
                let characters = Array(name)
                var length = 0
                while length < min(prefix.count, characters.count) && prefix[length] == characters[length] { length += 1 }
                prefix.removeLast(prefix.count - length)
            }
            return String(prefix)
        }
    }

    /// `~` and `~/...` with the home folder in place of the tilde; anything else unchanged.
    static func expandingTilde(_ path: String, home: String? = ProcessInfo.processInfo.environment["HOME"]) -> String {
        guard let home, !home.isEmpty, path == "~" || path.hasPrefix("~/") else { return path }
        return home + path.dropFirst()
    }

    static func joined(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    // MARK: Samples

    /// The images of the sample-images folder (`SampleImageSet.folder`: CONVTUTOR_SAMPLE_IMAGES, the
    /// installation's share folder, or the repository's), and that folder; none when it is not found.
    public static func defaultSamples() -> (samples: [Sample], folder: String?) {
        let executable = Bundle.main.executablePath ?? CommandLine.arguments.first ?? ""
        guard let folder = SampleImageSet.folder(environment: ProcessInfo.processInfo.environment,
                                                 executablePath: executable) else { return ([], nil) }
        return (samples(inFolder: folder), folder)
    }

    /// The image files of `folder` (PNG, JPEG, PGM, PPM by their names), sorted, with paths
    /// relative to `currentFolder` when the folder lies inside it; empty when it cannot be read.
    public static func samples(inFolder folder: String, currentFolder: String = FileManager.default.currentDirectoryPath,
                               summaries: [String: String] = [:]) -> [Sample] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        let extensions: Set<String> = ["png", "jpg", "jpeg", "pgm", "ppm", "pnm"]
        let shownFolder = relativePath(folder, from: currentFolder)
        return names.filter { name in
            guard !name.hasPrefix("."), let dot = name.lastIndex(of: ".") else { return false }
            return extensions.contains(name[name.index(after: dot)...].lowercased())
        }
        .sorted { $0.localizedStandardCompare($1) == .orderedAscending }
        .map { Sample(path: joined(shownFolder, $0), name: $0, summary: summaries[$0] ?? "") }
    }

    /// `path` relative to `folder` when it lies inside it ("sample-images"), otherwise unchanged.
    static func relativePath(_ path: String, from folder: String) -> String {
        let standardPath = URL(fileURLWithPath: path).standardizedFileURL.path
        let standardFolder = URL(fileURLWithPath: folder).standardizedFileURL.path
        let base = standardFolder.hasSuffix("/") ? standardFolder : standardFolder + "/"
        if standardPath.hasPrefix(base) { return String(standardPath.dropFirst(base.count)) }
        return path
    }

    // MARK: Drawing

    public func render(into buffer: inout CellBuffer, area: Rect, capabilities: TerminalCapabilities) {
        buffer.fill(area)
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let mono = capabilities.colors == .monochrome
        let (body, footer) = area.splitBottom(area.height >= 3 ? 1 : 0)
        let inner = Panel(title: title).render(in: body, into: &buffer, capabilities: capabilities)
        KeyHints(footerHints).render(in: footer, into: &buffer, capabilities: capabilities)
        var content = Rect(x: inner.x + 1, y: inner.y, width: max(0, inner.width - 2), height: max(0, inner.height))
        guard !content.isEmpty else { return }

        func line(_ text: String, style: Style = .plain) {
            guard content.height > 0 else { return }
            let (row, rest) = content.splitTop(1)
            buffer.write(glyphs.truncated(text, toWidth: row.width), x: row.x, y: row.y, style: style, clip: row)
            content = rest
        }
        func skip() { content = content.splitTop(1).rest }

        skip()
        line("A PNG, JPEG, PGM or PPM image: the pretrained LeNet-5 reads it as a digit, layer by layer.", style: .dim)
        skip()
        drawField(in: content.splitTop(1).top, into: &buffer, capabilities: capabilities)
        skip()

        // Under the field: the error, or the matches Tab found, or its note.
        if let error {
            let style = mono ? Style(attributes: [.bold, .reverse]) : Style(foreground: .red, attributes: .bold)
            for text in OverfittingPanel.wrapWords(error, width: max(1, content.width)).prefix(3) { line(text, style: style) }
        } else if !candidates.isEmpty {
            let (lines, perLine) = Self.columns(candidates, width: content.width)
            for text in lines.prefix(3) { line(text) }
            if lines.count > 3 { line("… and \(candidates.count - 3 * perLine) more: type more of the name", style: .dim) }
        } else if let note {
            line(note, style: .dim)
        }
        skip()
        drawSamples(in: content, into: &buffer, capabilities: capabilities)
    }

    /// "Image file: path▏" with the cursor; the end of a long path is shown.
    private func drawField(in row: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !row.isEmpty else { return }
        let label = "Image file: "
        let x = buffer.write(label, x: row.x, y: row.y, style: .bold, clip: row)
        let room = max(1, row.maxX - x)
        let characters = Array(capabilities.glyphs.glyphs.text(text))
        // Scroll so the cursor stays in view.
        let first = max(0, cursor - room + 1)
        let mono = capabilities.colors == .monochrome
        let fieldStyle = mono ? Style.underline : Style(background: .indexed(236))
        let cursorStyle = Style.reverse
        for offset in 0..<room {
            let index = first + offset
            let character: Character = index < characters.count ? characters[index] : " "
            buffer.write(String(character), x: x + offset, y: row.y, style: index == cursor ? cursorStyle : fieldStyle, clip: row)
        }
    }

    /// The samples' title and list, the chosen one marked and reversed.
    private func drawSamples(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let folder = sampleFolder.map { Self.relativePath($0, from: currentFolder) }
        guard !samples.isEmpty else {
            let text = folder.map { "No sample images in \($0)." }
                ?? "No sample-images folder was found (CONVTUTOR_SAMPLE_IMAGES names one)."
            buffer.write(glyphs.truncated(text, toWidth: area.width), x: area.x, y: area.y, style: .dim, clip: area)
            return
        }
        let heading = "Sample images" + (folder.map { " in \($0)/" } ?? "") + "  (↑↓ choose, Enter opens)"
        buffer.write(glyphs.truncated(heading, toWidth: area.width), x: area.x, y: area.y, style: .bold, clip: area)
        let list = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
        guard !list.isEmpty else { return }
        if let selectedSample {
            if selectedSample < firstShownSample { firstShownSample = selectedSample }
            if selectedSample >= firstShownSample + list.height { firstShownSample = selectedSample - list.height + 1 }
        }
        firstShownSample = max(0, min(firstShownSample, samples.count - list.height))
        let nameWidth = min(samples.map(\.name.count).max() ?? 0, max(8, list.width / 2))
        let marker = glyphs.set == .unicode ? "▶ " : "> "
        for row in 0..<list.height {
            let index = firstShownSample + row
            guard index < samples.count else { break }
            let sample = samples[index]
            let chosen = index == selectedSample
            let y = list.y + row
            var x = buffer.write(chosen ? marker : "  ", x: list.x, y: y, style: chosen ? .bold : .plain, clip: list)
            let name = glyphs.truncated(sample.name, toWidth: nameWidth)
            x = buffer.write(name + String(repeating: " ", count: nameWidth - name.count), x: x, y: y,
                             style: chosen ? Style.reverse.adding(.bold) : .plain, clip: list)
            if !sample.summary.isEmpty {
                buffer.write(glyphs.truncated("  " + sample.summary, toWidth: max(0, list.maxX - x)), x: x, y: y,
                             style: chosen ? .plain : .dim, clip: list)
            }
        }
        let hidden = samples.count - list.height
        if hidden > 0 {
            let text = "\(firstShownSample + 1)-\(min(samples.count, firstShownSample + list.height)) of \(samples.count)"
            buffer.write(text, x: area.maxX - text.count, y: area.y, style: .dim, clip: area)
        }
    }

    /// Names set in columns as wide as the longest, as many to a line as fit `width`.
    static func columns(_ names: [String], width: Int) -> (lines: [String], perLine: Int) {
        let cell = (names.map(\.count).max() ?? 0) + 2
        let perLine = max(1, (width + 2) / max(1, cell))
        let lines = stride(from: 0, to: names.count, by: perLine).map { start in
            names[start..<min(names.count, start + perLine)].map { $0.padding(toLength: cell, withPad: " ", startingAt: 0) }
                .joined().trimmingCharacters(in: .whitespaces)
        }
        return (lines, perLine)
    }
}
