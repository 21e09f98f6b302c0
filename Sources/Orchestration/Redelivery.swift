import Egress
import Engine
import Foundation
import Hashing
import Ingress
import Logging
import Workflow

/// How far a webhook's recent deliveries were looked over, kept in a small document so each
/// delivery is looked at once, and which ones were asked for again.
struct DeliveryCursor: Codable, Sendable, Equatable {
    /// When a process last looked (seconds since 1970): one look per interval, whatever the processes.
    var checkedAt: Double?
    /// The newest delivery looked at; older ones are not read again.
    var newestSeen: Int64?
    /// How many times each delivery (by guid) was asked for again.
    var asked: [String: Int] = [:]
}

/// Which failed deliveries to ask GitHub for again: pure, from what the list says.
enum Redelivery {
    /// GitHub keeps deliveries about three days.
    static let window: TimeInterval = 72 * 3600
    /// A delivery that fails every time is asked for again at most this often.
    static let maxAsks = 3
    /// How many guids the cursor remembers.
    static let remembered = 2000

    /// Of deliveries read newest first: the newest attempt of each delivery (guid) of an event
    /// Tinybug takes, from the last 72 hours, that no attempt answered 2xx and that was not asked
    /// for again `maxAsks` times.
    static func plan(_ deliveries: [HookDeliveries.Delivery], cursor: DeliveryCursor, now: Date) -> [HookDeliveries
        .Delivery]
    {
        let recent = deliveries.filter { delivery in
            guard let at = ISO8601DateFormatter().date(from: delivery.delivered_at) else { return true }
            return now.timeIntervalSince(at) <= window
        }
        let answered = Set(recent.filter { (200..<300).contains($0.status_code) }.map(\.guid))
        var chosen: [String: HookDeliveries.Delivery] = [:]
        for delivery in recent.sorted(by: { $0.id > $1.id })
        where GitHubWebhook.takenEvents.contains(delivery.event) && !answered.contains(delivery.guid)
            && (cursor.asked[delivery.guid] ?? 0) < maxAsks && chosen[delivery.guid] == nil
        {
            chosen[delivery.guid] = delivery
        }
        return chosen.values.sorted { $0.id < $1.id }
    }

    /// Whether reading older pages can stop after `page`: it reached what was read before, or
    /// deliveries GitHub no longer redelivers.
    static func isLast(_ page: [HookDeliveries.Delivery], cursor: DeliveryCursor, now: Date) -> Bool {
        guard let oldest = page.min(by: { $0.id < $1.id }) else { return true }
        if let seen = cursor.newestSeen, oldest.id <= seen { return true }
        guard let at = ISO8601DateFormatter().date(from: oldest.delivered_at) else { return false }
        return now.timeIntervalSince(at) > window
    }
}

/// What one look over a webhook's deliveries did.
public struct RedeliverySummary: Sendable, Equatable {
    public var looked = 0
    public var asked = 0
}

extension Orchestrator {
    /// From the timer, at most every `redeliverySeconds`: asks GitHub again for every failed
    /// delivery of an event Tinybug takes, for the App's webhook and each tenant's own repository
    /// webhook (`github.hookId`). A failure is logged; the next look tries again.
    @discardableResult
    public func reconcileDeliveries(now: Date = Date()) async -> RedeliverySummary {
        guard let interval = redeliverySeconds else { return RedeliverySummary() }
        var summary = RedeliverySummary()
        var sources: [(String, () async throws(RESTError) -> HookDeliveries)] = []
        if let app = tenants.app {
            sources.append(("app", { () throws(RESTError) in try HookDeliveries.app(app, apiURL: endpoints.github) }))
        }
        for tenant in tenants.all.values.sorted(by: { $0.id < $1.id }) {
            guard let hook = tenant.hook else { continue }
            sources.append(
                (
                    "tenant-\(tenant.id)",
                    { () throws(RESTError) in
                        guard let token = try await executor.base.base.githubToken(tenant: tenant.id) else {
                            throw .transport("tenant \(tenant.id) has no GitHub credential")
                        }
                        return HookDeliveries.repository(
                            owner: hook.owner, repo: hook.repo, hookID: hook.id, token: token, apiURL: endpoints.github)
                    }
                ))
        }
        for (source, deliveries) in sources {
            do {
                let one = try await reconcile(source, deliveries, interval: interval, now: now)
                summary.looked += one.looked
                summary.asked += one.asked
            } catch {
                logger.warning(
                    "Could not look over failed webhook deliveries",
                    metadata: ["deliveries.source": "\(source)", "error": "\(error)"])
            }
        }
        return summary
    }

    private func reconcile(
        _ source: String, _ deliveries: () async throws(RESTError) -> HookDeliveries, interval: Int64, now: Date
    ) async throws -> RedeliverySummary {
        let document = SideDocument(key: try StoreKey.deliveries(source: source), initial: DeliveryCursor())
        let seconds = now.timeIntervalSince1970
        // One look per interval across every process: the compare-and-swap decides who looks.
        let (claimed, before) = try await engine.sideDocuments.modify(document) { cursor -> (Bool, DeliveryCursor) in
            if let last = cursor.checkedAt, seconds - last < Double(interval) { return (false, cursor) }
            cursor.checkedAt = seconds
            return (true, cursor)
        }
        guard claimed else { return RedeliverySummary() }
        let client = try await deliveries()
        var read: [HookDeliveries.Delivery] = []
        var page: String? = nil
        for _ in 0..<10 {
            let (found, next) = try await client.page(cursor: page)
            read += found
            guard let next, !Redelivery.isLast(found, cursor: before, now: now) else { break }
            page = next
        }
        var asked: [String] = []
        for delivery in Redelivery.plan(read, cursor: before, now: now) {
            do {
                try await client.redeliver(delivery.id)
                asked.append(delivery.guid)
                logger.info(
                    "Asked GitHub to deliver a failed webhook again",
                    metadata: [
                        "deliveries.source": "\(source)", "delivery.id": "\(delivery.guid)",
                        "github.event": "\(delivery.event)", "http.status": "\(delivery.status_code)",
                    ])
            } catch {
                logger.warning(
                    "GitHub refused to deliver a webhook again",
                    metadata: ["delivery.id": "\(delivery.guid)", "error": "\(error)"])
            }
        }
        let newest = read.map(\.id).max()
        try await engine.sideDocuments.modify(document) { cursor in
            cursor.newestSeen = max(cursor.newestSeen ?? 0, newest ?? 0)
            for guid in asked { cursor.asked[guid, default: 0] += 1 }
            if cursor.asked.count > Redelivery.remembered {
                for guid in cursor.asked.keys.sorted().prefix(cursor.asked.count - Redelivery.remembered) {
                    cursor.asked[guid] = nil
                }
            }
        }
        return RedeliverySummary(looked: read.count, asked: asked.count)
    }
}
