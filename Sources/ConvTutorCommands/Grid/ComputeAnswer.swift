/// The answer to one line of `convtutor compute`: one line of JSON, and whether the request failed.
public struct ComputeAnswer: Sendable {
    /// The answer, a JSON object without a newline: `{"output": ...}` or `{"error": "..."}`.
    public let json: String
    /// True when the request was invalid and `json` is `{"error": ...}`.
    public let failed: Bool

    public init(json: String, failed: Bool) {
        self.json = json
        self.failed = failed
    }
}
