import Foundation

extension ThreatAnalysis {
    /// The analysis as compact JSON with the SPEC field names, written directly (the hot path of
    /// every request). Decodes with ``EngineJSON/decoder`` to an equal value; the tests hold it
    /// to that.
    public func jsonData() -> Data {
        var w = JSONWriter()
        w.beginObject()
        w.key("id"); w.string(id)
        w.key("signal"); signal.write(to: &w)
        w.key("status"); w.string(status.rawValue)
        w.key("severity"); w.string(severity.rawValue)
        w.key("executive_summary"); w.string(executiveSummary)
        w.key("mitre_tactics"); MitreReference.write(mitreTactics, to: &w)
        w.key("mitre_techniques"); MitreReference.write(mitreTechniques, to: &w)
        w.key("customer_narrative"); w.string(customerNarrative)
        w.key("agent_analyses")
        w.beginObject()
        w.key("historical"); agentAnalyses.historical.write(to: &w)
        w.key("config"); agentAnalyses.config.write(to: &w)
        w.key("devops"); agentAnalyses.devops.write(to: &w)
        w.key("context"); agentAnalyses.context.write(to: &w)
        w.key("priority"); agentAnalyses.priority.write(to: &w)
        w.endObject()
        w.key("false_positive_score"); falsePositiveScore.write(to: &w)
        w.key("response_plan"); responsePlan.write(to: &w)
        w.key("investigation_timeline")
        w.beginObject()
        w.key("events")
        w.beginArray()
        for event in investigationTimeline.events {
            w.beginObject()
            w.key("timestamp"); w.date(event.timestamp)
            w.key("phase"); w.string(event.phase)
            w.key("description"); w.string(event.description)
            w.key("duration_ms")
            if let duration = event.durationMs { w.number(duration) } else { w.null() }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.key("total_processing_time_ms"); w.number(totalProcessingTimeMs)
        w.key("created_at"); w.date(createdAt)
        w.key("requires_human_review"); w.bool(requiresHumanReview)
        w.key("review_reason"); w.string(reviewReason)
        w.key("analyst_note"); w.string(analystNote)
        w.key("verdict_at"); w.date(verdictAt)
        w.endObject()
        return w.data
    }
}

extension SecuritySignal {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(id)
        w.key("threat_type"); w.string(threatType.rawValue)
        w.key("customer_name"); w.string(customerName)
        w.key("timestamp"); w.date(timestamp)
        w.key("metadata"); w.json(.object(metadata))
        w.endObject()
    }
}

extension MitreReference {
    static func write(_ references: [MitreReference], to w: inout JSONWriter) {
        w.beginArray()
        for reference in references {
            w.beginObject()
            w.key("id"); w.string(reference.id)
            w.key("name"); w.string(reference.name)
            w.endObject()
        }
        w.endArray()
    }
}

extension AgentAnalysis {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("agent_name"); w.string(agentName)
        w.key("analysis"); w.string(analysis)
        w.key("confidence"); w.number(confidence)
        w.key("key_findings"); w.strings(keyFindings)
        w.key("recommendations"); w.strings(recommendations)
        w.key("processing_time_ms"); w.number(processingTimeMs)
        w.endObject()
    }
}

extension FalsePositiveScore {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("score"); w.number(score)
        w.key("confidence"); w.number(confidence)
        w.key("indicators")
        w.beginArray()
        for indicator in indicators {
            w.beginObject()
            w.key("indicator"); w.string(indicator.indicator)
            w.key("weight"); w.number(indicator.weight)
            w.key("description"); w.string(indicator.description)
            w.endObject()
        }
        w.endArray()
        w.key("recommendation"); w.string(recommendation)
        w.key("historical_fp_rate")
        if let rate = historicalFpRate { w.number(rate) } else { w.null() }
        w.endObject()
    }
}

extension ResponsePlan {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("primary_action"); primaryAction.write(to: &w)
        w.key("secondary_actions")
        w.beginArray()
        for action in secondaryActions { action.write(to: &w) }
        w.endArray()
        w.key("escalation_path"); w.strings(escalationPath)
        w.key("sla_minutes"); w.int(slaMinutes)
        w.endObject()
    }
}

extension ResponseAction {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("action"); w.string(action)
        w.key("target"); w.string(target)
        w.key("description"); w.string(description)
        w.key("requires_approval"); w.bool(requiresApproval)
        w.key("automated"); w.bool(automated)
        w.endObject()
    }
}
