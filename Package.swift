// swift-tools-version: 6.2
import PackageDescription

// The kernels' hot loops are written with SIMD types; on x86-64 they only become AVX2/FMA
// instructions when the compiler may assume a CPU that has them (every x86-64 CPU since 2013).
// The executable checks for them before anything else runs and names what is missing; build with
// CONVTUTOR_PORTABLE=1 for an older CPU (slower, the same numbers).
// -fno-math-errno: on Linux a square root otherwise becomes a libm call that may set errno, which
// keeps Adam's eight-at-a-time step from using the vector square root (nothing here reads errno).
// The kernels are optimised in debug builds too: unoptimised, a test that trains LeNet-5 for a few
// hundred steps takes minutes instead of seconds.
let portable = Context.environment["CONVTUTOR_PORTABLE"].map { !$0.isEmpty && $0 != "0" } ?? false
#if arch(x86_64)
let targetCPUFlags: [String] = portable ? [] : ["-target-cpu", "haswell"]
// Tells CPlatform's start-up check which instructions the kernels were compiled to use.
let cpuCheckDefines: [CSetting] = portable ? [] : [.define("CONVTUTOR_BUILT_FOR_HASWELL")]
#else
let targetCPUFlags: [String] = []
let cpuCheckDefines: [CSetting] = []
#endif
let kernelSpeedFlags: [SwiftSetting] = [
    .unsafeFlags(targetCPUFlags + ["-Xcc", "-fno-math-errno"]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

// Homebrew keeps ncurses 6 and jpeg-turbo "keg-only" (outside the default search paths), so their
// folders are named here: /opt/homebrew on Apple silicon, /usr/local on Intel Macs.
let homebrewKegs = ["ncurses", "jpeg-turbo", "libpng"]
let homebrewIncludes: [String] = homebrewKegs.flatMap { keg in
    ["/opt/homebrew/opt/\(keg)/include", "/usr/local/opt/\(keg)/include"].map { "-I\($0)" }
}
let homebrewLibraries: [String] = homebrewKegs.flatMap { keg in
    ["/opt/homebrew/opt/\(keg)/lib", "/usr/local/opt/\(keg)/lib"].map { "-L\($0)" }
}
let macOSOnly = BuildSettingCondition.when(platforms: [.macOS])
let linuxOnly = BuildSettingCondition.when(platforms: [.linux])

let package = Package(
    name: "ConvTutor",
    // InlineArray (the kernels' small fixed-size buffers) needs macOS 26; tools 6.2 need Xcode 26.
    platforms: [.macOS(.v26)],
    products: [
        .executable(name: "convtutor", targets: ["convtutor"]),
        .library(name: "ConvKernels", targets: ["ConvKernels"]),
        .library(name: "Networks", targets: ["Networks"]),
        .library(name: "Training", targets: ["Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The shared kernel module: tensors and every op as a forward/backward pair; the fast paths
        // and the thread pool in FastPaths/. Standard library, libm and Dispatch only.
        .target(
            name: "ConvKernels",
            swiftSettings: kernelSpeedFlags
        ),
        // Atomic file writes, bounded reads of regular files, JSON string literals, the TOML reader and
        // finding the folders that ship with the program.
        .target(name: "CommonIO", dependencies: ["ConvKernels"]),
        // zlib, for gzip'd IDX files (Debian: zlib1g-dev; macOS: in the SDK).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        // OpenSSL's libcrypto, for the MD5 of downloaded dataset files on Linux (Debian and Ubuntu:
        // libssl-dev); macOS uses CryptoKit from the SDK instead (see MD5Digest.swift).
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
        // libpng and libjpeg(-turbo) (Debian: libpng-dev, libjpeg-dev; Homebrew: libpng, jpeg-turbo), behind a
        // small C layer that sets its own recovery points: libpng longjmps on errors and libjpeg's default
        // handler calls exit(), and neither may reach Swift.
        .target(
            name: "CImageGlue",
            cSettings: [.unsafeFlags(homebrewIncludes, macOSOnly)],
            linkerSettings: [
                .linkedLibrary("png16"), .linkedLibrary("jpeg"),
                .unsafeFlags(homebrewLibraries, macOSOnly),
            ]
        ),
        // Decoding PNG, JPEG and Netpbm files, grayscale, resizing, MNIST-style preprocessing.
        .target(
            name: "Imaging",
            dependencies: ["ConvKernels", "CImageGlue", "CommonIO"],
            swiftSettings: kernelSpeedFlags
        ),
        // Networks as data: LeNet-5, its summary, checkpoints (safetensors with PyTorch's names) and
        // the pretrained model.
        .target(
            name: "Networks",
            dependencies: ["ConvKernels", "CommonIO"],
            // The pretrained LeNet-5 (see PretrainedModel.swift and docs/ for how it was made).
            resources: [.copy("Resources/lenet5-mnist.safetensors")],
            swiftSettings: kernelSpeedFlags
        ),
        // Data to train on: IDX files, the built-in digits, the sample images, the dataset cache and
        // downloading with checksums.
        .target(
            name: "Datasets",
            dependencies: [
                "ConvKernels", "Imaging", "CommonIO", "CZlib",
                .target(name: "CCrypto", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: kernelSpeedFlags
        ),
        // The training engine: the trainer on a background thread, its events and snapshots, metrics.
        .target(
            name: "Training",
            dependencies: ["ConvKernels", "Networks", "Datasets", "CommonIO"],
            swiftSettings: kernelSpeedFlags
        ),
        // What a network makes of an image: preprocessing, every layer's values, receptive fields,
        // as a model the inspector screen and the text/JSON output both read.
        .target(
            name: "Inspection",
            dependencies: ["ConvKernels", "Networks", "Imaging", "CommonIO", "TerminalUI"]
        ),
        // The lesson format, its loader and checker, the stepper that traces real kernel calls,
        // quiz checking and saved progress.
        .target(
            name: "Lessons",
            dependencies: ["ConvKernels", "Imaging", "CommonIO", "Networks"]
        ),
        // Cells, styles, colour scales, widgets and the backend protocol: no curses, standard library only.
        .target(name: "TerminalUI"),
        // ncursesw (Debian and Ubuntu: libncurses-dev; macOS: Homebrew's ncurses 6, keg-only). The shim wraps
        // the macros Swift cannot import.
        .target(
            name: "CNcursesw",
            cSettings: [.unsafeFlags(homebrewIncludes, macOSOnly)],
            linkerSettings: [
                .linkedLibrary("ncursesw", linuxOnly),
                .linkedLibrary("ncurses", macOSOnly),
                .unsafeFlags(homebrewLibraries, macOSOnly),
            ]
        ),
        // The one place that calls curses: the real terminal behind the TerminalBackend protocol.
        .target(name: "CursesBackend", dependencies: ["TerminalUI", "CNcursesw"]),
        // The screens, in folders by feature (home, lessons, playground, training, inspector), and the
        // loop that runs them on any TerminalBackend; no curses here.
        .target(
            name: "TutorApp",
            dependencies: ["TerminalUI", "Training", "Networks", "Datasets", "ConvKernels", "Lessons", "Imaging", "Inspection", "CommonIO"]
        ),
        // Every subcommand: argument parsing, what it does, its output and exit status, testable in-process.
        .target(
            name: "ConvTutorCommands",
            dependencies: [
                "ConvKernels", "CommonIO", "CursesBackend", "TerminalUI", "TutorApp", "Lessons", "Networks",
                "Datasets", "Training", "Imaging", "Inspection",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: kernelSpeedFlags
        ),
        // What main.swift does first, in C compiled for any x86-64 CPU: check that the CPU has the
        // instructions the kernels were compiled for, and keep freed tensor memory in the heap (see
        // the headers for why).
        .target(name: "CPlatform", cSettings: cpuCheckDefines),
        // main.swift only: checks the CPU, runs ConvTutorCommands and exits with its status. Not
        // compiled for Haswell, so the check itself runs on any x86-64 CPU.
        .executableTarget(
            name: "convtutor",
            dependencies: ["CPlatform", "ConvTutorCommands"]
        ),
        // Shared by the test targets: where the real MNIST is (or the note a test that needs it is skipped with).
        .target(name: "TestSupport", dependencies: ["Datasets"], path: "Tests/TestSupport"),
        .testTarget(name: "ConvKernelsTests", dependencies: ["ConvKernels"]),
        .testTarget(name: "CommonIOTests", dependencies: ["CommonIO", "ConvKernels"]),
        .testTarget(name: "CPlatformTests", dependencies: ["CPlatform"]),
        .testTarget(name: "LessonsTests", dependencies: ["Lessons", "ConvKernels", "Imaging", "CommonIO"]),
        .testTarget(
            name: "ImagingTests",
            dependencies: ["Imaging", "ConvKernels", "Datasets", "Networks"],
            // Hand-built PNGs read by path (made by Fixtures/make-png-fixtures.py).
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
        .testTarget(
            name: "TutorAppTests",
            dependencies: ["TutorApp", "TerminalUI", "Lessons", "Imaging", "Inspection", "Training", "Networks", "Datasets",
                           "TestSupport"],
            exclude: ["Snapshots"]
        ),
        .testTarget(name: "CursesBackendTests", dependencies: ["CursesBackend", "CNcursesw", "TerminalUI"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Networks", "Imaging", "ConvKernels", "CZlib", "CommonIO", "TestSupport"]),
        .testTarget(
            name: "NetworksTests",
            dependencies: ["Networks", "Datasets", "ConvKernels"],
            // Read by path from the tests (made by tools/pytorch_lenet_fixture.py).
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Networks", "Datasets", "ConvKernels", "CZlib", "TestSupport"]),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection", "Networks", "Datasets", "Imaging", "ConvKernels"]),
        .testTarget(
            name: "ConvTutorCommandsTests",
            dependencies: ["ConvTutorCommands", "ConvKernels", "Lessons", "Imaging", "Networks", "Datasets", "Training",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            // Read by path from the tests (they were made by tools/pytorch_cases.py).
            exclude: ["Fixtures"]
        ),
        // The real binary (and tmux): its own target, its suites serialized, every wait a bounded poll.
        .testTarget(name: "EndToEndTests", dependencies: ["Lessons", "Imaging", "Networks", "Datasets", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
