import Egress
import Engine
import Foundation
import Ingress
import Logging
import Workflow

/// The PR's buttons: the check run's Re-run and its own buttons, and "Re-run all checks".
extension Orchestrator {
    /// A click on one of Tinybug's check runs: Re-run and `start-over` measure the head again,
    /// `rerun-survivors` and `rerun-errored` measure those mutants again in the same workflow. A
    /// click that cannot be done now is answered 200 with why (GitHub would otherwise count the
    /// delivery as failed).
    func checkRun(_ request: GitHubWebhook.CheckRunRequest, tenant: Tenant, delivery: String)
        async throws(ContractError) -> Answer
    {
        guard let workflow = Run.workflowID(fromExternalID: request.externalID) else {
            return .ignored("check run \(request.checkRunID) is not one of a Tinybug workflow")
        }
        let document: Document<Run>
        do { document = try await self.document(tenant: tenant.id, workflow: workflow) } catch
            where error.statusCode == 404
        {
            return .ignored("no workflow \(workflow) for check run \(request.checkRunID)")
        }
        let pr = document.state.pullRequest
        guard pr.owner == request.owner, pr.repo == request.repo, pr.headSHA == request.headSHA else {
            return .ignored("check run \(request.checkRunID) is not on the head workflow \(workflow) measures")
        }
        let selection: RerunSelection
        switch request.action {
        case .rerequested, .requested(CheckRunAction.startOver.identifier):
            let restart = try await restart(tenant: tenant.id, workflow: workflow, eventID: delivery)
            return .accepted(restart.workflow)
        case .requested(CheckRunAction.rerunSurvivors.identifier): selection = .survived
        case .requested(CheckRunAction.rerunErrored.identifier): selection = .errored
        case .requested(let other): return .ignored("no button \(other)")
        }
        do {
            _ = try await rerun(tenant: tenant.id, workflow: workflow, only: selection, eventID: delivery)
            return .accepted(workflow)
        } catch  where error.statusCode == 409 {
            return .ok("nothing to do: \(error.message)", workflow: workflow)
        }
    }

    /// "Re-run all checks" on a commit: the newest workflow of the commit's PRs for that head is
    /// measured again from the start. Another App's suite (when the App is known) is left alone.
    func checkSuite(_ request: GitHubWebhook.CheckSuiteRequest, tenant: Tenant, delivery: String)
        async throws(ContractError) -> Answer
    {
        if let ours = tenants.app?.appID, let app = request.appID, app != ours {
            return .ignored("check suite of another App (\(app))")
        }
        var found: String? = nil
        for number in request.pullNumbers {
            let pr = PullRequest(
                owner: request.owner, repo: request.repo, number: number, headSHA: request.headSHA, headRef: "")
            let ids: [String]
            do { ids = try await workflows(of: pr, tenant: tenant.id) } catch {
                throw refused(error, ["tenant.id": "\(tenant.id)"])
            }
            found = ids.last { $0.hasPrefix(Identifier.workflow(for: pr)) } ?? found
        }
        guard let found else { return .ignored("no workflow measures \(request.headSHA) of these pull requests") }
        let restart = try await restart(tenant: tenant.id, workflow: found, eventID: delivery)
        return .accepted(restart.workflow)
    }
}
