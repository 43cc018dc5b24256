import ArgumentParser

/// Tables for people at a terminal, JSON for programs.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}
