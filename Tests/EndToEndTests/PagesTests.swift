import Engine
import Foundation
import FoundationNetworking
import Simulators
import Testing
import Workflow

/// The status pages, rendered from workflows that real measurements produced (one in each state),
/// checked as HTML and in a real browser (headless Chromium at 1280 px).
@Suite(.serialized) struct PagesTests {
    /// The opened fixture as another PR and head commit.
    static func pullRequest(_ number: Int, sha: String, action: String = "opened") throws -> Data {
        var object =
            try JSONSerialization.jsonObject(with: fixture("github/pull_request.opened.json")) as! [String: Any]
        var pr = object["pull_request"] as! [String: Any]
        var head = pr["head"] as! [String: Any]
        head["sha"] = sha
        pr["head"] = head
        pr["number"] = number
        object["pull_request"] = pr
        object["number"] = number
        object["action"] = action
        return try JSONSerialization.data(withJSONObject: object)
    }

    static func sha(_ seed: Int) -> String { String(repeating: String(format: "%02x", seed), count: 20) }

    func basic(_ password: String) -> String { "Basic " + Data("user:\(password)".utf8).base64EncodedString() }

    /// Workflows in every state: completed, inconclusive, failed, cancelled, superseded, running, paused.
    func makeEveryState(_ harness: Harness) async throws -> [String: String] {
        var ids: [String: String] = [:]
        func open(_ number: Int, _ seed: Int, action: String = "opened") async throws -> String {
            let reply = try await harness.deliver(
                Self.pullRequest(number, sha: Self.sha(seed), action: action), event: "pull_request")
            return try #require(reply.body["workflow"] as? String, "PR \(number): \(reply.body)")
        }
        ids["completed"] = try await open(42, 1)
        _ = try await harness.finished(ids["completed"]!)
        ids["inconclusive"] = try await open(43, 2)
        _ = try await harness.finished(ids["inconclusive"]!)
        ids["failed"] = try await open(44, 3)
        _ = try await harness.finished(ids["failed"]!)
        ids["cancelled"] = try await open(45, 4)
        _ = try await harness.deliver(Self.pullRequest(45, sha: Self.sha(4), action: "closed"), event: "pull_request")
        ids["superseded"] = try await open(46, 5)
        ids["running"] = try await open(46, 6, action: "synchronize")
        ids["paused"] = try await open(47, 7)
        _ = try await harness.request(
            "POST", "/api/v1/tenants/acme/workflows/\(ids["paused"]!)/pause",
            headers: ["Authorization": "Bearer \(Harness.apiToken)"])
        for (state, id) in ids {
            let status = try await harness.engine.load(tenant: "acme", id: id)?.0.state.status.rawValue
            #expect(status == state, "\(id) is \(status ?? "missing"), expected \(state)")
        }
        return ids
    }

    static func harness<T>(_ body: (Harness) async throws -> T) async throws -> T {
        try await Harness.run(
            outcome: { job, mutant in
                if job.contains("--pr43--") && job.contains("/base/") { return "failure" }
                if job.contains("--pr45--") || job.contains("--pr46--") || job.contains("--pr47--") { return nil }
                return GitHubSimulator.defaultOutcome(job: job, mutant: mutant)
            },
            configure: {
                $0.pullNumber = 0
                $0.missingPulls = [44]
            }, body)
    }

    @Test func `the pages show every state, every job row in its colour, and refuse a wrong token`() async throws {
        try await Self.harness { harness in
            let ids = try await makeEveryState(harness)
            let (listStatus, list, _) = try await Self.get(
                harness, "/ui/tenants/acme", authorization: basic(Harness.apiToken))
            #expect(listStatus == 200)
            for (state, id) in ids {
                #expect(list.contains("data-workflow=\"\(id)\" data-status=\"\(state)\""), "no \(state) row")
            }
            let (filteredStatus, filtered, _) = try await Self.get(
                harness, "/ui/tenants/acme?status=paused", authorization: basic(Harness.adminToken))
            #expect(filteredStatus == 200)
            #expect(filtered.components(separatedBy: "data-workflow=").count == 2)

            let completed = try #require(try await harness.engine.load(tenant: "acme", id: ids["completed"]!)?.0)
            let (pageStatus, page, _) = try await Self.get(
                harness, "/ui/tenants/acme/workflows/\(ids["completed"]!)", authorization: basic(Harness.apiToken))
            #expect(pageStatus == 200)
            for job in completed.state.jobs {
                let outcome = Self.outcome(job)
                #expect(
                    page.contains("<g class=\"job\" data-job=\"\(job.name)\" data-outcome=\"\(outcome)\">"),
                    "no timeline row for \(job.name)")
                #expect(page.contains("fill=\"\(Self.color(outcome))\""))
            }
            #expect(page.contains("<table id=\"mutants\">"))
            #expect(page.components(separatedBy: "<tr data-job=").count == completed.state.mutants.count + 1)
            #expect(!page.contains(Harness.apiToken) && !page.contains(Harness.token) && !page.contains(Harness.secret))

            // URLSession on Linux stalls on a Basic challenge, so the refusals are checked with curl.
            let none = try Self.run("/usr/bin/curl", ["-s", "-i", "-m", "10", harness.base + "/ui/tenants/acme"])
            #expect(none.hasPrefix("HTTP/1.1 401"))
            #expect(none.lowercased().contains("www-authenticate: basic realm=\"tinybug\""))
            let wrong = try Self.run(
                "/usr/bin/curl", ["-s", "-i", "-m", "10", "-u", "user:wrong", harness.base + "/ui/tenants/acme"])
            #expect(wrong.hasPrefix("HTTP/1.1 401"))
            let otherTenant = try Self.run(
                "/usr/bin/curl",
                ["-s", "-i", "-m", "10", "-u", "user:\(Harness.apiToken)", harness.base + "/ui/tenants/globex"])
            #expect(otherTenant.hasPrefix("HTTP/1.1 401") || otherTenant.hasPrefix("HTTP/1.1 404"))
            let (paused, pausedPage, _) = try await Self.get(
                harness, "/ui/tenants/acme/workflows/\(ids["paused"]!)", authorization: basic(Harness.apiToken))
            #expect(paused == 200)
            #expect(pausedPage.contains("data-outcome=\"paused\"") || pausedPage.contains("class=\"pause\""))
        }
    }

    @Test func `in a real browser at 1280 px nothing overflows the page`() async throws {
        let chromium = try #require(
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            },
            "chromium is not installed: make test installs it")
        try await Self.harness { harness in
            let ids = try await makeEveryState(harness)
            for path in [
                "/ui/tenants/acme", "/ui/tenants/acme/workflows/\(ids["completed"]!)",
                "/ui/tenants/acme/workflows/\(ids["running"]!)",
            ] {
                let (_, html, _) = try await Self.get(harness, path, authorization: basic(Harness.apiToken))
                let (overflowing, screenshot) = try Self.render(html, chromium: chromium)
                #expect(overflowing == 0, "\(overflowing) elements overflow \(path)")
                #expect(screenshot > 10_000, "the screenshot of \(path) is empty")
            }
        }
    }

    static func outcome(_ job: Job) -> String {
        switch (job.name.isBaseline, job.status) {
        case (true, .passed): "passed-baseline"
        case (true, .failed): "failed-baseline"
        case (_, .notCovered): "not-covered"
        case (_, .failed): "killed"
        case (_, .passed): "survived"
        case (_, .errored): "errored"
        case (_, .cancelled): "cancelled"
        case (_, .retrying): "retried"
        default: "running"
        }
    }

    static func color(_ outcome: String) -> String {
        [
            "killed": "#16a34a", "passed-baseline": "#16a34a", "survived": "#dc2626", "failed-baseline": "#dc2626",
            "not-covered": "#dc2626",
            "errored": "#6b7280",
            "cancelled": "#9ca3af", "retried": "#f59e0b",
        ][outcome] ?? "#2563eb"
    }

    static func get(_ harness: Harness, _ path: String, authorization: String?) async throws -> (
        Int, String, [String: String]
    ) {
        var request = URLRequest(url: URL(string: harness.base + path)!)
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] { headers["\(name)".lowercased()] = "\(value)" }
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), headers)
    }

    /// Renders the page in headless Chromium at 1280 px: how many elements reach past the right
    /// edge, and the size of a screenshot.
    static func render(_ html: String, chromium: String) throws -> (Int, Int) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-page-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let check = """
            <script>window.addEventListener('load',()=>{const w=document.documentElement.clientWidth;
            const n=[...document.querySelectorAll('body *')].filter(e=>e.getBoundingClientRect().right>w+1).length;
            const d=document.createElement('div');d.id='overflow-check';d.dataset.count=String(n);document.body.appendChild(d);});</script>
            """
        let page = folder.appendingPathComponent("page.html")
        try html.replacingOccurrences(of: "</body>", with: check + "</body>").write(
            to: page, atomically: true, encoding: .utf8)
        let dom = try run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,900", "--virtual-time-budget=2000",
                "--dump-dom", page.absoluteString,
            ])
        let screenshot = folder.appendingPathComponent("shot.png")
        _ = try run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600", "--hide-scrollbars",
                "--screenshot=\(screenshot.path)", page.absoluteString,
            ])
        guard let range = dom.range(of: #"id="overflow-check" data-count="(\d+)""#, options: .regularExpression) else {
            Issue.record("the overflow check did not run")
            return (-1, 0)
        }
        let count = Int(dom[range].split(separator: "\"")[3]) ?? -1
        let size = (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
        return (count, size)
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
