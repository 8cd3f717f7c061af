// toml++ (inside TOMLKit) asserts, and so aborts the program, on a table header whose name does not
// start right: `[ \``, `[ {`, `[ .`, or `[` alone at the end of a line. Such a header is never valid
// TOML, so those lines are found here first, outside strings, comments and multi-line values, and
// refused with the line, before the text reaches TOMLKit.

extension LessonParser {
    /// The 1-based line of the first table header that does not start with a name, or nil.
    static func lineOfNamelessTableHeader(in text: String) -> Int? {
        let bytes = Array(text.utf8)
        let count = bytes.count
        var index = 0, line = 1, depth = 0, atLineStart = true
        func at(_ offset: Int) -> UInt8? { index + offset < count ? bytes[index + offset] : nil }
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                atLineStart = true
                index += 1
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
                continue
            default:
                break
            }
            if atLineStart && depth == 0 && byte == UInt8(ascii: "[") {
                var next = index + 1
                if next < count && bytes[next] == UInt8(ascii: "[") { next += 1 }
                while next < count && (bytes[next] == UInt8(ascii: " ") || bytes[next] == UInt8(ascii: "\t")) { next += 1 }
                guard next < count, Self.startsKey(bytes[next]) else { return line }
                // A header is one line: skip the rest of it.
                while index < count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            }
            atLineStart = false
            switch byte {
            case UInt8(ascii: "#"):
                while index < count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let escapes = byte == UInt8(ascii: "\"")
                if at(1) == byte && at(2) == byte {
                    // A multi-line string: up to the next three quotes, counting its lines.
                    index += 3
                    while index < count && !(bytes[index] == byte && at(1) == byte && at(2) == byte) {
                        if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                        index += escapes && bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    index += 3
                } else {
                    // A one-line string ends at its quote or, unterminated, at the end of the line.
                    index += 1
                    while index < count && bytes[index] != byte && bytes[index] != UInt8(ascii: "\n") {
                        index += escapes && bytes[index] == UInt8(ascii: "\\") && at(1) != UInt8(ascii: "\n") ? 2 : 1
                    }
                    if index < count && bytes[index] == byte { index += 1 }
                }
                continue
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// A bare key character or a quote: what a table name may start with.
    private static func startsKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "'"):
            return true
        default:
            return false
        }
    }
}
