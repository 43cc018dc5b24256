import BallastFuzzing
import Foundation

// Built two ways. With `-DFUZZING` (scripts/fuzz) it is a libFuzzer target: libFuzzer owns
// `main`, and BALLAST_FUZZ_TARGET names the target. Otherwise it replays inputs, to
// reproduce a finding: `ballast-fuzz TARGET FILE|DIRECTORY…`.

#if FUZZING
/// Read once: libFuzzer calls the entry point millions of times.
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["BALLAST_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("BALLAST_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(name)\"")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(data.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}
#else
@main
struct Replay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            FileHandle.standardError.write(Data("usage: ballast-fuzz TARGET FILE|DIRECTORY…\ntargets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: " "))\n".utf8))
            exit(64)
        }
        var count = 0, accepted = 0
        for path in arguments.dropFirst() {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
                    exit(66)
                }
                if target.run(data) { accepted += 1 }
                count += 1
            }
        }
        print("\(target.rawValue): \(count) input\(count == 1 ? "" : "s"), \(accepted) read as valid, no crash")
    }

    private static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
    }
}
#endif
