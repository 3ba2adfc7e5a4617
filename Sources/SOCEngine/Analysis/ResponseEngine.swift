/// Plans the response: a primary action and follow-ups chosen by threat type and severity,
/// aimed at concrete targets, with approval rules, an SLA and an escalation path.
///
/// Blocking actions need analyst approval unless the customer enables auto-block and the threat
/// is HIGH or worse with a low false-positive score. A likely false positive is only monitored.
public enum ResponseEngine {
    public static func plan(_ input: AgentInput, severity: Severity, falsePositive: FalsePositiveScore) -> ResponsePlan {
        let e = input.evidence
        let source = e.sourceIP ?? "unknown source"
        let subnet = e.subnet ?? source
        let account = input.signal.metadata["user_id"]?.stringValue ?? input.signal.metadata["account"]?.stringValue ?? "affected accounts"
        let device = input.signal.metadata["device_id"]?.stringValue ?? "affected device"
        let autoBlock = (input.customer?.autoBlock ?? false) && severity >= .high && falsePositive.score < FalsePositiveAnalyzer.reviewThreshold

        func act(_ action: String, _ target: String, _ description: String, blocking: Bool = false) -> ResponseAction {
            ResponseAction(action: action, target: target, description: description,
                           requiresApproval: blocking && !autoBlock, automated: blocking && autoBlock)
        }

        var primary: ResponseAction
        var secondary: [ResponseAction] = []
        if falsePositive.recommendation == "likely_false_positive" {
            primary = act("monitor", source, "Likely benign (false-positive score \(Say.ratio(falsePositive.score))): watch the source, take no blocking action")
            secondary.append(act("review_detection_rule", input.signal.threatType.rawValue, "Tune the \(input.signal.threatType.displayName) detection that produced this signal"))
        } else {
            switch input.signal.threatType {
            case .botTraffic:
                primary = severity >= .high ? act("block_ip", source, "Block \(source) at the edge", blocking: true)
                    : act("challenge", source, "Serve a CAPTCHA challenge to \(source)")
                secondary.append(act("rate_limit", source, "Apply the customer rate limit to \(source)"))
            case .proxyNetwork:
                primary = severity >= .high ? act("block_subnet", subnet, "Block the proxy range \(subnet)", blocking: true)
                    : act("step_up_auth", account, "Require MFA for sessions arriving through the proxy")
                secondary.append(act("flag_sessions", subnet, "Flag active sessions from \(subnet) for review"))
            case .deviceCompromise:
                primary = severity >= .high ? act("isolate_device", device, "Isolate \(device) from the network", blocking: true)
                    : act("revoke_sessions", account, "Revoke the device's sessions and tokens")
                secondary.append(act("force_password_reset", account, "Reset credentials used on \(device)"))
                secondary.append(act("collect_forensics", device, "Collect a forensic image of \(device)"))
            case .anomalyDetection:
                primary = severity >= .high ? act("throttle_egress", source, "Throttle outbound transfers from \(source)", blocking: true)
                    : act("investigate", source, "Investigate the anomaly against the baseline")
                secondary.append(act("snapshot_baseline", input.signal.customerName, "Snapshot the current baseline for comparison"))
            case .rateLimitBreach:
                primary = severity >= .high ? act("block_ip", source, "Block \(source) for 1 hour", blocking: true)
                    : act("enforce_rate_limit", source, "Enforce the configured rate limit on \(source)")
                secondary.append(act("monitor", source, "Watch \(source) for renewed bursts"))
            case .geoAnomaly:
                primary = severity >= .high ? act("lock_account", account, "Lock \(account) until the owner re-verifies", blocking: true)
                    : act("step_up_auth", account, "Require MFA for the next login of \(account)")
                secondary.append(act("notify_user", account, "Tell the account owner about the login from \(e.location ?? "a new location")"))
            }
            if let match = input.reputation, match.isHostile, primary.action != "block_subnet" {
                secondary.append(act("block_subnet", match.network.description, "Block \(match.entry.name) (\(match.network))", blocking: true))
            }
        }
        if severity >= .high {
            secondary.append(act("notify_customer", input.customer?.securityContact ?? input.signal.customerName, "Notify \(input.customerDisplayName)'s security contact"))
        }
        return ResponsePlan(primaryAction: primary, secondaryActions: secondary,
                            escalationPath: escalation(severity: severity, input: input), slaMinutes: sla(severity: severity, tier: input.customer?.tier))
    }

    /// Minutes to first response: CRITICAL 15, HIGH 60, MEDIUM 240, LOW 1440; halved for enterprise.
    static func sla(severity: Severity, tier: String?) -> Int {
        let base: Int
        switch severity {
        case .critical: base = 15
        case .high: base = 60
        case .medium: base = 240
        case .low: base = 1440
        }
        return tier == "enterprise" ? max(15, base / 2) : base
    }

    static func escalation(severity: Severity, input: AgentInput) -> [String] {
        var path = ["soc_tier1"]
        if severity >= .medium { path.append("soc_tier2") }
        if severity >= .high { path.append("customer_security_contact:\(input.customer?.securityContact ?? input.signal.customerName)") }
        if severity == .critical { path.append("incident_commander") }
        return path
    }
}
