import Testing

@testable import Intake

/// The packed-name lookup every GA4 parameter goes through gives what the name table says.
@Suite struct GA4ParameterNamesTests {
    @Test func everyNameFindsItsTargetAndNoOtherNameDoes() {
        #expect(GA4ParameterNames.targets.count > 30)
        for (name, target) in GA4ParameterNames.targets {
            #expect(describe(GA4ParameterNames.target(name)) == describe(target), "\(name)")
            // A name one byte short, one byte long, or with a byte changed is no target (unless it is one itself).
            for other in [String(name.dropLast()), name + "x", name + "\u{0}", "\u{0}" + name, name.uppercased()]
            where GA4ParameterNames.targets[other] == nil {
                #expect(GA4ParameterNames.target(other) == nil, "\(other.debugDescription)")
            }
        }
        for other in ["", "dma_cpsx", "ep.value", "pr1", "session_id", "v\u{0}", "\u{0}v", "é", "_"] {
            #expect(GA4ParameterNames.target(other) == nil, "\(other.debugDescription)")
        }
    }

    private func describe(_ target: GA4ParameterNames.Target?) -> String {
        switch target {
        case .field(let field)?: return "field \(field)"
        case .systemProperty(let property)?: return "system \(property)"
        case .clientHint(let hint)?: return "hint \(hint)"
        case .engagementTime?: return "engagement"
        case nil: return "none"
        }
    }
}
