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
    /// A byte-order mark is refused in every kind of file alike: UTF-8 needs none, and a file
    /// that parses in one place must parse in all.
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    private static func refuseByteOrderMark(_ data: Data, source: String) throws(InvalidInput) {
        if data.starts(with: byteOrderMark) {
            throw syntax(source, "starts with a byte-order mark (U+FEFF); save it as UTF-8 without one")
        }
    }

    /// The text of a YAML file: size-capped, UTF-8 only (an invalid byte is named by its
    /// offset, never replaced), no byte-order mark.
    public static func text(_ data: Data, source: String, maxBytes: Int = 16 << 20) throws(InvalidInput) -> String {
        guard data.count <= maxBytes else { throw syntax(source, "larger than \(maxBytes) bytes") }
        try refuseByteOrderMark(data, source: source)
        guard let text = String(validating: data, as: UTF8.self) else {
            var parser = Unicode.UTF8.ForwardParser()
            var bytes = data.makeIterator()
            var offset = 0
            while case .valid(let scalar) = parser.parseScalar(from: &bytes) { offset += scalar.count }
            throw syntax(source, "not valid UTF-8 (at byte \(offset))")
        }
        return text
    }

    /// Parses JSON text. The size cap guards against a hostile or runaway file.
    public static func json(_ data: Data, source: String, maxBytes: Int = 256 << 20) throws(InvalidInput) -> DocumentValue {
        guard data.count <= maxBytes else {
            throw syntax(source, "larger than \(maxBytes) bytes")
        }
        try refuseByteOrderMark(data, source: source)
        do {
            return try JSONReader.parse(data)
        } catch {
            throw syntax(source, "not valid JSON: \(error.message)")
        }
    }

    /// Parses YAML text (one document) as strictly as JSON: plain scalars are JSON's —
    /// `1` and `0.5` numbers, `true`/`false` booleans, `null` or `~` — and everything else is a
    /// string (`off`, `NO`, `0x10`, `100_000`, `.inf`: YAML 1.1 forms a reader would misread).
    /// Anchors, aliases and tags are refused: they are how a small file becomes a huge document.
    public static func yaml(_ text: String, source: String, maxBytes: Int = 16 << 20) throws(InvalidInput) -> DocumentValue {
        guard text.utf8.count <= maxBytes else {
            throw syntax(source, "larger than \(maxBytes) bytes")
        }
        if text.hasPrefix("\u{FEFF}") {
            throw syntax(source, "starts with a byte-order mark (U+FEFF); save it as UTF-8 without one")
        }
        do {
            guard let node = try Yams.compose(yaml: text, strictResolver) else { return .null }
            var walk = Walk()
            return try convert(node, source: source, walk: &walk)
        } catch let error as InvalidInput {
            throw error
        } catch {
            // Yams follows its one-line message with the surrounding text: keep the message.
            let message = "\(error)".split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "\(error)"
            throw syntax(source, "not valid YAML: \(message)")
        }
    }

    /// JSON's scalars, as YAML plain scalars.
    private static let strictResolver: Resolver = {
        do {
            return try Resolver.basic
                .appending(.null, "^(?:~|null|Null|NULL|)$")
                .appending(.bool, "^(?:true|True|TRUE|false|False|FALSE)$")
                .appending(.int, "^-?(?:0|[1-9][0-9]*)$")
                .appending(.float, "^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$")
        } catch {
            fatalError("the strict YAML resolver's patterns do not compile: \(error)")
        }
    }()

    /// No configuration comes near this many values; a document that does is refused, not built.
    static let maxNodes = 1_000_000

    /// Tags a node may carry: those the resolver gives plain and quoted scalars, lists and maps.
    private static let allowedTags: Set<Tag.Name> = [.null, .bool, .int, .float, .str, .seq, .map]

    /// Where the conversion is in the document, and how many values it has made.
    private struct Walk {
        var values = 0
        var line = 0, column = 0
        /// Where each scalar started: two scalars never start at one place, but a copy does.
        var scalars: Set<Int> = []
    }

    private static func convert(_ node: Node, source: String, walk: inout Walk) throws -> DocumentValue {
        walk.values += 1
        guard walk.values <= maxNodes else { throw syntax(source, "more than \(maxNodes) values") }
        let line = node.mark?.line ?? 0, column = node.mark?.column ?? 0
        // Yams resolves an alias to a copy of its anchored node, mark included: a value that
        // starts before the text already walked is such a copy.
        let isCopiedScalar = node.scalar != nil && !walk.scalars.insert(line << 32 | column).inserted
        guard (line, column) >= (walk.line, walk.column), !isCopiedScalar else {
            throw syntax(source, "YAML anchors and aliases are not allowed (one follows line \(walk.line))")
        }
        (walk.line, walk.column) = (line, column)
        let tag = strictResolver.resolveTag(of: node)
        guard allowedTags.contains(tag) else {
            throw syntax(source, "line \(line): YAML tags are not allowed (\(DocumentValue.printable(tag.rawValue)))")
        }
        switch node {
        case .scalar(let scalar):
            switch tag {
            case .null: return .null
            case .bool: return .bool(Bool.construct(from: scalar) ?? false)
            case .int, .float:
                guard let number = Double.construct(from: scalar) else { return .string(scalar.string) }
                return .number(number)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .array(try sequence.map { try convert($0, source: source, walk: &walk) })
        case .mapping(let mapping):
            var object: [String: DocumentValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let name) = key else {
                    throw syntax(source, "line \(key.mark?.line ?? 0): keys must be plain text")
                }
                guard object[name.string] == nil else {
                    throw syntax(source, "line \(key.mark?.line ?? 0): duplicate key \(name.string)")
                }
                _ = try convert(key, source: source, walk: &walk)
                object[name.string] = try convert(value, source: source, walk: &walk)
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
