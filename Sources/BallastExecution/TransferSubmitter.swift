import Foundation

/// What the receiver made of one action.
public enum SubmissionOutcome: Sendable, Equatable {
    /// 2xx: it has the action; the reference it returned, if any.
    case accepted(reference: String?)
    /// 409: it had already accepted this key (an earlier attempt got through).
    case alreadyAccepted
    /// 422: this key arrived before with a different body. A bug on one side: never retried.
    case keyReused(String)
    /// Any other 4xx: it refused the action.
    case refused(status: Int, reason: String)
    /// 408, 429, 5xx, timeouts, connection failures, after every retry the budget allowed.
    case unreachable(String)
}

/// Hands a recorded action to whoever executes transfers (the desk's signer, the sandbox's custody simulator).
public protocol TransferSubmitter: Sendable {
    /// Sends `body` under `key`; retries are the submitter's own, always with the same key and body.
    func submit(key: String, body: Data) async -> SubmissionOutcome
}
