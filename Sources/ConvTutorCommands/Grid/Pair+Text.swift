import ConvKernels

extension Pair {
    /// Parses a pair as typed on the command line: one integer for both axes (`2`) or two as
    /// `height,width` (`3,2`).
    ///
    /// Only the form is checked here; whether a value is allowed (a stride of 0, a negative
    /// padding) is the kernel's rule, and the kernel says so.
    ///
    /// - Throws: `KernelError` naming the text and the form it should have.
    public init(parsing text: String) throws(KernelError) {
        let form = "give one integer for both axes or two as height,width (e.g. 3,2)"
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        guard entries.count <= 2 else {
            throw KernelError("'\(text)' has \(entries.count) entries; \(form)")
        }
        var values: [Int] = []
        for entry in entries {
            guard let value = Int(entry) else {
                let which = entries.count == 1 ? "'\(entry)'" : "'\(entry)' in '\(text)'"
                throw KernelError(entry.isEmpty
                    ? "'\(text)' has an empty entry; \(form)"
                    : "\(which) is not an integer; \(form)")
            }
            values.append(value)
        }
        self = values.count == 1 ? Pair(values[0]) : Pair(values[0], values[1])
    }
}
