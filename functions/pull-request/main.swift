import Foundation
import FunctionRuntime

// POST /webhooks/github[/{tenant}] with X-GitHub-Event: pull_request
try await FunctionMain.run(.pullRequest, environment: ProcessInfo.processInfo.environment)
