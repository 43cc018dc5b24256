import BallastCore
import Foundation

/// A request's JSON object, read by the project's strict reader: the API's bodies are small
/// objects whose unknown fields are refused, never ignored.
struct RequestBody {
    /// The longest free text (a reason, a note) a body may carry.
    static let maxText = 500

    let fields: [String: DocumentValue]

    /// `what` names the expected shape in the refusal.
    init(_ data: Data, known: Set<String>, what: String) throws {
        guard case .object(let fields)? = try? DocumentParser.json(data, source: "the request body") else {
            throw APIFailure(.badRequest, "the body must be a JSON object, such as \(what)")
        }
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) { throw APIFailure(.badRequest, "unknown field \(unknown)") }
        self.fields = fields
    }

    /// An optional short text, stripped of control and bidi characters (it is stored and shown).
    func text(_ name: String) throws -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let text)? where text.count <= Self.maxText: return DocumentValue.printable(text)
        default: throw APIFailure(.badRequest, "\(name) must be a string of at most \(Self.maxText) characters")
        }
    }
}
