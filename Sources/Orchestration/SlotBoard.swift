import Engine
import Foundation
import Workflow

/// A tenant's slots for CI runs in flight as numbered documents, `tenants/<t>/slots/<n>.json` with
/// n below `maxConcurrentJobs`: a run takes one by creating it and gives it back by deleting it, so
/// whatever the processes do, no more runs are in flight than there are numbers, and each change
/// costs the same however many runs are in flight.
struct SlotBoard: Sendable {
    let store: any DocumentStore
    let hints = SlotHints()

    /// The slot `job` holds already, if any: the one this process took for it, the one its key
    /// points to, and with `rerun` (it may hold one this process does not know of) every held one.
    func holding(_ job: JobKey, limit: Int, rerun: Bool) async throws(StoreError) -> Int? {
        let key = job.description
        var tried: Set<Int> = []
        for candidate in [await hints.mine(key), SlotHolding.firstProbe(key, limit: limit)] {
            guard let number = candidate, tried.insert(number).inserted else { continue }
            if try await holder(number, tenant: job.tenant)?.job == key { return number }
        }
        guard rerun, let number = try await find(key, tenant: job.tenant) else { return nil }
        await hints.took(number, for: key)
        return number
    }

    /// Takes a free slot for `job`: first the one its key points to, so two copies running the
    /// same dispatch meet there, then the numbers this process believes free. Nil when all are held.
    func take(_ job: JobKey, limit: Int, now: Instant) async throws(StoreError) -> Int? {
        let key = job.description
        let data = try encode(SlotHolding(job: key, since: now))
        let first = SlotHolding.firstProbe(key, limit: limit)
        if try await claim(first, data, for: key, tenant: job.tenant) { return first }
        var refreshed = false
        while true {
            if let number = await hints.nextFree(job.tenant) {
                guard number < limit, number != first else { continue }
                if try await claim(number, data, for: key, tenant: job.tenant) { return number }
                continue
            }
            guard !refreshed else { return nil }
            refreshed = true
            let held = Set(try await numbers(tenant: job.tenant))
            await hints.refill(job.tenant, (0..<limit).filter { !held.contains($0) })
        }
    }

    /// Gives `job`'s slot back: `slot` when the workflow knows it, the one this process took for it,
    /// the one its key points to, else it is looked for among all. False when the job held none.
    func give(_ job: JobKey, slot: Int?, limit: Int) async throws(StoreError) -> Bool {
        let key = job.description
        var tried: Set<Int> = []
        for candidate in [slot, await hints.mine(key), SlotHolding.firstProbe(key, limit: limit)] {
            guard let number = candidate, tried.insert(number).inserted else { continue }
            if try await free(number, of: key, tenant: job.tenant) { return true }
        }
        guard let number = try await find(key, tenant: job.tenant),
            try await free(number, of: key, tenant: job.tenant)
        else { return false }
        return true
    }

    /// Creates slot `number` for `key`; true also when `key` holds it already (a create whose answer
    /// was lost, or another copy of the same dispatch).
    private func claim(_ number: Int, _ data: Data, for key: String, tenant: String) async throws(StoreError) -> Bool {
        let slot = try StoreKey.slot(tenant: tenant, number: number)
        do throws(StoreError) {
            _ = try await store.create(slot, data)
        } catch .conflict {
            guard try await holder(number, tenant: tenant)?.job == key else { return false }
        }
        await hints.took(number, for: key)
        return true
    }

    /// The slot `key` holds, by reading every held one.
    private func find(_ key: String, tenant: String) async throws(StoreError) -> Int? {
        for number in try await numbers(tenant: tenant) where try await holder(number, tenant: tenant)?.job == key {
            return number
        }
        return nil
    }

    private func holder(_ number: Int, tenant: String) async throws(StoreError) -> SlotHolding? {
        let slot = try StoreKey.slot(tenant: tenant, number: number)
        return try await store.read(slot).map { stored throws(StoreError) in try decode(stored, slot) }
    }

    /// Every held slot: its number and holding.
    func holdings(tenant: String) async throws(StoreError) -> [(number: Int, holding: SlotHolding)] {
        var found: [(number: Int, holding: SlotHolding)] = []
        for number in try await numbers(tenant: tenant) {
            let key = try StoreKey.slot(tenant: tenant, number: number)
            guard let stored = try await store.read(key) else { continue }
            found.append((number, try decode(stored, key)))
        }
        return found
    }

    /// The numbers of the held slots.
    func numbers(tenant: String) async throws(StoreError) -> [Int] {
        try await store.listAll(prefix: try StoreKey.slotsPrefix(tenant: tenant)).compactMap(\.slotNumber)
    }

    /// Deletes slot `number` if `key` holds it; true when it did (or another copy just did).
    private func free(_ number: Int, of key: String, tenant: String) async throws(StoreError) -> Bool {
        let slot = try StoreKey.slot(tenant: tenant, number: number)
        guard let stored = try await store.read(slot), try decode(stored, slot).job == key else { return false }
        do throws(StoreError) {
            try await store.delete(slot, ifMatch: stored.version)
        } catch .conflict {}
        await hints.gave(number, for: key, tenant: tenant)
        return true
    }

    private func encode(_ holding: SlotHolding) throws(StoreError) -> Data {
        do { return try JSONEncoder().encode(holding) } catch { throw .corrupt("encode a slot: \(error)") }
    }

    private func decode(_ stored: Stored, _ key: StoreKey) throws(StoreError) -> SlotHolding {
        do { return try JSONDecoder().decode(SlotHolding.self, from: stored.data) } catch {
            throw .corrupt("\(key): \(error)")
        }
    }
}

/// What this process believes about its tenants' slots: numbers likely free (refilled from a
/// listing when they run out) and the slots it took, by job. Only a hint: the store decides.
actor SlotHints {
    private var free: [String: [Int]] = [:]
    private var taken: [String: Int] = [:]

    func nextFree(_ tenant: String) -> Int? { free[tenant]?.popLast() }

    func refill(_ tenant: String, _ numbers: [Int]) { free[tenant] = numbers.reversed() }

    func mine(_ key: String) -> Int? { taken[key] }

    func took(_ number: Int, for key: String) { taken[key] = number }

    func gave(_ number: Int, for key: String, tenant: String) {
        taken[key] = nil
        free[tenant, default: []].append(number)
    }
}
