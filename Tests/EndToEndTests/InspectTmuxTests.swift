import Foundation
import Networks
import Testing

extension EndToEnd {
    /// The inspector in a real terminal, from the home menu: the file prompt (a bad path shows its
    /// error in place), a sample digit opened from the list, layers chosen with Tab, a map zoomed with
    /// its cursor and receptive field, Sobel applied to the image, and back out to a clean exit.
    @Suite("End to end: the inspector in tmux")
    struct InspectTmuxTests {
        @Test("open a sample digit, move between layers, zoom a map, apply Sobel, quit", .enabled(if: TutorTmuxTests.tmuxAvailable))
        func inspectSampleDigit() throws {
            let session = try TutorTmuxTests.Session()
            try session.startTutor()
            try session.keys("i")
            try session.waitFor("┌ Inspect an image ")
            try session.waitFor("Sample images in ")
            // A path that does not exist: the error under the field, and the prompt stays.
            try session.type("/no/such/image.png")
            try session.keys("Enter")
            // The decoder's message names the file: "/no/such/image.png: no such file".
            let error = try session.waitFor(all: ["/no/such/image.png: ", "┌ Inspect an image "])
            #expect(error.contains("┌ Inspect an image "), "\(error)")
            // The first sample (a 0), from the list.
            try session.keys("C-u", "Down")
            try session.waitFor("digit-0-")
            try session.keys("Enter")
            let overview = try session.waitFor(all: ["predicted 0", "┌ Inspect: ", "1 conv 6@5x5 + 2 relu: 6 maps of 28x28", "softmax"])
            #expect(overview.contains("┌ Inspect: "), "\(overview)")
            #expect(overview.contains("1 conv 6@5x5 + 2 relu: 6 maps of 28x28"), "the overview starts at conv1:\n\(overview)")
            #expect(overview.contains("softmax"), "\(overview)")
            // conv1's maps: drawn at one scale for every layer, their colours' legend, the padding frame explained.
            let scale = try session.waitFor(all: ["as every layer", "bright frame: zero padding"])
            #expect(scale.contains("bright frame: zero padding (? says why)"), "\(scale)")
            // Between layers: Tab to pool1 and conv2, Down to pool2, Up back.
            try session.keys("Tab")
            try session.waitFor("3 maxpool 2x2: 6 maps of 14x14")
            try session.keys("Tab")
            // At 100 columns the line is too long with "16 maps of 10x10": the shape is shortened.
            try session.waitFor(all: ["4 conv 16@5x5 + 5 relu: 16@10x10, ", "as every layer · map 1 of 16"])
            try session.keys("Right", "Right")
            try session.waitFor("map 3 of 16")
            // Zoom the map, move its cursor: the cell's value and its receptive field on the input.
            try session.keys("Enter")
            try session.waitFor("4 conv map 3 of 16 (10x10) · row 1, column 1")
            try session.keys("Down", "Right", "Right")
            // Counted from 1 on screen. conv2's cell (2, 3) reads pool1's rows 2-6, columns 3-7; they read conv1's
            // rows 3-12, columns 5-14; conv1 (5x5, padding 2) read the input's rows 1-14, columns 3-16.
            let zoom = try session.waitFor(all: ["row 2, column 3", "its receptive field: input rows 1-14, columns 3-16 (14x14)"])
            #expect(zoom.contains("its receptive field: input rows 1-14, columns 3-16 (14x14)"), "\(zoom)")
            // Back to the overview, then Sobel x on the whole image.
            try session.keys("Escape")
            try session.waitFor("Enter zoom  p steps")
            try session.keys("k")
            let kernel = try session.waitFor(all: ["kernel sobel-x: vertical edges", "sobel-x → |response|"])
            #expect(kernel.contains("sobel-x → |response|"), "\(kernel)")
            // The colour picture really is drawn in colour (24-bit or 256-colour escapes in the pane).
            let coloured = try session.tmux(["capture-pane", "-t", "app", "-p", "-e"])
            #expect(coloured.contains("\u{1B}[38;5;") || coloured.contains("\u{1B}[38;2;"), "no colour in the pane")
            try session.keys("k")
            try session.waitFor("kernel sobel-y: horizontal edges")
            // q leaves the inspector for the prompt, Esc the prompt for home, q quits.
            try session.keys("q")
            try session.waitFor("Sample images in ")
            try session.keys("Escape")
            try session.waitFor("L P T I H open directly")
            try session.keys("q")
            try session.expectCleanExit()
        }

        /// The repository's sample-images folder.
        static let samplesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../sample-images").standardizedFileURL.path

        @Test("convtutor inspect IMAGE on a terminal opens the screen; o opens the prompt over it; q leaves with status 0",
              .enabled(if: TutorTmuxTests.tmuxAvailable))
        func inspectCommandOpensTheScreen() throws {
            let session = try TutorTmuxTests.Session()
            try session.waitFor("ready>")
            try session.type("\(session.binary) inspect \(Self.samplesFolder)/digit-7-crossbar.pgm; echo EXITED=$((1000 + $?))")
            try session.keys("Enter")
            try session.waitFor("predicted 7")
            // Another image through the prompt, and back to the inspector showing it.
            try session.keys("o")
            try session.waitFor("Sample images in ")
            try session.type(Self.samplesFolder + "/digit-1-light-on-dark.pgm")
            try session.keys("Enter")
            let screen = try session.waitFor(all: ["predicted 1", "digit-1-light-on-dark.pgm"])
            #expect(screen.contains("digit-1-light-on-dark.pgm"), "\(screen)")
            try session.keys("q")
            try session.expectCleanExit()
        }

        @Test("inspect IMAGE --model with a resnet-mini checkpoint: its blocks as layers, one zoomed with its field, q leaves with 0",
              .enabled(if: TutorTmuxTests.tmuxAvailable))
        func resNetCheckpointOnScreen() throws {
            let folder = try InspectCommandTests.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let checkpoint = folder.appendingPathComponent("resnet.safetensors").path
            try Network(spec: try #require(BuiltInArchitecture.named("resnet-mini")).spec, seed: 1)
                .checkpoint(metadata: ["normalization_mean": "0.1307", "normalization_std": "0.3081"]).write(to: checkpoint)
            let session = try TutorTmuxTests.Session()
            try session.waitFor("ready>")
            try session.type("\(session.binary) inspect \(Self.samplesFolder)/digit-7-crossbar.pgm --model \(checkpoint); "
                             + "echo EXITED=$((1000 + $?))")
            try session.keys("Enter")
            try session.waitFor(all: ["(resnet-mini)", "layer  input  1 conv  4 res  6 res  8 res  10 gap  11 out",
                                      "1 conv 16@3x3 + 2 batchnorm + 3 relu: "])
            try session.keys("Tab", "Tab")
            try session.waitFor("6 residual + 7 relu: ")
            // Cell (1, 1) of the 14x14 maps, counted from 1 (0 from 0): the body's second 3x3 reads
            // -1...1 of the first, which (stride 2, padding 1) reads -3...3 of block 4's output; block
            // 4's two 3x3 widen that to -5...5, the stem's 3x3 to -6...6: clipped, rows and columns 1-7.
            try session.keys("Enter")
            try session.waitFor(all: ["6 residual map 1 of 32 (14x14) · row 1, column 1",
                                      "its receptive field: input rows 1-7, columns 1-7 (7x7)"])
            try session.keys("Escape", "Tab", "Tab")
            try session.waitFor("10 gap: 64 values (64 maps of 1x1)")
            try session.keys("q")
            try session.expectCleanExit()
        }
    }
}
