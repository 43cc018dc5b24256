/// Why one source gave nothing usable this tick, in words an operator can act on.
public struct SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
