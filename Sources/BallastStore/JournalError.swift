/// Why the journal cannot be used, or refused a change. Each says what to do about it.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The file cannot be opened or created.
        case cannotOpen
        /// The file (or its directory) is read-only.
        case readOnly
        /// Not a journal, or damaged.
        case corrupt
        /// Written by a newer Ballast: this one does not know its schema.
        case newerSchema
        /// Another process holds the database's write lock past the busy timeout.
        case busy
        /// No action with that key.
        case unknownAction
        /// The state machine does not allow that move.
        case invalidTransition
        /// A reported delivery that cannot be right: before the action existed, or ahead of now.
        case implausibleDelivery
        /// A stored value could not be read back.
        case unreadable
    }

    public var kind: Kind
    /// The journal file.
    public var path: String
    public var detail: String

    public init(_ kind: Kind, path: String, _ detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    public var description: String { "\(path): \(detail)" }
}
