// The two charts, drawn as SVG from `GET /api/analytics`: no library, no network. Colors come
// from CSS classes, so they follow the light/dark theme.

import { svg, severityClass, SEVERITIES, THREAT_TYPES } from "./dom.js";

const WIDTH = 420;

/** Horizontal bars: stored threats per type (`threats_by_type`). */
export function drawTypes(target, byType = {}) {
  const types = [...new Set([...THREAT_TYPES, ...Object.keys(byType)])];
  const max = Math.max(1, ...types.map((type) => byType[type] || 0));
  const row = 160 / types.length;
  const left = 140, right = WIDTH - 50;
  target.replaceChildren(...types.map((type, index) => {
    const count = byType[type] || 0;
    const y = 5 + index * row;
    const width = Math.max(count > 0 ? 2 : 0, ((right - left) * count) / max);
    return svg("g", { class: "bar-row", "data-type": type },
      svg("title", {}, `${type}: ${count}`),
      svg("text", { x: left - 8, y: y + row * 0.62, class: "label", "text-anchor": "end" }, type),
      svg("rect", { x: left, y: y + row * 0.15, width, height: row * 0.7, rx: 3, class: "bar" }),
      svg("text", { x: left + width + 6, y: y + row * 0.62, class: "count" }, count));
  }));
}

/** Stacked columns: threats per minute by severity (`severity_over_time`), oldest left. */
export function drawTimeline(target, timeline) {
  const buckets = timeline?.buckets || [];
  const left = 34, right = WIDTH - 6, top = 8, bottom = 132;
  const totals = buckets.map((bucket) => SEVERITIES.reduce((sum, severity) => sum + (bucket.counts?.[severity] || 0), 0));
  const max = Math.max(1, ...totals);
  const step = (right - left) / Math.max(1, buckets.length);
  const scale = (bottom - top) / max;
  const columns = buckets.map((bucket, index) => {
    let y = bottom;
    const parts = [...SEVERITIES].reverse().map((severity) => {
      const count = bucket.counts?.[severity] || 0;
      if (count === 0) return null;
      const height = count * scale;
      y -= height;
      return svg("rect", { x: left + index * step + 0.5, y, width: Math.max(1, step - 1), height, class: `bar ${severityClass(severity)}` });
    });
    const time = new Date(bucket.start).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
    return svg("g", { class: "column" }, svg("title", {}, `${time}: ${totals[index]}`), parts);
  });
  const legend = SEVERITIES.map((severity, index) => svg("g", { class: "legend" },
    svg("rect", { x: left + index * 92, y: 156, width: 10, height: 10, rx: 2, class: `bar ${severityClass(severity)}` }),
    svg("text", { x: left + index * 92 + 14, y: 165, class: "label" }, severity)));
  target.replaceChildren(
    svg("line", { x1: left, y1: bottom, x2: right, y2: bottom, class: "axis" }),
    svg("text", { x: left - 4, y: top + 8, class: "label", "text-anchor": "end" }, max),
    svg("text", { x: left - 4, y: bottom, class: "label", "text-anchor": "end" }, 0),
    svg("text", { x: left, y: bottom + 14, class: "label" }, "−60 min"),
    svg("text", { x: (left + right) / 2, y: bottom + 14, class: "label", "text-anchor": "middle" }, "−30 min"),
    svg("text", { x: right, y: bottom + 14, class: "label", "text-anchor": "end" }, "now"),
    ...columns, ...legend);
}
