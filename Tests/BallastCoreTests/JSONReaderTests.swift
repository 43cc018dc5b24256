@testable import BallastCore
import Foundation
import Testing

@Suite struct JSONReaderTests {
    func parse(_ text: String) throws -> DocumentValue {
        try JSONReader.parse(Data(text.utf8))
    }

    func failure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        failure(Data(text.utf8), sourceLocation: sourceLocation)
    }

    func failure(_ data: Data, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            let value = try JSONReader.parse(data)
            Issue.record("expected a failure, got \(value)", sourceLocation: sourceLocation)
            return ""
        } catch {
            return error.message
        }
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5e3, 0.25, true, false, null], "b": {"c": "d"}, "": ""} "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-2500), .number(0.25), .bool(true), .bool(false), .null]),
            "b": .object(["c": .string("d")]), "": .string(""),
        ]))
    }

    @Test func decodesEscapesAndUnicode() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"))
        #expect(try parse(#""\u00e9\u4e2d\ud83d\ude00 é中😀""#) == .string("é中😀 é中😀"))
    }

    @Test func refusesDuplicateKeysWithTheirPlace() {
        #expect(failure("{\"price_usd\": 1,\n \"price_usd\": -1}") == #"duplicate key "price_usd" at line 2, column 2"#)
    }

    @Test(arguments: [
        ("{", "expected a key in quotes at line 1, column 2"),
        ("[", "unexpected end of document at line 1, column 2"),
        ("[1,]", "unexpected character at line 1, column 4"),
        ("{\"a\" 1}", "expected ':' after a key at line 1, column 6"),
        ("01", "unexpected text after the document at line 1, column 2"),
        ("1.", "malformed number at line 1, column 3"),
        ("-", "malformed number at line 1, column 2"),
        ("1e999", "number out of range at line 1, column 1"),
        ("NaN", "unexpected character at line 1, column 1"),
        ("\"a\u{01}b\"", "control character in a string at line 1, column 3"),
        ("\"\\ud800\"", "lone surrogate in a string at line 1, column 8"),
        ("\"\\x\"", "invalid escape in a string at line 1, column 4"),
        ("\"abc", "unterminated string at line 1, column 5"),
        ("{} {}", "unexpected text after the document at line 1, column 4"),
        ("tru", "unexpected character at line 1, column 1"),
    ])
    func refusesMalformedDocuments(text: String, message: String) {
        #expect(failure(text) == message)
    }

    @Test func refusesInvalidUTF8AndDeepNesting() throws {
        #expect(failure(Data([0x22, 0xC3, 0x28, 0x22])) == "invalid UTF-8 in a string at line 1, column 2")
        #expect(failure(String(repeating: "[", count: 200)).hasPrefix("nested deeper than 128 levels"))
        #expect(try parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)) != .null)
    }

    @Test func snapshotWithADuplicateKeyIsRefused() {
        var text = String(decoding: Fixtures.json(Fixtures.minimalSnapshot()), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"price_usd\":3012.5", with: "\"price_usd\":3012.5,\"price_usd\":-1")
        do {
            _ = try Snapshot.decode(json: Data(text.utf8), source: "snap.json")
            Issue.record("a duplicate key must not pass")
        } catch {
            #expect(error.problems.map(\.description).first?.hasPrefix(#"not valid JSON: duplicate key "price_usd""#) == true)
        }
    }
}
