/// `${NAME}` references in configuration values, filled from the environment.
///
/// Whatever came from the environment is treated as a secret: an RPC URL from
/// `${ETHEREUM_RPC_URL}` carries its provider key in the path, so the expanded value is
/// masked wherever the URL is named.
struct EnvironmentReference {
    let environment: [String: String]

    enum Failure: Error, Equatable {
        case unset(String)
        case malformed
    }

    /// The text with every `${NAME}` replaced, and the values substituted.
    func expand(_ text: String) throws(Failure) -> (value: String, secrets: [String]) {
        var result = ""
        var secrets: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { throw .malformed }
            let name = String(rest[start.upperBound..<end])
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw .malformed }
            guard let value = environment[name], !value.isEmpty else { throw .unset(name) }
            result += value
            secrets.append(value)
            rest = rest[rest.index(after: end)...]
        }
        result += rest
        return (result, secrets)
    }

    /// True when the text names at least one variable.
    static func refersToEnvironment(_ text: String) -> Bool { text.contains("${") }
}
