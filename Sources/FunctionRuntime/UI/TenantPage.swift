import Engine
import Foundation
import Orchestration
import Workflow

/// `GET /ui/tenants/{tenant}`: the tenant's workflows, newest first, with filters and paging.
enum TenantPage {
    static let pageSize = 25

    struct Query {
        var status: String?
        var repository: String?
        var page: Int
    }

    static func render(tenant: String, rows: [WorkflowSummary], query: Query) -> String {
        let filtered = rows.filter { row in
            (query.status.map { $0.isEmpty || row.status.rawValue == $0 } ?? true)
                && (query.repository.map { $0.isEmpty || row.repository == $0 } ?? true)
        }
        let pages = max(1, (filtered.count + pageSize - 1) / pageSize)
        let page = min(max(1, query.page), pages)
        let shown = filtered.dropFirst((page - 1) * pageSize).prefix(pageSize)
        var body = "<h1>Measurements of \(HTML.escape(tenant))</h1>"
        body += filters(rows: rows, query: query)
        body += "<p class=\"muted\">\(filtered.count) workflows</p>"
        body +=
            "<table id=\"workflows\"><thead><tr><th>Repository</th><th>PR</th><th>Head</th><th>Status</th><th>Score</th>"
        body += "<th>Killed</th><th>Survived</th><th>Errored</th><th>Started</th><th>Updated</th></tr></thead><tbody>"
        for row in shown {
            let link = "/ui/tenants/\(HTML.escape(tenant))/workflows/\(HTML.escape(row.id))"
            body += "<tr data-workflow=\"\(HTML.escape(row.id))\" data-status=\"\(HTML.escape(row.status.rawValue))\">"
            body += "<td>\(HTML.escape(row.repository))</td><td><a href=\"\(link)\">#\(row.pr)</a></td>"
            body +=
                "<td><code>\(HTML.escape(String(row.headSHA.prefix(7))))</code></td><td>\(HTML.badge(row.status.rawValue))</td>"
            body +=
                "<td>\(row.score.map { "\($0)%" } ?? "–")</td><td>\(row.killed)</td><td>\(row.survived)</td><td>\(row.errored)</td>"
            body += "<td>\(HTML.escape(short(row.started)))</td><td>\(HTML.escape(short(row.updated)))</td></tr>"
        }
        body += "</tbody></table>" + pager(page: page, pages: pages, query: query)
        return HTML.page(title: "\(tenant) · measurements", body: body)
    }

    static func filters(rows: [WorkflowSummary], query: Query) -> String {
        let statuses = [""] + MeasurementStatus.allCases.map(\.rawValue)
        let repositories = [""] + Set(rows.map(\.repository)).sorted()
        func options(_ values: [String], _ selected: String?) -> String {
            values.map { value in
                "<option value=\"\(HTML.escape(value))\"\(value == (selected ?? "") ? " selected" : "")>\(value.isEmpty ? "any" : HTML.escape(value))</option>"
            }.joined()
        }
        return
            "<form class=\"filters\" method=\"get\"><label>Status <select name=\"status\">\(options(statuses, query.status))</select></label>"
            + "<label>Repository <select name=\"repository\">\(options(repositories, query.repository))</select></label>"
            + "<button type=\"submit\">Filter</button></form>"
    }

    static func pager(page: Int, pages: Int, query: Query) -> String {
        guard pages > 1 else { return "" }
        func link(_ target: Int, _ label: String) -> String {
            var parts = ["page=\(target)"]
            if let status = query.status, !status.isEmpty { parts.append("status=\(HTML.escape(status))") }
            if let repository = query.repository, !repository.isEmpty {
                parts.append("repository=\(HTML.escape(repository))")
            }
            return "<a href=\"?\(parts.joined(separator: "&amp;"))\">\(label)</a>"
        }
        return "<p class=\"pager\">" + (page > 1 ? link(page - 1, "← newer") : "") + "page \(page) of \(pages) "
            + (page < pages ? link(page + 1, "older →") : "") + "</p>"
    }

    /// `2026-11-25T08:00:00.000Z` → `2026-11-25 08:00:00`.
    static func short(_ iso: String) -> String { String(iso.prefix(19)).replacingOccurrences(of: "T", with: " ") }
}
