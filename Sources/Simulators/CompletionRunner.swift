import Foundation
import FoundationNetworking
import Hashing
import Hummingbird
import Logging
import ServiceLifecycle
import Workflow

/// What a simulator does after it has answered, as the real CI does: "run" a queued job, send the
/// webhook of a run already finished (a cancel is answered at once, its webhook comes later), or
/// deliver a webhook again when asked.
enum BackgroundWork: Sendable {
    case run(Int64)
    case webhook(SimulatedRun)
    case redeliver(SimulatedDelivery)
}

/// Does each piece of background work: a job waits its duration, then `work` finishes it (decides
/// its conclusion and sends its webhook); the rest `work` does at once. Pending work is dropped on
/// graceful shutdown.
struct JobRunner: Service {
    let queue: AsyncStream<BackgroundWork>
    let duration: Duration
    let work: @Sendable (BackgroundWork) async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await item in queue {
                    group.addTask {
                        if case .run = item, (try? await Task.sleep(for: duration)) == nil { return }
                        await work(item)
                    }
                }
            }
        }
    }
}

extension GitHubSimulator {
    /// Finishes a run as GitHub would: its conclusion, then the signed `workflow_run` webhook.
    func complete(_ id: Int64) async {
        guard let run = await state.run(id), run.status != "completed" else { return }
        let job = run.inputs[CIContract.Input.job] ?? ""
        if let members = BatchRuns.members(run.inputs) { return await completeBatch(run, job: job, members: members) }
        let mutant = run.inputs[CIContract.Input.mutant].flatMap(Self.decodeMutant)
        let outcome = options.outcome(job, mutant)
        var conclusion = outcome == "apply-failed" ? "failure" : outcome ?? "success"
        // The world decides what the tests do; an infrastructure outcome (cancelled…) stands.
        if let world = options.world, outcome == "success" || outcome == "failure" {
            let result = world.run(job: job, mutant: mutant)
            conclusion = result.failed ? "failure" : "success"
            await state.setArtifact(id, result.files)
        }
        guard let finished = await state.finish(id, conclusion: conclusion, applyFailed: outcome == "apply-failed")
        else { return }
        if outcome == nil || options.dropWebhook(job) {
            await state.countWebhook(sent: false)
            return
        }
        await deliver(finished)
    }
}

extension GitHubSimulator {
    /// Finishes a batch's run: its conclusion says nothing of its mutants (`success`, unless the
    /// outcome for the run is about the infrastructure); each mutant's own outcome is in the artifact.
    func completeBatch(_ run: SimulatedRun, job: String, members: [MutantInput]) async {
        let ending = BatchRuns.ending(
            job: job, members: members, world: options.world, passing: "success", outcome: options.outcome)
        if let artifact = ending.artifact { await state.setArtifact(run.id, artifact) }
        guard let finished = await state.finish(run.id, conclusion: ending.conclusion) else { return }
        if !ending.sendsWebhook || options.dropWebhook(job) {
            await state.countWebhook(sent: false)
            return
        }
        await deliver(finished)
    }
}

extension GitHubSimulator {
    /// Decodes the `tinybug_mutant` input: base64 of the mutant's JSON.
    public static func decodeMutant(_ text: String) -> MutantInput? {
        guard !text.isEmpty, let data = Data(base64Encoded: text) else { return nil }
        return try? JSONDecoder().decode(MutantInput.self, from: data)
    }

    /// Posts the `workflow_run` completed webhook for a finished run, signed like GitHub's.
    func deliver(_ run: SimulatedRun) async {
        let body = Self.workflowRunPayload(
            run, owner: options.owner, repo: options.repo, htmlURL: runURL(run.id),
            installationID: options.installationID)
        let status = await send(event: "workflow_run", payload: body)
        await state.countWebhook(sent: status != 0)
    }

    /// The simulator's background work.
    func work(_ item: BackgroundWork) async {
        switch item {
        case .run(let id): await complete(id)
        case .webhook(let run): await deliver(run)
        case .redeliver(let delivery):
            await send(event: delivery.event, payload: delivery.body, guid: delivery.guid, redelivery: true)
        }
    }

    /// The completion webhook GitHub would send for `run` finishing with `conclusion`.
    public static func completedPayload(_ run: SimulatedRun, conclusion: String, owner: String, repo: String) -> Data {
        var finished = run
        finished.status = "completed"
        finished.conclusion = conclusion
        return workflowRunPayload(
            finished, owner: owner, repo: repo, htmlURL: "https://github.com/\(owner)/\(repo)/actions/runs/\(run.id)")
    }

    /// A `workflow_run` completed payload in GitHub's documented shape, as compact JSON.
    static func workflowRunPayload(
        _ run: SimulatedRun, owner: String, repo: String, htmlURL: String, installationID: Int64 = 42
    ) -> Data {
        let payload: [String: Any] = [
            "action": "completed",
            "workflow_run": [
                "id": run.id, "name": "tinybug mutant", "display_title": run.title, "status": "completed",
                "conclusion": run.conclusion ?? NSNull(), "html_url": htmlURL, "head_sha": run.headSHA,
                "event": "workflow_dispatch", "run_attempt": 1, "run_number": run.id - 1000,
                "path": ".github/workflows/\(run.workflow)", "head_branch": "main",
            ] as [String: Any],
            "workflow": ["id": 161335, "name": "tinybug mutant", "path": ".github/workflows/\(run.workflow)"]
                as [String: Any],
            "repository": [
                "id": 1_296_269, "name": repo, "full_name": "\(owner)/\(repo)", "private": false,
                "owner": ["login": owner, "id": 1, "type": "Organization"] as [String: Any],
            ] as [String: Any],
            "sender": ["login": "tinybug-bot[bot]", "id": 2, "type": "Bot"] as [String: Any],
            "installation": ["id": installationID] as [String: Any],
        ]
        return (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data()
    }
}
