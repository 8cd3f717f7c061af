import ArgumentParser
import ConvKernels

/// A value with a text form that says what is wrong when the text is not one.
protocol TextParsable: Sendable {
    init(parsing text: String) throws(KernelError)
}

extension Grid: TextParsable {}
extension Pair: TextParsable {}

/// An option's text, parsed when the arguments are read and judged in `validate()`.
///
/// A failable `init?(argument:)` can only report "the value is invalid"; keeping the parse error
/// lets `validate()` say what was wrong and where ("--input: row 2 has 2 values, row 1 has 3;
/// every row needs the same number").
struct CheckedArgument<Value: TextParsable>: ExpressibleByArgument, Sendable {
    /// The text as typed.
    let text: String
    private let parsed: Result<Value, KernelError>

    init(argument: String) {
        text = argument
        parsed = Result { () throws(KernelError) -> Value in try Value(parsing: argument) }
    }

    var defaultValueDescription: String { text }

    /// The parsed value, or a `ValidationError` that names the option, e.g. "--stride: '1,2,3' has 3 entries; ...".
    func value(of option: String) throws(ValidationError) -> Value {
        switch parsed {
        case .success(let value): return value
        case .failure(let error): throw ValidationError("\(option): \(error.message)")
        }
    }
}
