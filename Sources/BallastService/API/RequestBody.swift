import BallastCore
import BallastStore
import Foundation

/// A request's JSON object, read by the project's strict reader: the API's bodies are small
/// objects whose unknown fields are refused, never ignored.
struct RequestBody {
    let fields: [String: DocumentValue]

    /// `what` names the expected shape in the refusal.
    init(_ data: Data, known: Set<String>, what: String) throws {
        guard case .object(let fields)? = try? DocumentParser.json(data, source: "the request body") else {
            throw APIFailure(.badRequest, "the body must be a JSON object, such as \(what)")
        }
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) { throw APIFailure(.badRequest, "unknown field \(unknown)") }
        self.fields = fields
    }

    /// An optional note (a reason, a note) as the journal keeps it (see ``JournalNote``).
    func text(_ name: String) throws -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let text)?: if let kept = JournalNote.kept(text) { return kept }
        default: break
        }
        throw APIFailure(.badRequest, "\(name) must be a string of at most \(JournalNote.maxCharacters) characters")
    }
}
