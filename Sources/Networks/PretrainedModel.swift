import Foundation

/// The LeNet-5 (modern) that ships with ConvTutor, trained by `convtutor train` on MNIST with the
/// default recipe (the README gives the command that reproduces it). The inspector's default model.
public enum PretrainedModel {
    public static let fileName = "lenet5-mnist.safetensors"
    /// The resource bundle SwiftPM builds beside the executable for this target's resources.
    static let bundleNames = ["ConvTutor_Networks.resources", "ConvTutor_Networks.bundle/Contents/Resources",
                              "ConvTutor_Networks.bundle"]

    /// Where the model file is: in the target's resource bundle beside the running executable, or
    /// in `../share/convtutor/` beside the executable's folder (an installed copy, see the README).
    ///
    /// SwiftPM's generated `Bundle.module` stops the program when the bundle is missing (say, the
    /// binary was copied elsewhere without it); looking for it here turns that into an error.
    public static func path() throws(CheckpointError) -> String {
        var folders = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
        folders += Bundle.allBundles.map(\.bundleURL)
        for folder in folders {
            for bundle in bundleNames {
                let candidate = folder.appendingPathComponent(bundle).appendingPathComponent(fileName).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
            }
        }
        if let executableFolder = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() {
            let installed = executableFolder.deletingLastPathComponent()
                .appendingPathComponent("share/convtutor").appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: installed) { return installed }
        }
        throw CheckpointError("the pretrained model \(fileName) was not found beside the program (looked in "
            + "\(bundleNames[0]) next to \(folders.first?.path ?? "the executable")); keep the .resources folder "
            + "that swift build makes next to convtutor, or give --model FILE")
    }

    /// The network (a LeNet-5 checkpoint from before specs, loaded as the engine loads any) and its
    /// checkpoint (whose metadata holds the normalisation it was trained with).
    public static func load() throws(CheckpointError) -> (network: Network, checkpoint: Checkpoint) {
        let file = try path()
        let checkpoint = try Checkpoint(path: file)
        return (try Network(checkpoint: checkpoint, file: file), checkpoint)
    }
}
