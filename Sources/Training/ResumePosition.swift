import Networks

/// Where a checkpoint's run stopped (`epoch`, `step`, `batch` in its metadata), read for `--resume`
/// and range-checked: the file is the user's, and a count near `Int.max` would overflow the first
/// time the trainer adds one to it.
struct ResumePosition: Equatable {
    var epoch = 0
    var step = 0
    var batch = 0

    /// The most epochs a run can have finished: `--epochs` goes up to this.
    static let maximumEpochs = 10_000
    /// The most steps a run can have taken: 10,000 epochs at batch 1 over the largest dataset that
    /// fits the memory budget (about 650,000 images) is 6.5 billion; 10 billion leaves room and is
    /// still far from overflowing anything that counts steps.
    static let maximumSteps = 10_000_000_000

    /// Reads the three counts (missing ones are 0).
    ///
    /// - Throws: `CheckpointError` naming the file, the key, the value and the accepted range.
    init(metadata: [String: String], name: String) throws(CheckpointError) {
        epoch = try Self.count("epoch", in: metadata, maximum: Self.maximumEpochs, name: name)
        step = try Self.count("step", in: metadata, maximum: Self.maximumSteps, name: name)
        batch = try Self.count("batch", in: metadata, maximum: Self.maximumSteps, name: name)
    }

    init() {}

    /// The value of `key` as a count from 0 to `maximum` (0 when absent).
    static func count(_ key: String, in metadata: [String: String], maximum: Int,
                      name: String) throws(CheckpointError) -> Int {
        guard let text = metadata[key] else { return 0 }
        guard let value = Int(text), (0...maximum).contains(value) else {
            throw CheckpointError("\(name): \(key) \"\(text.prefix(40))\" in the metadata is not a count from 0 to "
                + "\(maximum); the file was not written by convtutor train or was changed since, give a checkpoint "
                + "written by convtutor train --save")
        }
        return value
    }
}
