import Workflow

/// What the engine needs of a workflow: a pure transition, the effects' keys and the next deadline.
public protocol DurableWorkflow: Codable, Equatable, Sendable {
    associatedtype Event: Codable, Sendable
    associatedtype Effect: Codable, Sendable

    static func transition(_ state: Self, _ event: Event, now: Instant) -> (Self, [Effect])
    /// The event a timer applies.
    static var tick: Event { get }
    /// Idempotency key of an effect: stable across retries, unique within a workflow.
    static func key(of effect: Effect) -> String
    static func summary(of event: Event) -> String
    static func summary(of effect: Effect) -> String
    /// When a timer must next look at this workflow.
    var deadline: Instant? { get }
    /// Whether an effect waiting in the outbox is no longer wanted by `state` (its job moved on):
    /// the engine drops it rather than run it late.
    func noLongerWants(_ effect: Effect) -> Bool
}

extension Run: DurableWorkflow {
    public static var tick: Workflow.Event { .tick }
    public static func key(of effect: Workflow.Effect) -> String { effect.key }
    public static func summary(of event: Workflow.Event) -> String { event.summary }
    public static func summary(of effect: Workflow.Effect) -> String { effect.summary }
    public func noLongerWants(_ effect: Workflow.Effect) -> Bool { isObsolete(effect) }
}
