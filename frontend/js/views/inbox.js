// The in-app inbox and the notification preferences.
import { api, getAll } from "../api.js";
import { formatDateTime, t } from "../i18n.js";
import { session } from "../session.js";
import { button, checkboxGroup, checkedValues, empty, field, formError, h, handleSubmit, link, load, page, toast } from "../ui.js";

export async function inboxView() {
  const { body } = page(t("inbox.title"));
  const list = h("div");
  body.append(list);
  const refresh = () => load(list, () => getAll("notifications/", {}, 2), (notes) => {
    if (!notes.length) return empty(t("inbox.empty"), link(t("nav.requests"), "#/requests", "secondary"));
    const unread = notes.some((n) => !n.read_at);
    return h("div", { class: "stack" },
      unread ? button(t("inbox.read_all"), async () => {
        await api.post("notifications/read-all/");
        await session.refreshUnread();
        session.changed();
        refresh();
      }, "secondary") : null,
      h("ul", { class: "list" }, notes.map((note) => {
        const item = h("li", { class: note.read_at ? "card" : "card unread" },
          h("h2", { class: "h3" }, note.read_at ? null : h("span", { class: "tag" }, t("inbox.new")), " ", note.subject),
          h("p", { class: "meta" }, formatDateTime(note.created_at)),
          h("p", { class: "pre" }, note.body));
        if (!note.read_at) {
          item.append(button(t("inbox.mark_read"), async () => {
            await api.post(`notifications/${note.id}/read/`);
            await session.refreshUnread();
            session.changed();
            refresh();
          }, "secondary"));
        }
        return item;
      })));
  }, t("inbox.loading"));
  await refresh();
}

// The lead times offered. 120 (2 hours) is the server's default alongside a day: leaving it out
// here once made every save silently drop it. Any other value the API holds is shown too
// (checked), so a save never loses what this list does not name.
export const REMINDERS = [2880, 1440, 180, 120, 60, 30];
// The API keeps at most this many lead times per person.
const MAX_REMINDERS = 5;
const CHANNELS = [["email", "prefs.email"], ["in_app", "prefs.in_app"], ["sms", "prefs.sms"]];

export function leadLabel(minutes) {
  if (minutes % 1440 === 0) return t("prefs.lead_days", { count: minutes / 1440 });
  if (minutes % 60 === 0) return t("prefs.lead_hours", { count: minutes / 60 });
  if (minutes > 60) return t("prefs.lead_hours_minutes", { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
  return t("prefs.lead_minutes", { count: minutes });
}

function hhmm(value) {
  return value ? String(value).slice(0, 5) : "";
}

export function preferencesSection() {
  const section = h("section", {}, h("h2", {}, t("prefs.title")));
  const box = h("div");
  section.append(box);
  load(box, () => api.get("me/notification-preferences/"), (prefs) => {
    const channels = prefs.channels || [];
    const leads = (prefs.reminder_lead_minutes || []).map(Number);
    const offered = [...new Set([...REMINDERS, ...leads])].sort((a, b) => b - a);
    // Text messages need a gateway the deployment may not have: offered only to someone who has
    // them on already, so a save keeps them and nobody signs up for texts that never come.
    const channelOptions = CHANNELS.filter(([value]) => value !== "sms" || channels.includes("sms"));
    const kinds = prefs.kinds || [];
    const zone = (session.me && session.me.time_zone) || Intl.DateTimeFormat().resolvedOptions().timeZone;
    const quietStart = h("input", { type: "time", name: "quiet_hours_start", value: hhmm(prefs.quiet_hours_start) });
    const quietEnd = h("input", { type: "time", name: "quiet_hours_end", value: hhmm(prefs.quiet_hours_end) });
    const clearQuiet = button(t("prefs.quiet_clear"), () => {
      quietStart.value = "";
      quietEnd.value = "";
      quietStart.focus();
    }, "secondary");
    const form = h("form", { class: "stack", novalidate: true },
      checkboxGroup(t("prefs.channels"), "channels", channelOptions.map(([value, key]) => [value, t(key)]), channels),
      checkboxGroup(t("prefs.reminders"), "reminder", offered.map((minutes) => [String(minutes), leadLabel(minutes)]), leads.map(String),
        { hint: t("prefs.reminders_hint", { count: MAX_REMINDERS }) }),
      h("fieldset", { class: "stack" },
        h("legend", {}, t("prefs.quiet")),
        h("p", { class: "hint" }, t("prefs.quiet_hint", { zone })),
        h("div", { class: "row" },
          field(t("prefs.quiet_start"), quietStart),
          field(t("prefs.quiet_end"), quietEnd)),
        clearQuiet),
      kinds.length ? checkboxGroup(t("prefs.kinds"), "kinds", kinds.map((k) => [k.kind, k.label || k.kind]),
        kinds.filter((k) => k.on).map((k) => k.kind), { hint: t("prefs.kinds_hint") }) : null,
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "digest_weekly", checked: Boolean(prefs.digest_weekly) }), h("span", {}, t("prefs.digest"))),
      h("button", { type: "submit", class: "button primary" }, t("action.save")));
    return handleSubmit(form, async () => {
      const reminders = checkedValues(form, "reminder").map(Number);
      if (reminders.length > MAX_REMINDERS) {
        throw formError(t("prefs.too_many_reminders", { count: MAX_REMINDERS }), { reminder: [t("prefs.too_many_reminders", { count: MAX_REMINDERS })] });
      }
      const start = quietStart.value;
      const end = quietEnd.value;
      if (Boolean(start) !== Boolean(end)) {
        const message = t("prefs.quiet_both");
        throw formError(message, { [start ? "quiet_hours_end" : "quiet_hours_start"]: [message] });
      }
      const on = new Set(checkedValues(form, "kinds"));
      const body = {
        channels: checkedValues(form, "channels"),
        reminder_lead_minutes: reminders,
        quiet_hours_start: start || null,
        quiet_hours_end: end || null,
        digest_weekly: form.querySelector('input[name="digest_weekly"]').checked,
      };
      if (kinds.length) body.kinds = Object.fromEntries(kinds.map((k) => [k.kind, on.has(k.kind)]));
      try {
        await api.patch("me/notification-preferences/", body);
      } catch (error) {
        // The server names the field "reminder_lead_minutes"; the checkboxes are "reminder".
        if (error.fields && error.fields.reminder_lead_minutes) error.fields.reminder = error.fields.reminder_lead_minutes;
        throw error;
      }
      toast(t("settings.saved"));
    });
  }, t("state.loading"));
  return section;
}
