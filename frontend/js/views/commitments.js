// Everything I said I'd do, soonest first: add it to my calendar, cancel honestly or offer my
// place to someone else, take a freed place I was waiting for.
import { api, getAll, url } from "../api.js";
import { dayKey, formatDay, formatRange, formatDateTime, t } from "../i18n.js";
import { feedsCard } from "./feeds.js";
import { button, clear, empty, errorBox, h, link, load, page, toast } from "../ui.js";
import { capabilities } from "../capabilities.js";
import { swapActions, swapNote } from "./swaps.js";

const STATUS_TAG = { confirmed: "ok", waitlisted: "muted", offered: "danger", completed: "ok", no_show: "muted", cancelled: "muted" };

function statusTag(signup) {
  const key = signup.cancel_requested_at && signup.status === "confirmed" ? "cancel_requested" : signup.status;
  return h("span", { class: `tag ${STATUS_TAG[signup.status] || "muted"}` }, t(`signup.status.${key}`));
}

function commitmentCard(signup, refresh) {
  const shift = signup.shift || {};
  const zone = signup.time_zone || (signup.roster && signup.roster.time_zone);
  const when = shift.is_flexible ? t("slot.flexible", { day: formatDay(shift.starts_at, zone) }) : formatRange(shift.starts_at, shift.ends_at, zone);
  const status = h("div", { role: "status" });
  const actions = h("div", { class: "actions" });

  async function act(label, path, body, done) {
    clear(status);
    try {
      const result = await api.post(path, body);
      toast(done(result));
      refresh();
    } catch (error) {
      status.append(errorBox(error));
    }
  }

  if (signup.status === "offered") {
    actions.append(
      button(t("commitment.accept_offer"), () => act("accept", `signups/${signup.id}/accept-offer/`, undefined, () => t("commitment.offer_taken")), "primary"),
      button(t("commitment.decline_offer"), () => act("decline", `signups/${signup.id}/decline-offer/`, undefined, () => t("commitment.offer_declined")), "secondary"),
    );
  }
  if (["confirmed", "waitlisted"].includes(signup.status) && !signup.cancel_requested_at) {
    if (signup.status === "confirmed" && capabilities.ics) {
      actions.append(h("a", { class: "button secondary", href: url(`signups/${signup.id}/ics/`), download: `village-${signup.id}.ics` }, t("commitment.add_to_calendar")));
    }
    const cancel = button(signup.status === "waitlisted" ? t("commitment.leave_waitlist") : t("commitment.cancel"), () => {
      // A cancel is never one accidental tap: ask, and let them say why (optional).
      clear(status);
      const reason = h("input", { type: "text", name: "reason", id: `reason-${signup.id}`, maxlength: "500" });
      const confirmBox = h("div", { class: "card warn stack" },
        h("p", {}, t("commitment.cancel_confirm")),
        h("label", { for: reason.id }, t("commitment.cancel_reason")), reason,
        h("div", { class: "actions" },
          button(t("commitment.cancel_yes"), () => act("cancel", `signups/${signup.id}/cancel/`, { reason: reason.value.trim() }, (result) =>
            result && result.status !== "cancelled" ? t("commitment.cancel_requested") : t("commitment.cancelled")), "danger"),
          button(t("commitment.cancel_no"), () => clear(status), "secondary")));
      status.append(confirmBox);
      reason.focus();
    }, "danger");
    actions.append(...swapActions(signup, { status, refresh }), cancel);
  }

  return h("li", { class: "card" },
    h("h3", {}, shift.title || t("slot.untitled")),
    h("p", { class: "meta" }, when, " · ", signup.roster ? signup.roster.name : ""),
    shift.location ? h("p", { class: "meta" }, shift.location) : null,
    shift.call_link ? h("p", { class: "meta" }, h("a", { href: shift.call_link, rel: "noopener" }, t("slot.call_link"))) : null,
    signup.note ? h("p", {}, t("commitment.your_note", { note: signup.note })) : null,
    signup.status === "offered" && signup.offer_expires_at ? h("p", { class: "note" }, t("commitment.offer_until", { time: formatDateTime(signup.offer_expires_at, zone) })) : null,
    h("p", {}, statusTag(signup)),
    swapNote(signup),
    actions, status);
}

export async function commitmentsView() {
  const { body } = page(t("commitments.title"));
  const listBox = h("div");
  body.append(listBox);
  const refresh = () => load(listBox, () => getAll("me/commitments/"), (signups) => {
    const upcoming = signups.filter((s) => s.status !== "cancelled");
    if (!upcoming.length) return empty(t("commitments.empty"), link(t("commitments.find"), "#/requests", "primary"));
    const groups = new Map();
    for (const signup of upcoming) {
      const zone = signup.time_zone;
      const key = dayKey(signup.shift.starts_at, zone);
      if (!groups.has(key)) groups.set(key, { label: formatDay(signup.shift.starts_at, zone), items: [] });
      groups.get(key).items.push(signup);
    }
    return h("div", {}, [...groups.values()].map((group) => h("section", { class: "day-group" },
      h("h2", {}, group.label),
      h("ul", { class: "list" }, group.items.map((signup) => commitmentCard(signup, refresh))))));
  }, t("commitments.loading"));
  await refresh();
  if (capabilities.feeds) body.append(feedsCard());
}
