/// Name → index, checking a prediction before hashing.
///
/// Snapshots list entries grouped (routes by token and origin, destinations in chain
/// order), so the next name is usually the one after the last found, or the same one
/// again. Comparing two short strings costs far less than hashing one; the dictionary
/// answers whenever the guess is wrong, so the result never depends on the order.
final class NameLookup {
    private let names: [String]
    private let positions: [String: Int]
    private var last = 0

    init(_ names: [String]) {
        self.names = names
        positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @inline(__always) func index(of name: String) -> Int? {
        if last < names.count, names[last] == name { return last }
        let next = last + 1 == names.count ? 0 : last + 1
        if next < names.count, names[next] == name {
            last = next
            return next
        }
        // A destination list skips its own origin: try one further.
        let skip = next + 1 >= names.count ? next + 1 - names.count : next + 1
        if skip < names.count, names[skip] == name {
            last = skip
            return skip
        }
        guard let found = positions[name] else { return nil }
        last = found
        return found
    }
}
