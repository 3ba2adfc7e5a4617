// The threat feed: newest first, at most MAX_ROWS rows of fixed height in a panel of fixed
// height, so threats streaming in at 50/s never move the rest of the page. While the analyst
// reads (pointer over the feed, scrolled down, or paused) new rows are held back and counted
// ("12 new"), so the row under the pointer stays put. Rendering is batched to one pass per
// animation frame at most every RENDER_GAP_MS.

import { el, clock, percent, severityClass, VERDICT_LABELS } from "./dom.js";

const MAX_ROWS = 100;
const RENDER_GAP_MS = 200;

export class Feed {
  constructor({ list, count, newButton, pauseButton, store, onOpen }) {
    Object.assign(this, { list, count, newButton, pauseButton, store, onOpen });
    this.filter = {};
    this.selectedId = null;
    this.paused = false;
    this.hovering = false;
    this.cutoff = null;
    this.pendingRender = false;
    this.lastRender = 0;
    list.setAttribute("role", "listbox");
    list.tabIndex = 0;
    list.addEventListener("mouseenter", () => this.setHover(true));
    list.addEventListener("mouseleave", () => this.setHover(false));
    list.addEventListener("scroll", () => this.hold());
    list.addEventListener("click", (event) => {
      const row = event.target.closest(".feed-row");
      if (row) this.open(row.dataset.id);
    });
    list.addEventListener("focus", () => {
      if (!this.selectedId) this.move(1);
      else this.focusSelected();
    });
    pauseButton.addEventListener("click", () => this.togglePause());
    newButton.addEventListener("click", () => this.showNew());
  }

  setFilter(filter) {
    this.filter = filter;
    this.schedule();
  }

  setHover(hovering) {
    this.hovering = hovering;
    this.hold();
  }

  togglePause() {
    this.paused = !this.paused;
    this.pauseButton.setAttribute("aria-pressed", String(this.paused));
    this.pauseButton.textContent = this.paused ? "Resume" : "Pause";
    this.hold();
  }

  showNew() {
    if (this.paused) this.togglePause();
    this.list.scrollTop = 0;
    this.cutoff = null;
    this.schedule();
  }

  get frozen() {
    return this.paused || this.hovering || this.list.scrollTop > 4;
  }

  /** Starts or ends holding new rows back at once (not at the next render), so no threat that
   * arrives after the pointer entered slips in above the row under it. */
  hold() {
    if (!this.frozen) this.cutoff = null;
    else if (this.cutoff === null) this.cutoff = this.store.sequence;
    this.schedule();
  }

  /** Asks for a render; many calls within one frame or gap make one render. */
  schedule() {
    if (this.pendingRender) return;
    this.pendingRender = true;
    const wait = Math.max(0, RENDER_GAP_MS - (performance.now() - this.lastRender));
    setTimeout(() => requestAnimationFrame(() => this.render()), wait);
  }

  render() {
    this.pendingRender = false;
    this.lastRender = performance.now();
    if (!this.frozen) this.cutoff = null;
    const matching = this.store.matching(this.filter);
    const visible = this.cutoff === null ? matching : matching.filter((entry) => entry.seq <= this.cutoff);
    const pending = matching.length - visible.length;
    this.rows = visible.slice(0, MAX_ROWS).map((entry) => entry.threat);
    const hadFocus = this.list.contains(document.activeElement) && document.activeElement !== this.list;
    this.list.replaceChildren(...this.rows.map((threat) => this.row(threat)));
    if (hadFocus) this.focusSelected();
    this.count.textContent = `${Math.min(visible.length, MAX_ROWS)} shown · ${matching.length} matching of the newest ${this.store.byId.size} held`;
    this.newButton.hidden = pending === 0;
    this.newButton.textContent = `${pending} new — show`;
  }

  row(threat) {
    const signal = threat.signal || {};
    const metadata = signal.metadata || {};
    const selected = threat.id === this.selectedId;
    const verdict = threat.status && threat.status !== "analyzed";
    return el("li", {
      class: `feed-row${selected ? " selected" : ""}`, role: "option", "data-id": threat.id,
      "aria-selected": String(selected), tabindex: selected ? 0 : -1,
    },
    el("span", { class: `badge ${severityClass(threat.severity)}` }, threat.severity),
    el("span", { class: "type" }, signal.threat_type),
    el("span", { class: "customer" }, signal.customer_name),
    el("span", { class: "ip" }, typeof metadata.source_ip === "string" ? metadata.source_ip : ""),
    el("span", { class: "fp", title: "false-positive score" }, `FP ${percent(threat.false_positive_score?.score)}`),
    el("span", { class: `status${verdict ? ` verdict-${threat.status}` : threat.requires_human_review ? " review" : ""}` },
      verdict ? VERDICT_LABELS[threat.status] || threat.status : threat.requires_human_review ? "review" : ""),
    el("time", { datetime: threat.created_at }, clock(threat.created_at)));
  }

  /** Moves the selection `delta` rows (keyboard j/k, arrows) and focuses it. */
  move(delta) {
    if (!this.rows || this.rows.length === 0) return;
    const index = this.rows.findIndex((threat) => threat.id === this.selectedId);
    const next = index < 0 ? 0 : Math.min(this.rows.length - 1, Math.max(0, index + delta));
    this.select(this.rows[next].id);
  }

  select(id) {
    this.selectedId = id;
    for (const row of this.list.children) {
      const selected = row.dataset.id === id;
      row.classList.toggle("selected", selected);
      row.setAttribute("aria-selected", String(selected));
      row.tabIndex = selected ? 0 : -1;
    }
    this.focusSelected();
  }

  focusSelected() {
    const row = [...this.list.children].find((item) => item.dataset.id === this.selectedId);
    if (row) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }

  open(id) {
    this.select(id);
    this.onOpen(id);
  }
}
