// Building the page from API data without ever parsing it as markup.
//
// Threat data comes from outside (anyone may POST a signal), so every string from the API goes
// into the page as a text node: `el("td", {}, threat.signal.customer_name)` shows
// `<img src=x onerror=...>` as those characters. Nothing here parses a string as markup.

const SVG = "http://www.w3.org/2000/svg";

/** An element with attributes (`class`, `data-*`, `on*` handlers as functions) and children:
 * strings and numbers become text nodes, null/false are skipped. */
export function el(tag, attributes = {}, ...children) {
  return build(document.createElement(tag), attributes, children);
}

/** The same for SVG elements (charts). */
export function svg(tag, attributes = {}, ...children) {
  return build(document.createElementNS(SVG, tag), attributes, children);
}

function build(node, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** `value` as display text: strings as they are, anything else as JSON. */
export function text(value) {
  if (value === null || value === undefined) return "–";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** 12:03:04 for an ISO timestamp (local time), or the input when unreadable. */
export function clock(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? text(iso) : date.toLocaleTimeString([], { hour12: false });
}

/** 0.42 -> "42%". */
export function percent(fraction) {
  return typeof fraction === "number" ? `${Math.round(fraction * 100)}%` : "–";
}

/** A known severity name for CSS classes; anything else maps to "unknown". */
export function severityClass(severity) {
  return ["CRITICAL", "HIGH", "MEDIUM", "LOW"].includes(severity) ? `sev-${severity.toLowerCase()}` : "sev-unknown";
}

export const THREAT_TYPES = ["bot_traffic", "proxy_network", "device_compromise", "anomaly_detection", "rate_limit_breach", "geo_anomaly"];
export const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
export const VERDICT_LABELS = { analyzed: "no verdict", resolved: "confirmed", false_positive: "false positive", escalated: "escalated" };
