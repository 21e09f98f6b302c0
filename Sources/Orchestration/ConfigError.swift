/// Why the configuration (environment or tenants file) cannot be used.
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String, String)
    case tenants(String)

    public var description: String {
        switch self {
        case .invalid(let name, let problem): "\(name): \(problem)"
        case .tenants(let problem): "tenants file: \(problem)"
        }
    }
}
