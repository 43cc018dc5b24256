import Foundation

/// A test desk with a journal file: runs `ballast` commands on it and lists its actions.
protocol JournalDesk {
    var journal: String { get }
}

extension JournalDesk {
    func ballast(_ arguments: [String]) async throws -> CLIRunner.Result {
        try await CLIRunner.launch(arguments + ["--journal", journal], environment: [:])
    }

    /// Every action, oldest first, as `journal list --format json` prints them.
    func actions() async throws -> [[String: Any]] {
        let listed = try await ballast(["journal", "list", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
        return (object?["actions"] as? [[String: Any]] ?? []).reversed()
    }
}
