/// The "did you mean" of an unknown field: the known field closest to a typo.
enum FieldSuggestion {
    /// The known field within two edits of `field` (ignoring case), the closest first in
    /// `known` order; nil when none is that close. `regsitry` suggests `registry`,
    /// `incluster` suggests `inCluster`.
    static func closest(to field: String, among known: [String]) -> String? {
        let typed = Array(field.lowercased())
        var best: (field: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(typed, Array(candidate.lowercased()))
            if distance <= 2, distance < typed.count, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.field
    }

    /// Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`: the
    /// optimal string alignment distance, so a swapped pair of letters is one typo.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
