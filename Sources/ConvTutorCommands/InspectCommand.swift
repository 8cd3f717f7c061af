import Inspection
import ArgumentParser
import CursesBackend
import Foundation
import TerminalUI
import TutorApp

/// `convtutor inspect IMAGE`: what every layer of a network makes of an image.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what every layer of a network makes of an image, and its prediction.",
        discussion: """
            Reads a PNG, JPEG, PGM or PPM file (a digit someone drew, or a photo of handwriting), \
            prepares it as MNIST's digits were prepared (grayscale, inverted when the ink is dark, \
            cropped to the ink, scaled to fit 20x20, centred by mass in 28x28, normalised), and runs \
            the network on it, keeping every layer's output. The network is the pretrained LeNet-5, \
            or any checkpoint 'convtutor train' wrote (LeNet-5, resnet-mini, a spec of your own...) \
            whose input is one grey channel (a size other than 28x28 gets the digit resized to it) \
            and which scores the ten digits. An activation, batch norm or dropout is shown with the \
            layer it follows ("1 conv 6@5x5 + 2 relu"). On a terminal it opens the inspector \
            screen; with --plain, or when the output is not a terminal, it prints the same as text: \
            the prediction and probabilities as bars, each preprocessing step, every feature map in \
            shades with its range, and the vectors (fully connected layers, global pooling) as bars. \
            --json prints the prediction and every layer's values.

            Examples:
              convtutor inspect sample-images/digit-3-off-centre.pgm
              convtutor inspect photo.jpg --plain --ascii
              convtutor inspect digit.pgm --json --model lenet.safetensors
              convtutor inspect digit.pgm --model resnet.safetensors

            Limits: an image must be a regular file of at most 64 MB whose decoding and preparation \
            fit in 512 MB (about 50 megapixels in grey, 36 in colour; a larger JPEG is decoded at \
            1/2, 1/4 or 1/8 of its size); a checkpoint must be a regular file of at most 128 MB whose \
            values are all finite and whose normalisation (normalization_mean in 0...1, \
            normalization_std in 0.001...1) makes sense.

            Exit status: 0 on success, 1 when the image or model cannot be read or holds no digit, \
            the model is not a network of grey digits, \
            or the network's values are not finite, 2 for a bad flag.
            """)

    @Argument(help: ArgumentHelp("The image: PNG, JPEG, PGM or PPM.", valueName: "image"),
              completion: .file(extensions: Completion.imageExtensions))
    var image: String

    @Option(help: ArgumentHelp("A checkpoint written by 'convtutor train' (default: the pretrained LeNet-5).",
                               valueName: "file"), completion: .file(extensions: Completion.checkpointExtensions))
    var model: String?

    @Flag(help: "Print the inspection as text instead of opening the screen.")
    var plain = false

    @Flag(help: "Print the prediction, the preprocessing and every layer's values as JSON.")
    var json = false

    @Flag(help: "With --plain: print every feature map's values as well as its shades.")
    var numbers = false

    @OptionGroup var display: DisplayOptions

    func validate() throws {
        if plain && json {
            throw ValidationError("--plain and --json cannot be used together; give one")
        }
        if numbers && json {
            throw ValidationError("--numbers goes with --plain (--json already gives every value)")
        }
    }

    func run() throws {
        let inspection: ImageInspection
        do {
            inspection = try ImageInspection.load(imagePath: image, modelPath: model)
        } catch {
            throw CommandFailure("convtutor inspect: \(error)")
        }
        if json {
            print(InspectionJSON.render(inspection), terminator: "")
            return
        }
        if plain || !CursesTerminal.isTerminal() || numbers {
            let text = InspectionPlainText(glyphs: display.ascii ? .ascii : .unicode, numbers: numbers)
            print(text.render(inspection), terminator: "")
            return
        }
        let status = InspectScreenLauncher.open(inspection, modelPath: model, noColor: display.noColor, ascii: display.ascii)
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}

/// Opens the inspector screen on the terminal (`inspect IMAGE` on a terminal).
enum InspectScreenLauncher {
    /// Runs the inspector until the user quits and returns the exit status; never returns with the
    /// terminal in curses mode. `modelPath` is used again for the images `o` opens.
    static func open(_ inspection: ImageInspection, modelPath: String?, noColor: Bool, ascii: Bool) -> Int32 {
        TutorLauncher.runOnTerminal(InspectorScreen(inspection: inspection, modelPath: modelPath),
                                    noColor: noColor, ascii: ascii,
                                    failure: { "convtutor inspect: \($0); add --plain to print the inspection instead" })
    }
}
