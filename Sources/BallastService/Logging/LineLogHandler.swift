import Foundation
import Logging
import Synchronization

/// Logs one line per event on standard output: JSON objects for log shippers, or text for a
/// terminal. Values are printed as given: nothing secret is ever handed to a logger.
public struct LineLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: Format
    private let output: LineOutput

    public init(label: String, format: Format, level: Logger.Level, output: LineOutput = .standardOutput) {
        self.label = label
        self.format = format
        logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let time = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        switch format {
        case .json:
            var object: [String: Any] = ["ts": time, "level": event.level.rawValue, "msg": "\(event.message)", "logger": label]
            for (key, value) in fields where object[key] == nil { object[key] = Self.plain(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            output.write(String(decoding: data, as: UTF8.self))
        case .text:
            let pairs = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            output.write("\(time) \(event.level.rawValue.uppercased()) \(event.message)\(pairs.isEmpty ? "" : " " + pairs)")
        }
    }

    private static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array(let a): a.map(plain)
        case .dictionary(let d): d.mapValues(plain)
        }
    }
}

/// Where log lines go; whole lines, one writer at a time.
public final class LineOutput: Sendable {
    private let lock = Mutex(())
    private let handle: FileHandle

    public init(_ handle: FileHandle) { self.handle = handle }

    public static let standardOutput = LineOutput(.standardOutput)

    func write(_ line: String) {
        // Control characters in a message cannot split a line or forge another one.
        let clean = line.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        lock.withLock { _ in handle.write(Data((clean + "\n").utf8)) }
    }
}
