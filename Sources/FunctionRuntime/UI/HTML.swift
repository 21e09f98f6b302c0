/// Small helpers for server-rendered pages: escaping, and the shared page frame.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for char in text {
            switch char {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(char)
            }
        }
        return out
    }

    /// A CI run's URL as a link when it is `https:` or `http:`; anything else (`javascript:`,
    /// `data:`…) is shown as text, never as a live link.
    public static func link(_ url: String) -> String {
        let scheme = url.prefix { $0 != ":" }.lowercased()
        guard scheme == "https" || scheme == "http", url.count > scheme.count + 3,
            url.dropFirst(scheme.count).hasPrefix("://")
        else { return "<code>\(escape(url))</code>" }
        return "<a href=\"\(escape(url))\" rel=\"noreferrer\">run</a>"
    }

    /// The colour of each outcome, shared by the timeline, the tables and the tests.
    static func color(_ outcome: String) -> String {
        switch outcome {
        case "killed", "passed-baseline", "completed": "#16a34a"
        case "survived", "failed-baseline", "failed", "not-covered": "#dc2626"
        case "errored", "inconclusive": "#6b7280"
        case "cancelled", "superseded": "#9ca3af"
        case "retried", "timed out": "#f59e0b"
        case "paused": "#a855f7"
        case "batch": "#93c5fd"
        default: "#2563eb"
        }
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#111827;background:#f9fafb}
        header{background:#111827;color:#f9fafb;padding:12px 24px}header a{color:#f9fafb;text-decoration:none}
        main{padding:16px 24px;max-width:1200px;box-sizing:border-box}
        table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0 24px;table-layout:auto}
        th,td{border-bottom:1px solid #e5e7eb;padding:6px 8px;text-align:left;vertical-align:top;word-break:break-word}
        th{background:#f3f4f6;font-weight:600;white-space:nowrap}code{font-size:12px;word-break:break-all}
        .badge{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px;white-space:nowrap}
        .timeline{background:#fff;border:1px solid #e5e7eb;max-width:100%;height:auto}
        form.filters{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0}
        .muted{color:#6b7280}.pager a{margin-right:12px}
        </style></head>
        <body><header><a href="#">Tinybug</a> · \(escape(title))</header><main>\(body)</main></body></html>
        """
    }

    static func badge(_ text: String, outcome: String? = nil) -> String {
        "<span class=\"badge\" data-outcome=\"\(escape(outcome ?? text))\" style=\"background:\(color(outcome ?? text))\">\(escape(text))</span>"
    }
}
