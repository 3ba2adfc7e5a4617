import Foundation

extension ThreatAnalysis: JSONWritable {
    /// The analysis as compact JSON with the SPEC field names, written directly (the hot path of
    /// every request). Decodes with ``EngineJSON/decoder`` to an equal value; the tests hold it
    /// to that.
    public func jsonData() -> Data {
        var w = JSONWriter()
        write(to: &w)
        return w.data
    }

    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(id)
        w.key("signal"); w.value(signal)
        w.key("status"); w.string(status.rawValue)
        w.key("severity"); w.string(severity.rawValue)
        w.key("executive_summary"); w.string(executiveSummary)
        w.key("mitre_tactics"); w.array(mitreTactics)
        w.key("mitre_techniques"); w.array(mitreTechniques)
        w.key("customer_narrative"); w.string(customerNarrative)
        w.key("agent_analyses"); w.value(agentAnalyses)
        w.key("false_positive_score"); w.value(falsePositiveScore)
        w.key("response_plan"); w.value(responsePlan)
        w.key("investigation_timeline"); w.value(investigationTimeline)
        w.key("total_processing_time_ms"); w.number(totalProcessingTimeMs)
        w.key("created_at"); w.date(createdAt)
        w.key("requires_human_review"); w.bool(requiresHumanReview)
        w.key("review_reason"); w.string(reviewReason)
        w.key("analyst_note"); w.string(analystNote)
        w.key("verdict_at"); w.date(verdictAt)
        w.endObject()
    }
}

extension SecuritySignal: JSONWritable {
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

extension MitreReference: JSONWritable {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(id)
        w.key("name"); w.string(name)
        w.endObject()
    }
}

extension AgentAnalyses: JSONWritable {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("historical"); w.value(historical)
        w.key("config"); w.value(config)
        w.key("devops"); w.value(devops)
        w.key("context"); w.value(context)
        w.key("priority"); w.value(priority)
        w.endObject()
    }
}

extension AgentAnalysis: JSONWritable {
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

extension FalsePositiveScore: JSONWritable {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("score"); w.number(score)
        w.key("confidence"); w.number(confidence)
        w.key("indicators"); w.array(indicators)
        w.key("recommendation"); w.string(recommendation)
        w.key("historical_fp_rate"); w.number(historicalFpRate)
        w.endObject()
    }
}

extension FalsePositiveIndicator: JSONWritable {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("indicator"); w.string(indicator)
        w.key("weight"); w.number(weight)
        w.key("description"); w.string(description)
        w.endObject()
    }
}

extension ResponsePlan: JSONWritable {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("primary_action"); w.value(primaryAction)
        w.key("secondary_actions"); w.array(secondaryActions)
        w.key("escalation_path"); w.strings(escalationPath)
        w.key("sla_minutes"); w.int(slaMinutes)
        w.endObject()
    }
}

extension ResponseAction: JSONWritable {
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

extension InvestigationTimeline: JSONWritable {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("events"); w.array(events)
        w.endObject()
    }
}

extension TimelineEvent: JSONWritable {
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("timestamp"); w.date(timestamp)
        w.key("phase"); w.string(phase)
        w.key("description"); w.string(description)
        w.key("duration_ms"); w.number(durationMs)
        w.endObject()
    }
}
