/// "Did you mean" hints for misspelt column and member names.
enum Suggestion {
    /// The candidate within edit distance 2 of `value` (and closer than its length), or `nil`.
    static func closest(to value: String, among candidates: [String]) -> String? {
        let scalars = Array(value.lowercased().unicodeScalars)
        // Only short names can be typos of a column name; this also bounds the quadratic distance.
        guard !scalars.isEmpty, scalars.count <= 40 else { return nil }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(scalars, Array(candidate.unicodeScalars))
            if distance < best?.distance ?? Int.max {
                best = (candidate, distance)
            }
        }
        guard let best, best.distance <= 2, best.distance < scalars.count else { return nil }
        return best.candidate
    }

    /// The text " Did you mean 'x'?" or `""`.
    static func hint(for value: String, among candidates: [String]) -> String {
        closest(to: value, among: candidates).map { " Did you mean '\($0)'?" } ?? ""
    }

    /// Levenshtein distance.
    private static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
