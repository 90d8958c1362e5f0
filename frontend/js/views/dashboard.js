// The coordinator's dashboard for an organisation roster: gaps first, coverage by day and load
// per volunteer (charts with a table behind each), a fair auto-fill to review and accept,
// messages that could not be delivered, people waiting for approval, qualifications to grant,
// and a CSV of the period.
import { api, getAll, items } from "../api.js";
import { formatDateTime, formatShortDay, has, t } from "../i18n.js";
import { todayIn, addDays, zonedISO } from "../time.js";
import { button, clear, errorBox, h, link, load, page, toast } from "../ui.js";

const PERIODS = [7, 14, 28];

function pct(rate) {
  return rate === null || rate === undefined ? "—" : `${Math.round(rate * 100)}%`;
}

// Bar chart as inline SVG (role="img" with a text summary) plus the same numbers as a table,
// so it reads the same with a screen reader, on paper and in a spreadsheet.
function barChart({ id, title, summary, rows, max, barClass, valueText }) {
  const width = 360;
  const rowHeight = 26;
  const labelWidth = 100;
  const height = rows.length * rowHeight + 8;
  const scale = max > 0 ? (width - labelWidth - 95) / max : 0;
  const svg = h("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, focusable: "false" },
    h("title", { id: `${id}-t` }, title),
    h("desc", { id: `${id}-d` }, summary),
    rows.map((row, i) => {
      const y = i * rowHeight + 4;
      const parts = [h("text", { x: "0", y: String(y + 16) }, row.label)];
      if (row.total !== undefined) {
        parts.push(h("rect", { x: String(labelWidth), y: String(y + 3), width: String(Math.max(row.total * scale, 0)), height: "16", class: "chart-bar-open", rx: "2" }));
      }
      parts.push(h("rect", { x: String(labelWidth), y: String(y + 3), width: String(Math.max(row.value * scale, 0)), height: "16", class: barClass, rx: "2" }));
      parts.push(h("text", { x: String(labelWidth + Math.max(row.value, row.total || 0) * scale + 4), y: String(y + 16) }, valueText(row)));
      return h("g", {}, parts);
    }));
  return h("div", { class: "chart" }, svg);
}

function table(caption, headers, rows) {
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((cell, i) => (i === 0 ? h("th", { scope: "row" }, cell) : h("td", {}, cell))))))));
}

function csvCell(value) {
  const text = String(value ?? "");
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// Built in the browser from the coverage JSON already on screen: no extra endpoint needed.
export function coverageCsv(coverage) {
  const zone = coverage.time_zone;
  const day = (v) => new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(v));
  const time = (v) => new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit" }).format(new Date(v));
  const lines = [["date", "start", "end", "shift", "capacity", "filled", "open", "requirements"]];
  for (const s of coverage.shifts) {
    lines.push([day(s.starts_at), time(s.starts_at), time(s.ends_at), s.title, s.capacity, s.filled, s.open,
      (s.required_qualifications || []).join("; ")]);
  }
  return `${lines.map((line) => line.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

function download(filename, text) {
  const blob = new Blob([text], { type: "text/csv;charset=utf-8" });
  const href = URL.createObjectURL(blob);
  const a = h("a", { href, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 1000);
}

function gapsSection(coverage) {
  const zone = coverage.time_zone;
  const gaps = coverage.gaps || [];
  if (!gaps.length) return h("section", {}, h("h2", {}, t("dash.gaps")), h("p", { class: "card success" }, t("dash.no_gaps")));
  return h("section", { class: "stack" }, h("h2", {}, t("dash.gaps_n", { count: gaps.length })),
    h("ul", { class: "list" }, gaps.map((g) => h("li", { class: "card" },
      h("h3", {}, g.title),
      h("p", { class: "meta" }, formatDateTime(g.starts_at, zone)),
      h("p", {}, h("span", { class: "tag danger" }, t("slot.places_left", { count: g.places })),
        (g.needs || []).length ? [" ", h("span", { class: "meta" }, t("slot.needs", { what: g.needs.map((n) => `${n.name} × ${n.places}`).join(", ") }))] : null)))));
}

function coverageSection(coverage) {
  const zone = coverage.time_zone;
  const days = (coverage.by_day || []).filter((d) => d.places > 0);
  const totals = coverage.totals || {};
  const dayLabel = (d) => formatShortDay(zonedISO(String(d.date), "12:00", zone), zone);
  const summary = t("dash.coverage_summary", { filled: totals.filled ?? 0, places: totals.places ?? 0, rate: pct(totals.fill_rate) });
  const parts = [h("h2", {}, t("dash.coverage")), h("p", {}, summary)];
  if (!days.length) {
    parts.push(h("p", {}, t("dash.no_shifts")));
  } else {
    parts.push(barChart({
      id: "chart-days", title: t("dash.coverage"), summary,
      rows: days.map((d) => ({ label: dayLabel(d), value: d.filled, total: d.places })),
      max: Math.max(...days.map((d) => d.places)), barClass: "chart-bar-covered",
      valueText: (r) => `${r.value}/${r.total}`,
    }));
    parts.push(h("p", { class: "legend" }, h("span", { class: "slot-dot filled" }, t("dash.filled")), h("span", { class: "slot-dot open" }, t("dash.open"))));
    parts.push(h("details", {}, h("summary", {}, t("dash.as_table")),
      table(t("dash.coverage"), [t("dash.day"), t("dash.places"), t("dash.filled"), t("dash.rate")],
        days.map((d) => [dayLabel(d), String(d.places), String(d.filled), pct(d.fill_rate)]))));
  }
  return h("section", { class: "stack" }, parts);
}

function loadSection(coverage) {
  const rows = coverage.load || [];
  const parts = [h("h2", {}, t("dash.load"))];
  if (!rows.length) {
    parts.push(h("p", {}, t("dash.no_load")));
  } else {
    const summary = t("dash.load_summary", { count: rows.length, name: rows[0].name, shifts: rows[0].shifts });
    parts.push(h("p", {}, summary), barChart({
      id: "chart-load", title: t("dash.load"), summary,
      rows: rows.map((r) => ({ label: r.name.length > 16 ? `${r.name.slice(0, 15)}…` : r.name, value: r.shifts, hours: r.hours })),
      max: Math.max(...rows.map((r) => r.shifts)), barClass: "chart-bar-load",
      valueText: (r) => t("dash.shifts_hours", { shifts: r.value, hours: r.hours }),
    }), h("details", {}, h("summary", {}, t("dash.as_table")),
      table(t("dash.load"), [t("dash.person"), t("dash.shifts"), t("dash.hours")], rows.map((r) => [r.name, String(r.shifts), String(r.hours)]))));
  }
  return h("section", { class: "stack" }, parts);
}

function autofillSection(roster, range, refresh) {
  const box = h("div", { class: "stack", "aria-live": "polite" });
  const run = button(t("dash.autofill"), async () => {
    clear(box);
    run.disabled = true;
    const busy = h("p", { class: "status", role: "status", "aria-busy": "true" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("dash.autofill_running"));
    box.append(busy);
    try {
      const proposal = await api.post(`rosters/${roster.id}/autofill/`, range);
      clear(box);
      box.append(proposalView(proposal));
    } catch (error) {
      clear(box);
      box.append(errorBox(error));
    } finally {
      run.disabled = false;
    }
  }, "primary");

  function proposalView(proposal) {
    const zone = proposal.time_zone || roster.time_zone;
    const proposed = (proposal.assignments || []).filter((a) => a.status === "proposed");
    const status = h("div", { role: "status" });
    const list = proposed.length ? h("ul", { class: "list" }, proposed.map((a) => h("li", { class: "card row" },
      h("span", {}, h("strong", {}, a.person_name), " → ", a.shift_title, ", ", formatDateTime(a.starts_at, zone)),
      proposal.status === "proposed" ? button(t("dash.drop", { name: a.person_name }), async () => {
        try {
          await api.del(`autofill/${proposal.id}/assignments/${a.id}/`);
          clear(box);
          box.append(proposalView(await api.get(`autofill/${proposal.id}/`)));
        } catch (error) { status.append(errorBox(error)); }
      }, "secondary") : null))) : h("p", {}, t("dash.autofill_nothing"));
    const accept = proposal.status === "proposed" && proposed.length ? button(t("dash.accept", { count: proposed.length }), async () => {
      clear(status);
      try {
        const done = await api.post(`autofill/${proposal.id}/accept/`);
        const skipped = (done.assignments || []).filter((a) => a.status === "skipped");
        toast(t("dash.accepted"));
        clear(box);
        box.append(h("div", { class: "card success stack", role: "status" }, h("p", {}, t("dash.accepted")),
          skipped.length ? h("ul", {}, skipped.map((a) => h("li", {}, `${a.person_name} → ${a.shift_title}: ${a.skipped_reason}`))) : null));
        refresh();
      } catch (error) { status.append(errorBox(error)); }
    }, "primary") : null;
    return h("div", { class: "card stack" },
      h("h3", {}, t("dash.proposal")),
      h("p", {}, t("dash.proposal_summary", { filled: proposal.places_filled ?? proposed.length, open: proposal.open_places ?? 0 })),
      list, accept, status);
  }

  return h("section", { class: "stack" }, h("h2", {}, t("dash.autofill_title")), h("p", {}, t("dash.autofill_lead")), run, box);
}

function peopleSection(roster) {
  const box = h("div");
  const section = h("section", { class: "stack" }, h("h2", {}, t("dash.people")), box);
  if (!roster.organisation) return null;
  const refresh = () => load(box, async () => {
    const [members, qualifications] = await Promise.all([
      getAll(`organisations/${roster.organisation}/members/`),
      getAll("qualifications/").then((qs) => qs.filter((q) => q.organisation === roster.organisation)),
    ]);
    const grants = await Promise.all(qualifications.map((q) => getAll(`qualifications/${q.id}/grants/`)));
    return { members, qualifications, grants };
  }, ({ members, qualifications, grants }) => {
    const status = h("div", { role: "status" });
    const pending = members.filter((m) => m.status === "pending");
    const active = members.filter((m) => m.status === "active");
    const parts = [status];
    parts.push(pending.length ? h("div", { class: "card warn stack" }, h("h3", {}, t("members.pending", { count: pending.length })),
      h("ul", { class: "list" }, pending.map((m) => h("li", { class: "row" }, h("span", {}, m.person.name, " (", m.person.email, ")"),
        button(t("members.approve", { name: m.person.name }), async () => {
          try {
            await api.patch(`organisations/${roster.organisation}/members/${m.person.id}/`, { status: "active" });
            toast(t("members.approved", { name: m.person.name }));
            refresh();
          } catch (error) { status.append(errorBox(error)); }
        }, "primary")))))
      : h("p", {}, t("dash.no_pending")));
    qualifications.forEach((q, i) => {
      const holders = new Set(grants[i].map((g) => g.person));
      const candidates = active.filter((m) => !holders.has(m.person.id));
      const select = h("select", { id: `grant-${q.id}`, name: "person" }, candidates.map((m) => h("option", { value: String(m.person.id) }, m.person.name)));
      parts.push(h("div", { class: "card stack" }, h("h3", {}, q.name),
        grants[i].length ? h("p", {}, t("dash.holders", { names: grants[i].map((g) => g.person_name).join(", ") })) : h("p", { class: "meta" }, t("dash.no_holders")),
        candidates.length ? h("div", { class: "row" }, h("label", { for: select.id }, t("dash.grant_to")), select,
          button(t("dash.grant", { name: q.name }), async () => {
            try {
              await api.post(`qualifications/${q.id}/grants/`, { person: Number(select.value) });
              toast(t("dash.granted"));
              refresh();
            } catch (error) { status.append(errorBox(error)); }
          }, "secondary")) : null));
    });
    return h("div", { class: "stack" }, parts);
  });
  refresh();
  return section;
}

// Messages the outbox gave up on (a bounced address, a number texts can't reach): the
// coordinator is the one who can phone that person instead. The endpoint may not exist on an
// older server; a 404 then shows nothing rather than an error about a feature that isn't there.
const FAILED_SHOWN = 20;

function failedSection(roster) {
  const box = h("div");
  const section = h("section", { class: "stack" }, box);
  load(box, async () => {
    try {
      return await api.get(`rosters/${roster.id}/failed-notifications/`, { limit: FAILED_SHOWN });
    } catch (error) {
      if (error.status === 404) return null;
      throw error;
    }
  }, (data) => {
    if (data === null) return null;
    const rows = items(data);
    const count = (data && data.count) ?? rows.length;
    const parts = [h("h2", {}, t("failed.title"))];
    if (!rows.length) {
      parts.push(h("p", {}, t("failed.none")));
      return h("div", { class: "stack" }, parts);
    }
    parts.push(h("p", {}, t("failed.lead", { count })),
      h("ul", { class: "list" }, rows.map((row) => h("li", { class: "card" },
        h("h3", {}, row.subject || row.kind),
        h("p", {}, h("strong", {}, row.recipient_name || t("failed.someone")), " · ",
          has(`failed.channel.${row.channel}`) ? t(`failed.channel.${row.channel}`) : row.channel),
        h("p", { class: "meta" }, t("failed.when", { time: formatDateTime(row.failed_at, roster.time_zone), count: Number(row.attempts) || 0 })),
        row.last_error ? h("p", { class: "meta pre break" }, t("failed.error", { error: row.last_error })) : null))));
    if (count > rows.length) parts.push(h("p", { class: "meta" }, t("failed.more", { count: count - rows.length })));
    return h("div", { class: "stack" }, parts);
  }, t("failed.loading"));
  return section;
}

export async function dashboardView({ id, query }) {
  const { body, heading } = page(t("dash.title"));
  const days = PERIODS.includes(Number(query.get("days"))) ? Number(query.get("days")) : 14;
  await load(body, async () => {
    const roster = await api.get(`rosters/${id}/`);
    const start = todayIn(roster.time_zone);
    const range = { start, end: addDays(start, days - 1) };
    const coverage = await api.get(`rosters/${id}/coverage/`, range);
    return { roster, coverage, range };
  }, ({ roster, coverage, range }) => {
    heading.textContent = t("dash.title_named", { name: roster.name });
    document.title = `${heading.textContent} · ${t("app.name")}`;
    const refresh = () => dashboardView({ id, query });
    const periods = h("div", { class: "segmented", role: "group", "aria-label": t("dash.period") },
      PERIODS.map((n) => h("a", { class: "button secondary", href: `#/rosters/${id}/dashboard?days=${n}`, "aria-current": n === days ? "true" : null }, t("dash.days", { count: n }))));
    const csv = button(t("dash.csv"), () => download(`coverage-${roster.id}-${range.start}.csv`, coverageCsv(coverage)), "secondary");
    return h("div", { class: "stack" },
      periods,
      gapsSection(coverage),
      autofillSection(roster, range, refresh),
      coverageSection(coverage),
      loadSection(coverage),
      csv,
      failedSection(roster),
      peopleSection(roster),
      link(t("dash.back"), `#/rosters/${id}`));
  }, t("dash.loading"));
}

