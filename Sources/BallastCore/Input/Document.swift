import Foundation
import Yams

/// A parsed JSON or YAML document, before any meaning is given to it.
public indirect enum DocumentValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([DocumentValue])
    case object([String: DocumentValue])

    /// What kind of value this is, for messages: `got string "abc"`.
    package var described: String {
        switch self {
        case .null: "null"
        case .bool(let b): "boolean \(b)"
        case .number(let n): "number \(DocumentValue.format(n))"
        case .string(let s): "string \"\(DocumentValue.printable(s.count > 40 ? String(s.prefix(40)) + "…" : s))\""
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// Text from an input as it may appear in a message: control and format characters
    /// (newlines, escapes, bidi overrides) dropped, so a hostile value cannot forge or
    /// garble a log line.
    package static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter {
            $0.properties.generalCategory != .control && $0.properties.generalCategory != .format
        }))
    }

    package static func format(_ n: Double) -> String {
        n.isFinite && n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
    }
}

/// Turns JSON or YAML text into a `DocumentValue`; a text that does not parse is a
/// `InvalidInput` with one problem, so callers handle one error type.
public enum DocumentParser {
    /// Parses JSON text. The size cap guards against a hostile or runaway file.
    public static func json(_ data: Data, source: String, maxBytes: Int = 256 << 20) throws(InvalidInput) -> DocumentValue {
        guard data.count <= maxBytes else {
            throw syntax(source, "larger than \(maxBytes) bytes")
        }
        do {
            return try JSONReader.parse(data)
        } catch {
            throw syntax(source, "not valid JSON: \(error.message)")
        }
    }

    /// Parses YAML text (one document). Scalars keep YAML's core types: `1` and `0.5`
    /// are numbers, `"0.5"` is a string.
    public static func yaml(_ text: String, source: String, maxBytes: Int = 16 << 20) throws(InvalidInput) -> DocumentValue {
        guard text.utf8.count <= maxBytes else {
            throw syntax(source, "larger than \(maxBytes) bytes")
        }
        do {
            guard let node = try Yams.compose(yaml: text) else { return .null }
            return try convert(node, source: source)
        } catch let error as InvalidInput {
            throw error
        } catch {
            // Yams follows its one-line message with the surrounding text: keep the message.
            let message = "\(error)".split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "\(error)"
            throw syntax(source, "not valid YAML: \(message)")
        }
    }

    private static func convert(_ node: Node, source: String) throws -> DocumentValue {
        switch node {
        case .scalar(let scalar):
            switch Resolver.default.resolveTag(of: node) {
            case .null: return .null
            case .bool: return .bool(Bool.construct(from: scalar) ?? false)
            case .int, .float:
                guard let number = Double.construct(from: scalar) else { return .string(scalar.string) }
                return .number(number)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .array(try sequence.map { try convert($0, source: source) })
        case .mapping(let mapping):
            var object: [String: DocumentValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let name) = key else {
                    throw syntax(source, "line \(key.mark?.line ?? 0): keys must be plain text")
                }
                guard object[name.string] == nil else {
                    throw syntax(source, "line \(key.mark?.line ?? 0): duplicate key \(name.string)")
                }
                object[name.string] = try convert(value, source: source)
            }
            return .object(object)
        case .alias:
            throw syntax(source, "YAML aliases are not supported")
        }
    }
}

private func syntax(_ source: String, _ detail: String) -> InvalidInput {
    InvalidInput(source: source, problems: [Problem(entry: nil, message: detail)])
}
