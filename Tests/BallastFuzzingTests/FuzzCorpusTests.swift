@testable import BallastFuzzing
import Foundation
import Testing

/// The committed fuzz inputs, replayed through their targets on every test run: seeds must
/// read as valid (a stale seed would leave the fuzzer starting shallow), and every finding
/// (`fuzz/findings/TARGET/`) must go through without a crash, so a fixed bug stays fixed.
@Suite struct FuzzCorpusTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz")

    static func inputs(_ folder: String, _ target: FuzzTarget) throws -> [(name: String, data: Data)] {
        let directory = fuzz.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted().map {
            ($0, try Data(contentsOf: directory.appendingPathComponent($0)))
        }
    }

    @Test func everyTargetHasASeedFolderAndNoFolderLacksATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.fuzz.appendingPathComponent("corpus").path)
        #expect(Set(folders) == Set(FuzzTarget.allCases.map(\.rawValue)))
    }

    @Test(arguments: FuzzTarget.allCases)
    func everySeedIsReadAsValid(_ target: FuzzTarget) throws {
        let seeds = try Self.inputs("corpus", target)
        #expect(!seeds.isEmpty)
        for seed in seeds {
            #expect(target.run(seed.data), "fuzz/corpus/\(target.rawValue)/\(seed.name) is not read as valid")
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyFindingReplaysWithoutACrash(_ target: FuzzTarget) throws {
        for finding in try Self.inputs("findings", target) {
            target.run(finding.data)
        }
    }

    /// Parts split at lines holding only `%%`, and nowhere else.
    @Test func multiPartInputsSplitOnlyAtTheMarker() {
        #expect(FuzzTarget.parts(Data("a\n%%\nb%%\n%%\nc".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["a", "b%%", "c"])
        #expect(FuzzTarget.parts(Data()).count == 1)
    }
}
