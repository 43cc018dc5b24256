import BallastCore
import Foundation

/// One JSON-RPC call: a method and its (already validated) parameters.
struct RPCCall: Sendable, Hashable {
    var method: String
    var params: [RPCParam]

    static func ethCall(to address: String, data: String) -> RPCCall {
        RPCCall(method: "eth_call", params: [.call(to: address, data: data), .text("latest")])
    }

    static let latestBlock = RPCCall(method: "eth_getBlockByNumber", params: [.text("latest"), .flag(false)])
}

enum RPCParam: Sendable, Hashable, Encodable {
    case text(String)
    case flag(Bool)
    case call(to: String, data: String)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .text(let text):
            var c = encoder.singleValueContainer()
            try c.encode(text)
        case .flag(let flag):
            var c = encoder.singleValueContainer()
            try c.encode(flag)
        case .call(let to, let data):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(to, forKey: "to")
            try c.encode(data, forKey: "data")
        }
    }
}

/// JSON-RPC 2.0 batches: many calls in one HTTP request, answers matched by id in any order.
package enum JSONRPC {
    private struct Envelope: Encodable {
        let jsonrpc = "2.0"
        let id: Int
        let method: String
        let params: [RPCParam]
    }

    /// The batch body; call `i` gets id `i`.
    static func batchBody(_ calls: [RPCCall]) -> [UInt8] {
        let envelopes = calls.enumerated().map { Envelope(id: $0, method: $1.method, params: $1.params) }
        // Strings, booleans and ints only: encoding cannot fail.
        return Array((try? JSONEncoder().encode(envelopes)) ?? Data("[]".utf8))
    }

    /// Each call's result, by position. A body that is not a batch answer fails as a whole;
    /// an error object, a missing answer or a doubled id fails only its call.
    package static func decodeBatch(_ body: Data, count: Int) throws(SourceError) -> [Result<DocumentValue, SourceError>] {
        let root = try WireReader.parse(body)
        guard case .array(let items) = root.value else {
            // A node that refuses batches answers with one error object.
            if let error = try? root.field("error") { throw SourceError("the node refused the batch: \(describe(error))") }
            throw SourceError("expected a batch answer (a list), got \(root.value.described)")
        }
        var answers = [Result<DocumentValue, SourceError>?](repeating: nil, count: count)
        var doubled: Set<Int> = []
        for (position, item) in items.enumerated() {
            let answer = WireReader(item, path: "[\(position)]")
            guard let idValue = try? answer.field("id").number(), idValue == idValue.rounded(),
                  let id = Int(exactly: idValue), (0..<count).contains(id) else { continue }
            guard answers[id] == nil else {
                doubled.insert(id)
                continue
            }
            if let error = try? answer.field("error") {
                answers[id] = .failure(SourceError("JSON-RPC error \(describe(error))"))
            } else if let result = try? answer.field("result") {
                answers[id] = .success(result.value)
            } else {
                answers[id] = .failure(SourceError("answer \(id) has neither result nor error"))
            }
        }
        return answers.enumerated().map { id, answer in
            if doubled.contains(id) { return .failure(SourceError("the batch answered id \(id) twice")) }
            return answer ?? .failure(SourceError("the batch answer has no entry for id \(id)"))
        }
    }

    /// `3: execution reverted`, cut short and stripped of control characters.
    private static func describe(_ error: WireReader) -> String {
        let code = (try? error.field("code").value).map { value -> String in
            if case .number(let n) = value { return DocumentValue.format(n) }
            return value.described
        } ?? "?"
        let message = (try? error.field("message").string()) ?? "no message"
        let clean = String(message.prefix(200).unicodeScalars.filter { !$0.properties.generalCategory.isControl }.map(Character.init))
        return "\(code): \(clean)"
    }
}

private extension Unicode.GeneralCategory {
    var isControl: Bool { self == .control || self == .format }
}
