import Foundation
import Workflow

/// A run the simulator created for a dispatch.
public struct SimulatedRun: Sendable, Equatable {
    public var id: Int64
    public var owner: String
    public var repo: String
    public var workflow: String
    public var title: String
    public var inputs: [String: String]
    public var status: String
    public var conclusion: String?
    public var headSHA: String
    /// The step that applies the mutant failed: the tests never ran.
    public var applyFailed = false
}

/// A check run as the simulator holds it.
public struct SimulatedCheckRun: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var headSHA: String
    public var externalID: String?
    public var status: String
    public var conclusion: String?
    public var title: String?
    public var summary: String?
    public var annotations: [Annotation]
    public var updates: Int
    /// The identifiers of its buttons, once it was completed with some.
    public var actions: [String] = []
}

/// Everything the simulator has been asked to do, for the demo to print and tests to check.
public actor SimulatorState {
    public private(set) var runs: [SimulatedRun] = []
    public private(set) var checkRuns: [SimulatedCheckRun] = []
    public private(set) var requests: [String] = []
    public private(set) var webhooksSent = 0
    public private(set) var webhooksDropped = 0
    private var nextID: Int64 = 1000
    public private(set) var webhookTarget: (url: String, secret: String)? = nil

    /// Where completion webhooks go from now on.
    public func target(url: String, secret: String) { webhookTarget = (url, secret) }

    /// The PR's head as `GET /repos/{owner}/{repo}/pulls/{number}` answers it; nil answers 404.
    public private(set) var pullHead: String? = nil
    public func setPullHead(_ sha: String?) { pullHead = sha }

    public private(set) var installationTokens: [String] = []

    /// Each run's results artifact, by run id: its files by path inside the artifact.
    public internal(set) var artifacts: [Int64: [String: Data]] = [:]
    /// Requests to the storage host, and how many of them carried credentials (refused).
    public internal(set) var storageFetches = 0
    public internal(set) var storageFetchesWithCredentials = 0

    private var rateLimited = 0

    func log(_ line: String) { requests.append(line) }

    /// True for the first `limit` calls: those are refused as rate limited.
    func takeRateLimit(_ limit: Int) -> Bool {
        guard rateLimited < limit else { return false }
        rateLimited += 1
        return true
    }

    func issueInstallationToken() -> String {
        nextID += 1
        let token = "ghs_simulated\(nextID)"
        installationTokens.append(token)
        return token
    }

    func isInstallationToken(_ token: String) -> Bool { !token.isEmpty && installationTokens.contains(token) }

    func newID() -> Int64 {
        nextID += 1
        return nextID
    }

    /// Runs created and not completed (or cancelled) yet, the most there ever were at once, and
    /// when each was created: what a tenant's quota and a repository's pace are checked against.
    public private(set) var inFlight = 0
    public private(set) var maxInFlight = 0
    public private(set) var createdAt: [Date] = []

    func addRun(_ run: SimulatedRun) {
        runs.append(run)
        createdAt.append(Date())
        guard run.status != "completed" else { return }
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
    }

    func run(_ id: Int64) -> SimulatedRun? { runs.first { $0.id == id } }

    /// Marks a run finished unless it already is; returns it when this call finished it.
    func finish(_ id: Int64, conclusion: String, applyFailed: Bool = false) -> SimulatedRun? {
        guard let index = runs.firstIndex(where: { $0.id == id }), runs[index].status != "completed" else { return nil }
        runs[index].status = "completed"
        inFlight -= 1
        runs[index].conclusion = conclusion
        runs[index].applyFailed = applyFailed
        return runs[index]
    }

    func addCheckRun(_ check: SimulatedCheckRun) { checkRuns.append(check) }

    func updateCheckRun(_ id: Int64, _ change: (inout SimulatedCheckRun) -> Void) -> Bool {
        guard let index = checkRuns.firstIndex(where: { $0.id == id }) else { return false }
        change(&checkRuns[index])
        return true
    }

    /// Every webhook delivery, oldest first, with the answer it got.
    public private(set) var deliveries: [SimulatedDelivery] = []

    func logDelivery(_ delivery: SimulatedDelivery) { deliveries.append(delivery) }

    func countWebhook(sent: Bool) {
        if sent { webhooksSent += 1 } else { webhooksDropped += 1 }
    }

    /// How many dispatches carried each job key: exactly once means 1 for every key.
    public func dispatchCounts() -> [String: Int] {
        Dictionary(runs.map { ($0.inputs[CIContract.Input.job] ?? "", 1) }, uniquingKeysWith: +)
    }
}
