import CommonIO
import ConvKernels
import Foundation
import Testing

@Suite("TOML reader")
struct TOMLDocumentTests {
    private func parse(_ text: String) throws -> [String: TOMLValue] { try TOMLDocument.parse(text) }

    private func refusal(_ text: String) throws -> TOMLSyntaxError {
        try #require(throws: TOMLSyntaxError.self) { try TOMLDocument.parse(text) }
    }

    @Test("strings: basic with every escape, literal, and both multi-line kinds, worked by hand")
    func strings() throws {
        let document = try parse(#"""
            basic = "tab\there \"q\" \\ \u00e9 \U0001F600 \b\f\r\n."
            literal = 'C:\path\no escapes "here"'
            multi = """
            one
            two"""
            trimmed = """\
                  joined \
                  here"""
            quotes = """"a""b"""""
            lines = '''
            raw \n
            text'''
            """#)
        #expect(document["basic"] == .string("tab\there \"q\" \\ é 😀 \u{08}\u{0C}\r\n."))
        #expect(document["literal"] == .string(#"C:\path\no escapes "here""#))
        #expect(document["multi"] == .string("one\ntwo"))
        #expect(document["trimmed"] == .string("joined here"))
        #expect(document["quotes"] == .string("\"a\"\"b\"\""))
        #expect(document["lines"] == .string("raw \\n\ntext"))
    }

    @Test("numbers, booleans and dates in every form TOML 1.0 writes them")
    func scalars() throws {
        let document = try parse("""
            a = 42
            b = -17
            c = +0
            d = 1_000_000
            e = 0xDEAD_beef
            f = 0o755
            g = 0b1101
            h = 9223372036854775807
            i = -9223372036854775808
            j = 3.1415
            k = -0.5e-3
            l = 6.626e-34
            m = 1E6
            n = 224_617.445_991
            o = inf
            p = -inf
            q = nan
            r = true
            s = false
            t = 1979-05-27T07:32:00Z
            u = 1979-05-27 07:32:00.999-07:00
            v = 1979-05-27T00:32:00
            w = 1979-05-27
            x = 07:32:00
            """)
        let integers: [String: Int] = ["a": 42, "b": -17, "c": 0, "d": 1_000_000, "e": 0xDEAD_BEEF, "f": 0o755, "g": 0b1101,
                                       "h": Int.max, "i": Int.min]
        for (key, value) in integers { #expect(document[key] == .int(value), "\(key)") }
        let doubles: [String: Double] = ["j": 3.1415, "k": -0.0005, "l": 6.626e-34, "m": 1e6, "n": 224_617.445_991,
                                         "o": .infinity, "p": -.infinity]
        for (key, value) in doubles { #expect(document[key] == .double(value), "\(key)") }
        guard case .double(let notANumber) = document["q"] else { Issue.record("nan is not a double"); return }
        #expect(notANumber.isNaN)
        #expect(document["r"] == .bool(true) && document["s"] == .bool(false))
        #expect(document["t"] == .dateTime("1979-05-27T07:32:00Z", type: "offset date-time"))
        #expect(document["u"] == .dateTime("1979-05-27 07:32:00.999-07:00", type: "offset date-time"))
        #expect(document["v"] == .dateTime("1979-05-27T00:32:00", type: "local date-time"))
        #expect(document["w"] == .dateTime("1979-05-27", type: "local date"))
        #expect(document["x"] == .dateTime("07:32:00", type: "local time"))
    }

    @Test("tables, arrays of tables, dotted and quoted keys, inline tables and multi-line arrays build one tree")
    func structure() throws {
        let document = try parse("""
            \u{FEFF}title = "t" # a comment
            site."google.com" = true
            [ owner . 'first name' ]
            value = 1
            [[step]]
            kind = "conv"
            input = [
              [1, 2,],   # rows
              # a comment between rows
              [3, 4],
            ]
            [[step.stage]]
            op = { kind = "pool", size.rows = 2 }
            [[step]]
            kind = "text"\r
            [fruit]
            apple.color = "red"
            [fruit.apple.texture]
            smooth = true
            """)
        #expect(document["title"] == .string("t"))
        #expect(document["site"] == .table(["google.com": .bool(true)]))
        #expect(document["owner"] == .table(["first name": .table(["value": .int(1)])]))
        let firstStep: TOMLValue = .table([
            "kind": .string("conv"),
            "input": .array([.array([.int(1), .int(2)]), .array([.int(3), .int(4)])]),
            "stage": .array([.table(["op": .table(["kind": .string("pool"), "size": .table(["rows": .int(2)])])])]),
        ])
        #expect(document["step"] == .array([firstStep, .table(["kind": .string("text")])]))
        #expect(document["fruit"] == .table(["apple": .table(["color": .string("red"), "texture": .table(["smooth": .bool(true)])])]))
    }

    @Test("malformed documents are refused with the line, the column and what was wrong")
    func refusals() throws {
        let cases: [(text: String, line: Int, column: Int, message: String)] = [
            ("a = 1\na = 2", 2, 1, "the key a is defined twice (first on line 1)"),
            ("[t]\n[t]", 2, 2, "table [t] is defined twice (first on line 1)"),
            ("[a]\nb.c = 1\n[a.b]", 3, 4, "table [a.b] was already made by dotted keys on line 2; add to it with more dotted keys there instead"),
            ("a = {b = 1}\n[a.c]", 2, 2, "a is already an inline table, which cannot be extended on line 1; it cannot also be a table"),
            ("[[a]]\n[a]", 2, 2, "[a] is already an array of tables ([[a]]); it cannot also be a table"),
            ("a = [1]\n[[a]]", 2, 3, "a is already a value on line 1; it cannot also be a table"),
            ("[a.b]\n[a]\nb.c = 1", 3, 1, "b is already defined on line 1; a dotted key cannot add to it"),
            ("a = 01", 1, 5, "'01' is not a value; a string needs quotes, and a number is written like 3, -2, 0.5 or 1e-3"),
            ("a = 1__0", 1, 5, "'1__0' is not a value; a string needs quotes, and a number is written like 3, -2, 0.5 or 1e-3"),
            ("a = -0x10", 1, 5, "'-0x10' is not a value; a string needs quotes, and a number is written like 3, -2, 0.5 or 1e-3"),
            ("a = .5", 1, 5, "'.5' is not a value; a string needs quotes, and a number is written like 3, -2, 0.5 or 1e-3"),
            ("a = 5.", 1, 5, "'5.' is not a value; a string needs quotes, and a number is written like 3, -2, 0.5 or 1e-3"),
            ("a = 9223372036854775808", 1, 5, "9223372036854775808 is too large for a 64-bit integer"),
            ("a = 1e400", 1, 5, "1e400 is too large for a 64-bit floating-point number"),
            ("a = hello", 1, 5, "'hello' is not a value; a string needs quotes, and a number is written like 3, -2, 0.5 or 1e-3"),
            ("a = 1979-13-01", 1, 5, "'1979-13-01' is not a value; a string needs quotes, and a number is written like 3, -2, 0.5 or 1e-3"),
            ("a = \"open\nb = 1", 1, 5, "this string is not closed on its line (use \"\"\" for text over several lines)"),
            ("a = '''never closed", 1, 5, "this string is not closed before the end of the file"),
            ("a = \"bad \\q\"", 1, 10, "\\q is not an escape TOML knows; use \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX or \\UXXXXXXXX"),
            ("a = \"\\uD800\"", 1, 6, "\\uD800 is not a Unicode scalar value"),
            ("a = \"bell \u{07}\"", 1, 11, "a string may not hold control character U+0007; write it as an escape"),
            ("a = 1 b = 2", 1, 7, "unexpected 'b' after a value; put each key = value and each [table] on its own line"),
            ("a = {b = 1,}", 1, 12, "an inline table may not end with a comma"),
            ("a = {b = 1\n}", 1, 11, "expected ',' or '}' in the inline table (which must be on one line), found a line break"),
            ("a = [1 2]", 1, 8, "expected ',' or ']' after a value in the array, found '2'"),
            ("a =", 1, 4, "expected a value, found end of file"),
            ("a\n= 1", 1, 2, "expected '=' after the key a, found a line break"),
            ("= 1", 1, 1, "expected a key name (letters, digits, '_' and '-', or a quoted string), found '='"),
            ("a = 1\r", 1, 6, "unexpected a carriage return after a value; put each key = value and each [table] on its own line"),
            ("[a\nb = 1", 1, 3, "expected ']' to close the header, found a line break"),
            ("é = 1", 1, 1, "expected a key name (letters, digits, '_' and '-', or a quoted string), found 'é'"),
        ]
        for (text, line, column, message) in cases {
            let error = try refusal(text)
            #expect(error == TOMLSyntaxError(line: line, column: column, message: message), "\(text)")
        }
    }

    @Test("nesting deeper than the limit is refused, never a stack overflow, however the depth is made")
    func nestingLimit() throws {
        let limit = TOMLDocument.maximumNesting
        _ = try parse("a = " + String(repeating: "[", count: limit) + String(repeating: "]", count: limit))
        let deepArrays = "a = " + String(repeating: "[", count: 100_000)
        #expect(try refusal(deepArrays).message == "tables and arrays are nested more than \(limit) deep")
        let deepInline = "a = " + String(repeating: "{b = ", count: 100_000)
        #expect(try refusal(deepInline).message == "tables and arrays are nested more than \(limit) deep")
        let deepHeader = "[" + Array(repeating: "a", count: 100_000).joined(separator: ".") + "]"
        #expect(try refusal(deepHeader).message == "tables and arrays are nested more than \(limit) deep")
        let deepKey = Array(repeating: "a", count: 100_000).joined(separator: ".") + " = 1"
        #expect(try refusal(deepKey).message == "tables and arrays are nested more than \(limit) deep")
        // Depth adds up across a header, a dotted key and the value's own nesting.
        let header = "[" + Array(repeating: "h", count: limit / 2).joined(separator: ".") + "]\n"
        let key = Array(repeating: "k", count: limit / 2).joined(separator: ".")
        #expect(try refusal(header + key + " = [[1]]").message == "tables and arrays are nested more than \(limit) deep")
    }

    @Test("mangled documents are refused or read, never a crash: 20,000 seeded byte edits of a lesson-shaped file")
    func mangledDocuments() {
        let original = Array("""
            id = "x"
            title = "T" # note
            [[step]]
            kind = "conv"
            text = \"\"\"
            a "quoted" \\
              word\"\"\"
            input = [[1, 2.5, -3], [0x1F, 1e3, inf]]
            op = { kind = 'pool', size.rows = 2 }
            [step.extra]
            when = 1979-05-27T07:32:00Z
            """.utf8)
        let alphabet = Array("[]{}=,.\"'#\\\n\r\t xe+-_0123456789:TZ".utf8)
        var generator = SeededRandom(seed: 13)
        var refused = 0
        for _ in 0..<20_000 {
            var bytes = original
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let position = Int(generator.next() % UInt64(bytes.count))
                let byte = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                switch generator.next() % 3 {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: bytes.remove(at: position)
                }
            }
            do { _ = try TOMLDocument.parse(String(decoding: bytes, as: UTF8.self)) } catch { refused += 1 }
        }
        #expect(refused > 1_000, "the edits should break most documents: \(refused) refused")
    }
}
