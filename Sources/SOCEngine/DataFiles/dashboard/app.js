// The analyst dashboard: statistics and charts from `GET /api/analytics`, a live feed from
// `WS /ws` (backfilled from `GET /api/threats`), filters, a detail view and verdicts through
// `PATCH /api/threats/{id}`. Loaded as a module from the engine itself (see index.html).

import { api } from "./api.js";
import { drawTimeline, drawTypes } from "./charts.js";
import { renderDetail } from "./detail.js";
import { el, percent, severityClass, SEVERITIES, THREAT_TYPES } from "./dom.js";
import { Feed } from "./feed.js";
import { connectLive } from "./live.js";
import { ThreatStore } from "./store.js";

const ANALYTICS_GAP_MS = 1000;
const ANALYTICS_PERIOD_MS = 20_000;
const POLL_MS = 3000;

const $ = (id) => document.getElementById(id);
const store = new ThreatStore();
const filters = $("filters");
const detail = $("detail");
let live = false;

const feed = new Feed({
  list: $("feed"), count: $("feed-count"), newButton: $("feed-new"), pauseButton: $("feed-pause"), store,
  onOpen: (id) => openDetail(id),
});

// Statistics: fetched at most once per ANALYTICS_GAP_MS however fast threats arrive, and only
// while the engine is reachable (a closed socket means it is not).
let analyticsTimer = null;
let analyticsLast = 0;
function refreshAnalytics() {
  if (analyticsTimer !== null) return;
  const wait = Math.max(0, ANALYTICS_GAP_MS - (Date.now() - analyticsLast));
  analyticsTimer = setTimeout(async () => {
    analyticsTimer = null;
    analyticsLast = Date.now();
    if (!live) return;
    try {
      showAnalytics(await api.analytics());
    } catch {
      // The engine went away between two messages; the reconnect refreshes again.
    }
  }, wait);
}

function showAnalytics(data) {
  $("stat-total").textContent = String(data.total_threats ?? 0);
  $("stat-stored").textContent = `${data.stored_threats ?? 0} stored`;
  $("stat-severity").replaceChildren(...SEVERITIES.map((severity) =>
    el("li", { "data-severity": severity }, el("span", { class: `badge ${severityClass(severity)}` }, severity), el("strong", {}, String(data.threats_by_severity?.[severity] ?? 0)))));
  $("stat-review").textContent = String(data.threats_requiring_review ?? 0);
  const byStatus = data.threats_by_status || {};
  const verdicts = ["resolved", "false_positive", "escalated"].reduce((sum, status) => sum + (byStatus[status] || 0), 0);
  $("stat-fp").textContent = typeof data.false_positive_rate === "number" ? percent(data.false_positive_rate) : "–";
  $("stat-verdicts").textContent = `${verdicts} verdict${verdicts === 1 ? "" : "s"} given`;
  $("stat-time").textContent = `${Number(data.average_processing_time_ms || 0).toFixed(2)} ms`;
  $("stat-customers").textContent = `${data.customers_affected ?? 0} customers affected`;
  drawTypes($("chart-types"), data.threats_by_type);
  drawTimeline($("chart-timeline"), data.severity_over_time);
}

// Filters: the type list is fixed, the customer list grows with the customers seen.
function fillOptions(select, values) {
  const current = select.value;
  select.replaceChildren(el("option", { value: "" }, "all"), ...values.map((value) => el("option", { value }, value)));
  select.value = values.includes(current) ? current : "";
}
fillOptions(filters.elements.type, THREAT_TYPES);
let knownCustomers = 0;
function updateCustomers() {
  if (store.customers.size === knownCustomers) return;
  knownCustomers = store.customers.size;
  fillOptions(filters.elements.customer, [...store.customers].sort());
}
function readFilters() {
  const form = filters.elements;
  feed.setFilter({ severity: form.severity.value, type: form.type.value, customer: form.customer.value, status: form.status.value, search: form.search.value });
}
filters.addEventListener("input", readFilters);
filters.addEventListener("change", readFilters);
filters.addEventListener("submit", (event) => event.preventDefault());

function addThreats(threats) {
  const openId = detail.dataset.id;
  const before = openId ? JSON.stringify(store.get(openId)) : null;
  store.upsert(threats);
  updateCustomers();
  feed.schedule();
  // Re-render the open analysis only when it changed (a verdict), not on every backfill.
  if (openId && store.get(openId) && JSON.stringify(store.get(openId)) !== before) showDetail(store.get(openId));
}

// Detail and verdicts.
function showDetail(threat) {
  renderDetail(detail, threat, async (id, status, note) => {
    const updated = await api.verdict(id, status, note);
    addThreats([updated]);
    refreshAnalytics();
  });
}
function openDetail(id) {
  const threat = store.get(id);
  if (!threat) return;
  showDetail(threat);
  detail.focus({ preventScroll: true });
  detail.scrollTop = 0;
}

// The live connection. Each (re)connect backfills what the page may have missed. While the
// socket is down the page polls `GET /api/threats` instead, so it stays live behind a proxy
// that does not pass WebSocket upgrades; only when that fails too does it say "reconnecting".
let socketState = "connecting";
let retrySeconds = 0;
let pollAnswered = false;
function showConnection() {
  live = socketState === "live" || pollAnswered;
  const state = socketState === "live" ? "live" : pollAnswered ? "polling" : socketState;
  const badge = $("connection");
  badge.dataset.state = state;
  badge.textContent = {
    live: "Live",
    polling: "Live (polling: no WebSocket)",
    connecting: "Connecting…",
    reconnecting: `Engine unreachable — reconnecting in ${retrySeconds} s`,
  }[state];
}
function backfill() {
  return api.threats(100).then((page) => addThreats(page.threats || []));
}
setInterval(async () => {
  if (socketState === "live") return;
  try {
    await backfill();
    pollAnswered = true;
    refreshAnalytics();
  } catch {
    pollAnswered = false;
  }
  showConnection();
}, POLL_MS);
connectLive({
  onState(state, seconds) {
    socketState = state;
    retrySeconds = seconds;
    if (state === "live") pollAnswered = false;
    showConnection();
    if (state === "live") {
      backfill().catch(() => {});
      refreshAnalytics();
    }
  },
  onMessage(message) {
    if (message.type === "initial_batch" && Array.isArray(message.data)) addThreats(message.data);
    else if (message.type === "new_threat" || message.type === "threat_updated") addThreats([message.data]);
    else return;
    refreshAnalytics();
  },
});
setInterval(refreshAnalytics, ANALYTICS_PERIOD_MS);

// Keyboard: j/k or arrows move in the feed, Enter opens, / searches, p pauses, Esc returns.
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest("input, textarea, select");
  if (event.key === "Escape") {
    if (typing) event.target.blur();
    feed.focusSelected();
    if (!feed.selectedId) $("feed").focus();
    return;
  }
  if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
  const inFeed = event.target.closest("#feed");
  if (event.key === "/") {
    event.preventDefault();
    filters.elements.search.focus();
  } else if (event.key === "p") {
    feed.togglePause();
  } else if (event.key === "j" || (inFeed && event.key === "ArrowDown")) {
    event.preventDefault();
    feed.move(1);
  } else if (event.key === "k" || (inFeed && event.key === "ArrowUp")) {
    event.preventDefault();
    feed.move(-1);
  } else if (event.key === "Enter" && inFeed && feed.selectedId) {
    event.preventDefault();
    feed.open(feed.selectedId);
  }
});
