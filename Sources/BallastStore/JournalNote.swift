import BallastCore

/// A person's words the journal keeps: a pause reason, a note on a status change. The same
/// rule whether they come from the command line or the API.
public enum JournalNote {
    public static let maxCharacters = 500

    /// `text` as the journal keeps it, without control and format characters (they could forge
    /// or garble a line wherever it is shown); nil when it is longer than ``maxCharacters``.
    public static func kept(_ text: String) -> String? {
        text.count <= maxCharacters ? DocumentValue.printable(text) : nil
    }
}
