/// The name a typo was meant to be: for "unknown key 'strid' (did you mean 'stride'?)" in lesson
/// files and network specs alike.
public enum NearestName {
    /// The known name one or two typing slips away from `name`, if any.
    public static func to(_ name: String, in known: [String]) -> String? {
        let scored = known.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= 2 && $0.1 < name.count }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance: insertions, deletions and substitutions of one character each.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
