import Foundation
import FunctionRuntime

// POST /webhooks/github[/{tenant}] with X-GitHub-Event: workflow_run
try await FunctionMain.run(.ciCompleted, environment: ProcessInfo.processInfo.environment)
