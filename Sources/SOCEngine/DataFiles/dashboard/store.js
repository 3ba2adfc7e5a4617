// The threats the page holds: the newest MAX_HELD analyses, by id, newest first, each with
// the sequence number it arrived with (the feed uses it to hold back new rows while the
// analyst reads). Filters and search apply to these.

const MAX_HELD = 500;

export class ThreatStore {
  constructor() {
    this.byId = new Map();
    this.sequence = 0;
    this.customers = new Set();
  }

  /** Adds or replaces analyses; returns how many were new. Older ones beyond MAX_HELD drop. */
  upsert(threats) {
    let added = 0;
    for (const threat of threats) {
      if (!threat || typeof threat.id !== "string") continue;
      const known = this.byId.get(threat.id);
      if (known) {
        known.threat = threat;
        continue;
      }
      this.byId.set(threat.id, { threat, seq: ++this.sequence });
      if (threat.signal && typeof threat.signal.customer_name === "string") this.customers.add(threat.signal.customer_name);
      added += 1;
    }
    if (this.byId.size > MAX_HELD) {
      for (const entry of this.newestFirst().slice(MAX_HELD)) this.byId.delete(entry.threat.id);
    }
    return added;
  }

  get(id) {
    return this.byId.get(id)?.threat;
  }

  /** Entries newest first by creation time (ties: arrival order). */
  newestFirst() {
    return [...this.byId.values()].sort((a, b) => {
      const byTime = String(b.threat.created_at).localeCompare(String(a.threat.created_at));
      return byTime !== 0 ? byTime : b.seq - a.seq;
    });
  }

  /** Entries matching `filter` ({severity, type, customer, status, search}), newest first. */
  matching(filter) {
    const needle = (filter.search || "").trim().toLowerCase();
    return this.newestFirst().filter(({ threat }) => {
      const signal = threat.signal || {};
      if (filter.severity && threat.severity !== filter.severity) return false;
      if (filter.type && signal.threat_type !== filter.type) return false;
      if (filter.customer && signal.customer_name !== filter.customer) return false;
      if (filter.status && threat.status !== filter.status) return false;
      if (!needle) return true;
      const metadata = signal.metadata || {};
      const haystack = [threat.id, signal.customer_name, signal.threat_type, threat.severity, threat.status,
        threat.executive_summary, metadata.source_ip, metadata.user_agent, metadata.location].join(" ").toLowerCase();
      return haystack.includes(needle);
    });
  }
}
