import CommonIO
import ConvKernels

/// A grid of numbers typed on the command line: one or more channels of the same height and width.
///
/// Text form: rows are separated by `;` or newlines, values by spaces or commas, channels by `|`:
///
///     "0 1 2; 3 4 5; 6 7 8"        one 3 x 3 channel
///     "1,0; 0,1 | 0,1; 1,0"        two 2 x 2 channels
///
/// Every value must be a finite number; every row of a channel has the same number of values and
/// every channel the same size. Empty rows at the very start or end (a trailing `;` or newline)
/// are ignored; an empty row between two rows is an error.
public struct Grid: Equatable, Sendable {
    /// One plane per channel, each a list of rows.
    public let channels: [[[Float]]]

    /// A grid from planes that are non-empty and all the same size.
    public init(channels: [[[Float]]]) {
        let height = channels.first?.count ?? 0
        let width = channels.first?.first?.count ?? 0
        precondition(height >= 1 && width >= 1, "A grid needs at least one value, got \(channels)")
        precondition(channels.allSatisfy { $0.count == height && $0.allSatisfy { $0.count == width } },
                     "Grid channels or rows differ in size: \(channels.map { $0.map(\.count) })")
        self.channels = channels
    }

    /// A one-channel grid from its rows.
    public init(rows: [[Float]]) {
        self.init(channels: [rows])
    }

    public var channelCount: Int { channels.count }
    public var height: Int { channels[0].count }
    public var width: Int { channels[0][0].count }

    /// The first (often the only) channel's rows.
    public var rows: [[Float]] { channels[0] }

    /// The grid as a `1 x C x H x W` tensor.
    public var tensor: Tensor { Tensor(channels: channels) }

    /// Parses the text form described above.
    ///
    /// - Throws: `KernelError` naming the value, row or channel at fault and the rule it broke, e.g.
    ///   "row 2 has 2 values, row 1 has 3; every row needs the same number".
    public init(parsing text: String) throws(KernelError) {
        let channelTexts = text.split(separator: "|", omittingEmptySubsequences: false)
        var channels: [[[Float]]] = []
        for (index, channelText) in channelTexts.enumerated() {
            let place = channelTexts.count > 1 ? " of channel \(index + 1)" : ""
            let rows = try Self.parseRows(channelText, place: place)
            if rows.isEmpty {
                throw KernelError(channelTexts.count > 1
                    ? "channel \(index + 1) is empty; every channel between '|' needs rows of numbers"
                    : "the grid is empty; give rows of numbers separated by ';' or newlines, values by spaces or commas")
            }
            if let first = channels.first, first.count != rows.count || first[0].count != rows[0].count {
                throw KernelError("channel \(index + 1) is \(rows.count)x\(rows[0].count), channel 1 is "
                    + "\(first.count)x\(first[0].count); every channel needs the same size")
            }
            channels.append(rows)
        }
        self.init(channels: channels)
    }

    /// The rows of one channel's text (the reader lessons use too); `place` (" of channel 2" or "")
    /// completes error messages.
    private static func parseRows(_ text: Substring, place: String) throws(KernelError) -> [[Float]] {
        try GridRows.parse(text, place: place)
    }
}
