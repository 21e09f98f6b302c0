import Foundation
import FoundationNetworking
import Synchronization

/// One GET that follows no redirect (the caller decides where a `Location` goes, and with which
/// credentials) and stops reading past `limit` bytes, whatever the answer declares.
public enum BoundedGet {
    public struct Answer: Sendable {
        public var status: Int
        public var location: String?
        public var body: Data
    }

    public static func get(_ url: String, headers: [String: String], limit: Int, timeout: TimeInterval = 60)
        async throws(RESTError) -> Answer
    {
        guard let target = URL(string: url), ["http", "https"].contains(target.scheme ?? "") else {
            throw .transport("bad URL \(url.prefix(200))")
        }
        var request = URLRequest(url: target)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let collector = Collector(limit: limit)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 3
        let session = URLSession(configuration: configuration, delegate: collector, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        do {
            return try await collector.run(session.dataTask(with: request))
        } catch let error as RESTError {
            throw error
        } catch {
            throw .transport("GET \(target.host ?? ""): \(error.localizedDescription)")
        }
    }

    /// Gathers one task's answer; gives up on it once its body passes the bound.
    final class Collector: NSObject, URLSessionDataDelegate, Sendable {
        struct Progress {
            var response: HTTPURLResponse?
            var body = Data()
            var overLimit = false
            var continuation: CheckedContinuation<Answer, any Error>?
        }
        let limit: Int
        let progress = Mutex(Progress())

        init(limit: Int) { self.limit = limit }

        func run(_ task: URLSessionDataTask) async throws -> Answer {
            try await withCheckedThrowingContinuation { continuation in
                progress.withLock { $0.continuation = continuation }
                task.resume()
            }
        }

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }

        func urlSession(
            _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
            completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
        ) {
            let declared = response.expectedContentLength
            let over = declared > Int64(limit)
            progress.withLock {
                $0.response = response as? HTTPURLResponse
                $0.overLimit = over
            }
            completionHandler(over ? .cancel : .allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            let over = progress.withLock { progress in
                guard !progress.overLimit else { return true }
                progress.body.append(data)
                progress.overLimit = progress.body.count > limit
                if progress.overLimit { progress.body = Data() }
                return progress.overLimit
            }
            if over { dataTask.cancel() }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            let (continuation, result) = progress.withLock {
                progress -> (CheckedContinuation<Answer, any Error>?, Result<Answer, any Error>) in
                let continuation = progress.continuation
                progress.continuation = nil
                if progress.overLimit { return (continuation, .failure(RESTError.tooLarge(limit))) }
                if let error { return (continuation, .failure(error)) }
                guard let response = progress.response else {
                    return (continuation, .failure(RESTError.transport("no answer")))
                }
                let location = response.value(forHTTPHeaderField: "Location")
                return (
                    continuation, .success(Answer(status: response.statusCode, location: location, body: progress.body))
                )
            }
            continuation?.resume(with: result)
        }
    }
}
