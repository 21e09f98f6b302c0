import Foundation
import FunctionRuntime

// /api/v1/... with Authorization: Bearer <tenant API token or $TINYBUG_ADMIN_TOKEN>
try await FunctionMain.run(.control, environment: ProcessInfo.processInfo.environment)
