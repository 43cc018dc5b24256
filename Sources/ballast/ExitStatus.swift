import ArgumentParser

/// The exit codes Ballast promises (sysexits.h numbering), documented in the README.
enum ExitStatus {
    /// A snapshot, strategy or configuration failed validation.
    static let badInput = ExitCode(65)
    /// Data the command needs could not be had (a file missing, every source down).
    static let unavailable = ExitCode(69)
    /// An output file could not be written.
    static let cannotCreate = ExitCode(73)
    /// A bug: the command reached a state it should not.
    static let internalError = ExitCode(70)
    /// The journal cannot be used: read-only, damaged, or from a newer Ballast.
    static let journalUnusable = ExitCode(74)
    /// Try later: the journal is locked by another cycle, or the receiver is unreachable.
    static let tryLater = ExitCode(75)
}
