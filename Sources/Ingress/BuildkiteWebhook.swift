#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Workflow

/// What a Buildkite delivery means to Tinybug.
public enum BuildkiteWebhook: Equatable, Sendable {
    case ping
    /// A build finished. `eventID` is derived from the build and its final state, since Buildkite
    /// sends no delivery id: a redelivery of the same outcome gets the same id.
    case buildFinished(job: JobKey?, CIConclusion, buildNumber: Int, url: String?, eventID: String)
    case ignored(String)

    struct Build: Decodable {
        var id: String
        var number: Int
        var state: String
        var web_url: String?
        var meta_data: [String: String]?
    }

    struct Payload: Decodable {
        var event: String?
        var build: Build
    }

    /// `failed` means the tests failed, `passed` that they passed; the rest are infrastructure outcomes.
    public static func conclusion(_ state: String) -> CIConclusion { CIConclusion(buildkite: state) }

    /// Decodes a delivery of event `event` (`X-Buildkite-Event`). Call only after it was authenticated.
    public static func decode(event: String, body: Data) throws(PayloadError) -> BuildkiteWebhook {
        switch event {
        case "ping":
            return .ping
        case "build.finished":
            let build = try PayloadError.decode(Payload.self, from: body).build
            let job = build.meta_data?["tinybug_job"].flatMap { JobKey(parsing: $0) }
            return .buildFinished(
                job: job, conclusion(build.state), buildNumber: build.number, url: build.web_url,
                eventID: "buildkite:\(build.id):\(build.state)")
        default:
            return .ignored("event \(event)")
        }
    }
}
