// swift-tools-version: 6.2
import PackageDescription

// The kernels' hot loops are written with SIMD types; on x86-64 they only become AVX2/FMA
// instructions when the compiler may assume a CPU that has them (every x86-64 CPU since 2013).
// -fno-math-errno: on Linux a square root otherwise becomes a libm call that may set errno, which
// keeps Adam's eight-at-a-time step from using the vector square root (nothing here reads errno).
// The kernels are optimised in debug builds too: unoptimised, a test that trains LeNet-5 for a few
// hundred steps takes minutes instead of seconds.
#if arch(x86_64)
let kernelSpeedFlags: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell", "-Xcc", "-fno-math-errno"]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]
#else
let kernelSpeedFlags: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-fno-math-errno"]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]
#endif

let package = Package(
    name: "ConvTutor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "convtutor", targets: ["convtutor"]),
        .library(name: "ConvKernels", targets: ["ConvKernels"]),
        .library(name: "Training", targets: ["Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // MD5 of downloaded dataset files (Insecure.MD5).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Lesson files are TOML (toml++ underneath: line and column for every syntax error).
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // The shared kernel module: tensors and every op as a forward/backward pair.
        // Standard library, libm and Dispatch only.
        .target(
            name: "ConvKernels",
            swiftSettings: kernelSpeedFlags
        ),
        // Atomic file writes and JSON string literals, shared by the parts that write files and JSON.
        .target(name: "CommonIO"),
        // The grid commands, the JSON Lines compute filter and the kernel benchmark,
        // as a library so that they can be tested without a process.
        .target(
            name: "KernelCommands",
            dependencies: ["ConvKernels", "CommonIO"],
            swiftSettings: kernelSpeedFlags
        ),
        // zlib, for gzip'd IDX files (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        // libpng and libjpeg(-turbo) for the inspector (Debian: libpng-dev, libjpeg-dev), behind a small C layer
        // that sets its own recovery points: libpng longjmps on errors and libjpeg's default handler calls exit(),
        // and neither may reach Swift.
        .target(name: "CImageGlue", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]),
        // Decoding PNG, JPEG and Netpbm files, grayscale, resizing, MNIST-style preprocessing.
        .target(
            name: "Imaging",
            dependencies: ["ConvKernels", "CImageGlue", "CommonIO"],
            swiftSettings: kernelSpeedFlags
        ),
        // The training engine: datasets, the LeNet-5 model, the trainer, checkpoints.
        .target(
            name: "Training",
            dependencies: ["ConvKernels", "CZlib", "CommonIO", .product(name: "Crypto", package: "swift-crypto")],
            // The pretrained LeNet-5 (see PretrainedModel.swift and the README for how it was made).
            resources: [.copy("Resources/lenet5-mnist.safetensors")],
            swiftSettings: kernelSpeedFlags
        ),
        // The lesson format, its loader and checker, the stepper that traces real kernel calls,
        // quiz checking and saved progress.
        .target(
            name: "Lessons",
            dependencies: ["ConvKernels", "Imaging", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // Cells, styles, colour scales, widgets and the backend protocol: no curses, standard library only.
        .target(name: "TerminalUI"),
        // ncursesw (Debian: libncursesw5-dev); the shim wraps the macros Swift cannot import.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncursesw5-dev"]), .brew(["ncurses"])]),
        // The one place that calls curses: the real terminal behind the TerminalBackend protocol.
        .target(name: "CursesBackend", dependencies: ["TerminalUI", "CNcursesw"]),
        // The screens (home, and later lessons, training, inspector) and the loop that runs them on
        // any TerminalBackend; no curses here.
        .target(name: "TutorApp", dependencies: ["TerminalUI", "Training", "ConvKernels", "Lessons", "Imaging", "CommonIO"]),
        // One C call: keep freed tensor memory in the heap (see its header for why).
        .target(name: "CMemoryTuning"),
        .executableTarget(
            name: "convtutor",
            dependencies: [
                "CMemoryTuning",
                "ConvKernels",
                "CursesBackend",
                "TerminalUI",
                "TutorApp",
                "KernelCommands",
                "Lessons",
                "Training",
                "Imaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ConvKernelsTests", dependencies: ["ConvKernels"]),
        .testTarget(name: "LessonsTests", dependencies: ["Lessons", "ConvKernels", "Imaging"]),
        .testTarget(
            name: "ImagingTests",
            dependencies: ["Imaging", "ConvKernels", "Training"],
            // Hand-built PNGs read by path (made by Fixtures/make-png-fixtures.py).
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
        .testTarget(name: "TutorAppTests", dependencies: ["TutorApp", "TerminalUI", "Lessons", "Imaging", "Training"], exclude: ["Snapshots"]),
        .testTarget(name: "CursesBackendTests", dependencies: ["CursesBackend", "CNcursesw", "TerminalUI"]),
        .testTarget(
            name: "TrainingTests",
            dependencies: ["Training", "CZlib"],
            // Read by path from the tests (made by tools/pytorch_lenet_fixture.py).
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "KernelCommandsTests",
            dependencies: ["KernelCommands", "ConvKernels", "Lessons", "Imaging"],
            // Read by path from the tests (they were made by tools/pytorch_cases.py).
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
