/// Answers already worked out, keyed by everything that determined them, up to a fixed number
/// of entries. When full it starts again empty: memory stays bounded, and what is worked out
/// again depends only on the sequence of questions, so a search using it stays deterministic.
struct BoundedMemo<Key: Hashable, Value> {
    let capacity: Int
    private var entries: [Key: Value] = [:]

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The answer remembered for `key`, if any.
    subscript(key: Key) -> Value? { entries[key] }

    mutating func remember(_ value: Value, for key: Key) {
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = value
    }
}
