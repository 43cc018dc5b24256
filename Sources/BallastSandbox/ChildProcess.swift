import Foundation
import Glibc
import Synchronization

/// A child process started with `posix_spawn`, for the tests that run tools and `ballast`.
///
/// Not `Foundation.Process`: on Linux with Swift 6.3.1 its `run()` intermittently crashes
/// (an over-read of `/proc/self/fd` entries, swift-corelibs-foundation PR #5472) and its
/// pipe reads abort on `EINTR`; a parallel test run that starts many processes met both.
public final class ChildProcess: Sendable {
    /// What becomes of a standard stream.
    public enum Stream: Sendable { case pipe, discard }

    /// A pipe beyond the standard streams, at descriptor 3, 4, … in the child (as Chromium's
    /// `--remote-debugging-pipe` reads commands on 3 and answers on 4).
    public enum ExtraPipe: Sendable { case toChild, fromChild }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let pid: pid_t
    private let input: Int32?, output: Int32?, errors: Int32?
    /// This process's ends of the extra pipes, in the order they were asked for.
    private let extra: [Int32]

    /// Pipes are made and marked close-on-exec under this lock, and children spawned under it:
    /// a child spawned in between would inherit another's pipe and hold its reader past the end.
    private static let spawning = Mutex(())

    /// Starts `executable` (a full path) with `arguments`, in `directory` when given (through
    /// `env -C`); `environment` replaces the inherited one when given.
    public convenience init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
                            stdin: Stream = .discard, stdout: Stream = .pipe, stderr: Stream = .pipe, extra: [ExtraPipe] = []) throws {
        let (program, argv) = directory.map { ("/usr/bin/env", ["-C", $0, executable] + arguments) } ?? (executable, arguments)
        let pid = try Self.spawning.withLock { _ in
            try Self.spawn(program, argv, environment: environment ?? ProcessInfo.processInfo.environment, streams: [stdin, stdout, stderr],
                           extra: extra)
        }
        self.init(pid: pid.pid, ends: pid.ends)
    }

    private init(pid: pid_t, ends: [Int32?]) {
        self.pid = pid
        (input, output, errors) = (ends[0], ends[1], ends[2])
        extra = ends.dropFirst(3).compactMap { $0 }
    }

    private static func spawn(_ executable: String, _ arguments: [String], environment: [String: String],
                              streams: [Stream], extra: [ExtraPipe]) throws -> (pid: pid_t, ends: [Int32?]) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32?] = []
        var childEnds: [Int32] = []
        let pipes: [(stream: Stream, childReads: Bool)] = streams.enumerated().map { ($1, $0 == 0) } + extra.map { (.pipe, $0 == .toChild) }
        for (fd, (stream, childReads)) in zip(Int32(0)..., pipes) {
            switch stream {
            case .discard:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", childReads ? O_RDONLY : O_WRONLY, 0)
                parentEnds.append(nil)
            case .pipe:
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
                let (child, parent) = childReads ? (ends[0], ends[1]) : (ends[1], ends[0])
                _ = fcntl(parent, F_SETFD, FD_CLOEXEC)
                _ = fcntl(child, F_SETFD, FD_CLOEXEC)
                posix_spawn_file_actions_adddup2(&actions, child, fd)
                childEnds.append(child)
                parentEnds.append(parent)
            }
        }
        // Nothing else of this process reaches the child: a listening socket or a journal lock
        // it inherited would outlive the test that opened it.
        guard let closeFrom = closeFrom, closeFrom(&actions, Int32(3 + extra.count)) == 0 else {
            throw Failure(description: "posix_spawn_file_actions_addclosefrom_np is not available (glibc 2.34 or later)")
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let env = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + env).forEach { free($0) } }
        // The child starts as from an operator's shell: default signal handling and nothing
        // blocked, whatever this process ignores or masks (a shell script could not trap an
        // inherited SIG_IGN).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, env)
        childEnds.forEach { close($0) }
        guard status == 0 else {
            parentEnds.compactMap { $0 }.forEach { close($0) }
            throw Failure(description: "\(executable): \(String(cString: strerror(status)))")
        }
        return (pid, parentEnds)
    }

    /// Writes `data` to the child's standard input and closes it.
    public func finishInput(_ data: Data) {
        guard let input else { return }
        Self.write(data, to: input)
        close(input)
    }

    private static func write(_ data: Data, to fd: Int32) {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue } else { break } }
                offset += n
            }
        }
    }

    /// Writes all of `data` to the `index`th extra pipe (one the child reads).
    public func write(_ data: Data, extra index: Int) {
        Self.write(data, to: extra[index])
    }

    /// What the child has written to the `index`th extra pipe, waiting for at least one byte;
    /// empty at its end.
    public func readSome(extra index: Int) -> Data { Self.read(extra[index], untilEnd: false) }

    /// What the child has written to standard output so far, waiting for at least one byte.
    public func readSomeOutput() -> Data { output.map { Self.read($0, untilEnd: false) } ?? Data() }

    /// Reads standard output, then standard error, to their ends, then waits for the child.
    /// The status is the exit code, or the signal that ended it.
    public func collect() -> (status: Int32, stdout: Data, stderr: Data) {
        let out = output.map { Self.read($0, untilEnd: true) } ?? Data()
        let err = errors.map { Self.read($0, untilEnd: true) } ?? Data()
        ([output, errors].compactMap { $0 } + extra).forEach { close($0) }
        return (wait(), out, err)
    }

    /// Waits for the child to end; its exit code, or the signal that ended it.
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    private static func read(_ fd: Int32, untilEnd: Bool) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return data }
            data.append(contentsOf: buffer[..<n])
            if !untilEnd { return data }
        }
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), which its Swift module does not
/// export (a GNU extension), looked up by name and called with the C convention.
private let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()
