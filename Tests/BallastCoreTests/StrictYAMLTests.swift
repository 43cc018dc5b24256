import BallastCore
import Foundation
import Testing

/// Strategy and chain files are read as strictly as snapshots.
@Suite struct StrictYAMLTests {
    func problem(_ text: String) -> String? {
        do {
            _ = try DocumentParser.yaml(text, source: "f.yaml")
            return nil
        } catch {
            return error.problems.first?.description
        }
    }

    @Test func aBillionLaughsIsRefusedAtOnce() {
        var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for (name, previous) in zip("bcdefghij", "abcdefghi") {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
        }
        #expect(problem(text) == "YAML anchors and aliases are not allowed (one follows line 2)")
        #expect(problem("x: &r {k: 1}\ny: *r\n") == "YAML anchors and aliases are not allowed (one follows line 2)")
        #expect(problem("- &r 1\n- *r\n") == "YAML anchors and aliases are not allowed (one follows line 1)")
    }

    @Test func tagsAreRefused() throws {
        #expect(problem("a: !!binary aGVsbG8=\n") == "line 1: YAML tags are not allowed (tag:yaml.org,2002:binary)")
        #expect(problem("a: !foo bar\n") == "line 1: YAML tags are not allowed (!foo)")
        #expect(problem("a: !!set {x: null}\n")?.contains("YAML tags are not allowed") == true)
        // No merge keys: `<<` is a key like any other, which no reader knows.
        #expect(try DocumentParser.yaml("<<: {a: 1}\n", source: "f.yaml") == .object(["<<": .object(["a": .number(1)])]))
    }

    @Test func onlyJSONsScalarsAreNumbersBooleansAndNull() throws {
        let value = try DocumentParser.yaml("""
            a: [1, -2, 0.5, 1e3, true, false, null, ~, off, NO, yes, 0x10, 100_000, 0o7, .inf, .nan, 1:30, 2026-11-25, '1', "true"]
            """, source: "f.yaml")
        #expect(value == .object(["a": .array([
            .number(1), .number(-2), .number(0.5), .number(1000), .bool(true), .bool(false), .null, .null,
            .string("off"), .string("NO"), .string("yes"), .string("0x10"), .string("100_000"), .string("0o7"),
            .string(".inf"), .string(".nan"), .string("1:30"), .string("2026-11-25"), .string("1"), .string("true"),
        ])]))
    }

    @Test func textMustBeUTF8WithoutAByteOrderMark() {
        #expect(throws: InvalidInput.self) { try DocumentParser.text(Data([0xEF, 0xBB, 0xBF]) + Data("a: 1".utf8), source: "f.yaml") }
        let invalid = Data("name: caf".utf8) + Data([0xE9]) + Data("\n".utf8)
        do {
            _ = try DocumentParser.text(invalid, source: "f.yaml")
            Issue.record("invalid UTF-8 must be refused")
        } catch {
            #expect(error.problems.first?.description == "not valid UTF-8 (at byte 9)")
        }
        do {
            _ = try DocumentParser.json(Data([0xEF, 0xBB, 0xBF]) + Data("{}".utf8), source: "s.json")
            Issue.record("a BOM must be refused in JSON as in YAML")
        } catch {
            #expect(error.problems.first?.description.contains("byte-order mark") == true)
        }
    }

    @Test func theShippedFilesStillRead() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("chains").path).map { "chains/\($0)" }
            + ["strategies/majors.yaml"]
        for file in files {
            let data = try Data(contentsOf: root.appendingPathComponent(file))
            _ = try DocumentParser.yaml(DocumentParser.text(data, source: file), source: file)
        }
    }
}
