// The detail view of one analysis: signal, the five agents' findings, the false-positive score
// and its indicators, the response plan, the investigation timeline, ATT&CK techniques linked
// to their pages, the raw JSON, and the verdict buttons. Every API string goes in as text.

import { el, text, clock, percent, severityClass, VERDICT_LABELS } from "./dom.js";

const AGENTS = ["historical", "config", "devops", "context", "priority"];
const VERDICTS = [["resolved", "Confirm threat"], ["false_positive", "False positive"], ["escalated", "Escalate"]];

/** https://attack.mitre.org/techniques/T1110/001/ for T1110.001; null for an id of another shape. */
export function attackURL(id) {
  const match = /^(T[0-9]{4})(?:\.([0-9]{3}))?$/.exec(String(id));
  if (!match) return null;
  return `https://attack.mitre.org/techniques/${match[1]}/${match[2] ? `${match[2]}/` : ""}`;
}

function section(title, ...children) {
  return el("section", { class: "detail-section" }, el("h3", {}, title), ...children);
}

function list(items, className) {
  const values = Array.isArray(items) ? items : [];
  return values.length === 0 ? el("p", { class: "sub" }, "none") : el("ul", { class: className }, values.map((item) => el("li", {}, text(item))));
}

function signalSection(signal = {}) {
  const metadata = signal.metadata && typeof signal.metadata === "object" ? signal.metadata : {};
  const rows = [["type", signal.threat_type], ["customer", signal.customer_name], ["time", signal.timestamp], ["signal id", signal.id],
    ...Object.keys(metadata).sort().map((key) => [key, metadata[key]])];
  return section("Signal", el("dl", { class: "fields signal-fields" }, rows.map(([key, value]) => [el("dt", {}, key), el("dd", {}, text(value))])));
}

function agentsSection(agents = {}) {
  return section("Agents", el("div", { class: "agents" }, AGENTS.map((key) => {
    const agent = agents[key] || {};
    return el("div", { class: "agent", "data-agent": key },
      el("h4", {}, text(agent.agent_name || key), el("span", { class: "sub" }, ` · confidence ${percent(agent.confidence)} · ${Number(agent.processing_time_ms || 0).toFixed(2)} ms`)),
      el("p", {}, text(agent.analysis)),
      el("h5", {}, "Findings"), list(agent.key_findings, "findings"),
      el("h5", {}, "Recommendations"), list(agent.recommendations, "findings"));
  })));
}

function falsePositiveSection(score = {}) {
  const value = typeof score.score === "number" ? Math.min(1, Math.max(0, score.score)) : 0;
  const indicators = Array.isArray(score.indicators) ? score.indicators : [];
  return section("False-positive score",
    el("div", { class: "meter", role: "meter", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(value * 100) },
      el("progress", { max: 100, value: Math.round(value * 100) }), el("strong", {}, percent(score.score))),
    el("p", {}, `${text(score.recommendation)} · confidence ${percent(score.confidence)}`,
      typeof score.historical_fp_rate === "number" ? ` · similar threats judged false positive: ${percent(score.historical_fp_rate)}` : ""),
    indicators.length === 0 ? el("p", { class: "sub" }, "no indicators") : el("ul", { class: "indicators" }, indicators.map((item) =>
      el("li", { class: Number(item.weight) >= 0 ? "for-fp" : "against-fp" },
        el("code", {}, text(item.indicator)), ` ${Number(item.weight) >= 0 ? "+" : ""}${Number(item.weight).toFixed(2)} `, text(item.description)))));
}

function action(step = {}) {
  return [el("strong", {}, text(step.action)), " → ", el("code", {}, text(step.target)), " ", text(step.description),
    step.automated ? el("span", { class: "tag" }, "automated") : null, step.requires_approval ? el("span", { class: "tag" }, "needs approval") : null];
}

function responseSection(plan = {}) {
  const secondary = Array.isArray(plan.secondary_actions) ? plan.secondary_actions : [];
  return section("Response plan",
    el("p", { class: "primary-action" }, action(plan.primary_action)),
    secondary.length ? el("ul", {}, secondary.map((step) => el("li", {}, action(step)))) : null,
    el("p", {}, `Escalation: ${(Array.isArray(plan.escalation_path) ? plan.escalation_path : []).map(text).join(" → ") || "none"} · SLA ${text(plan.sla_minutes)} min`));
}

function timelineSection(timeline = {}) {
  const events = Array.isArray(timeline.events) ? timeline.events : [];
  return section("Investigation timeline", el("ol", { class: "timeline" }, events.map((event) =>
    el("li", {}, el("time", { datetime: event.timestamp }, clock(event.timestamp)), " ", el("strong", {}, text(event.phase)), " ",
      text(event.description), typeof event.duration_ms === "number" ? el("span", { class: "sub" }, ` (${event.duration_ms.toFixed(2)} ms)`) : null))));
}

function mitreSection(threat) {
  const techniques = Array.isArray(threat.mitre_techniques) ? threat.mitre_techniques : [];
  const tactics = Array.isArray(threat.mitre_tactics) ? threat.mitre_tactics : [];
  return section("MITRE ATT&CK",
    el("p", {}, "Tactics: ", tactics.map((tactic) => `${text(tactic.id)} ${text(tactic.name)}`).join(", ") || "none"),
    el("ul", { class: "techniques" }, techniques.map((technique) => {
      const url = attackURL(technique.id);
      const label = `${text(technique.id)} ${text(technique.name)}`;
      return el("li", {}, url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, label) : label);
    })));
}

function verdictForm(threat, onVerdict) {
  const note = el("textarea", { name: "note", rows: 2, placeholder: "Note for the record (optional)", maxlength: 2000 });
  const message = el("p", { class: "verdict-message", role: "status" },
    threat.status && threat.status !== "analyzed" ? `Verdict: ${VERDICT_LABELS[threat.status] || threat.status}${threat.analyst_note ? ` — “${threat.analyst_note}”` : ""}` : "");
  const buttons = VERDICTS.map(([status, label]) => el("button", {
    type: "button", "data-verdict": status, class: `verdict-button verdict-${status}`,
    onclick: async () => {
      for (const button of buttons) button.disabled = true;
      message.textContent = "Saving…";
      try {
        await onVerdict(threat.id, status, note.value.trim());
      } catch (error) {
        message.textContent = `Not saved: ${error.message}`;
        for (const button of buttons) button.disabled = false;
      }
    },
  }, label));
  return el("form", { class: "verdict", "aria-label": "Verdict" }, el("label", {}, "Analyst note", note), el("div", { class: "verdict-buttons" }, buttons), message);
}

/** Replaces `target`'s content with the view of `threat`. */
export function renderDetail(target, threat, onVerdict) {
  target.dataset.id = threat.id;
  target.replaceChildren(
    el("header", { class: "detail-header" },
      el("span", { class: `badge ${severityClass(threat.severity)}` }, threat.severity),
      el("h2", {}, text(threat.signal?.threat_type), " · ", text(threat.signal?.customer_name)),
      el("p", { class: "sub" }, `${text(threat.id)} · ${clock(threat.created_at)} · ${Number(threat.total_processing_time_ms || 0).toFixed(2)} ms`,
        threat.requires_human_review ? ` · needs review: ${text(threat.review_reason)}` : "")),
    el("p", { class: "summary" }, text(threat.executive_summary)),
    verdictForm(threat, onVerdict),
    signalSection(threat.signal),
    falsePositiveSection(threat.false_positive_score),
    responseSection(threat.response_plan),
    agentsSection(threat.agent_analyses),
    mitreSection(threat),
    timelineSection(threat.investigation_timeline),
    section("Customer narrative", el("p", {}, text(threat.customer_narrative))),
    section("Raw analysis", el("details", {}, el("summary", {}, "JSON"), el("pre", { class: "raw" }, JSON.stringify(threat, null, 2)))));
}
