import Foundation
import FunctionRuntime

// POST /timer with Authorization: Bearer $TINYBUG_TIMER_TOKEN
try await FunctionMain.run(.timerFired, environment: ProcessInfo.processInfo.environment)
