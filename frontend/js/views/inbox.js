// The in-app inbox and the notification preferences.
import { api, getAll } from "../api.js";
import { formatDateTime, t } from "../i18n.js";
import { session } from "../session.js";
import { button, checkboxGroup, checkedValues, empty, h, handleSubmit, link, load, page, toast } from "../ui.js";

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

const REMINDERS = [[1440, "prefs.reminder_day"], [180, "prefs.reminder_3h"], [60, "prefs.reminder_1h"]];

export function preferencesSection() {
  const section = h("section", {}, h("h2", {}, t("prefs.title")));
  const box = h("div");
  section.append(box);
  load(box, () => api.get("me/notification-preferences/"), (prefs) => {
    const channels = prefs.channels || [];
    const leads = (prefs.reminder_lead_minutes || []).map(String);
    const form = h("form", { class: "stack", novalidate: true },
      checkboxGroup(t("prefs.channels"), "channels", [["email", t("prefs.email")], ["in_app", t("prefs.in_app")]], channels),
      checkboxGroup(t("prefs.reminders"), "reminder", REMINDERS.map(([minutes, key]) => [String(minutes), t(key)]), leads),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "digest_weekly", checked: Boolean(prefs.digest_weekly) }), h("span", {}, t("prefs.digest"))),
      h("button", { type: "submit", class: "button primary" }, t("action.save")));
    return handleSubmit(form, async () => {
      await api.patch("me/notification-preferences/", {
        channels: checkedValues(form, "channels"),
        reminder_lead_minutes: checkedValues(form, "reminder").map(Number),
        digest_weekly: form.querySelector('input[name="digest_weekly"]').checked,
      });
      toast(t("settings.saved"));
    });
  }, t("state.loading"));
  return section;
}

