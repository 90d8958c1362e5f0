// An organisation's roster as a volunteer sees it: the open shifts, by day, to claim.
import { api, getAll } from "../api.js";
import { dayKey, formatDay, formatRange, t } from "../i18n.js";
import { capabilities } from "../capabilities.js";
import { empty, errorBox, h, link, load, page, toast } from "../ui.js";
import { claimShift, claimWithChoices } from "./claim.js";
import { swapBoard } from "./swaps.js";

export function groupByDay(items, startOf, zoneOf) {
  const groups = new Map();
  for (const item of items) {
    const zone = zoneOf(item);
    const key = dayKey(startOf(item), zone);
    if (!groups.has(key)) groups.set(key, { key, label: formatDay(startOf(item), zone), items: [] });
    groups.get(key).items.push(item);
  }
  return [...groups.values()];
}

function placesText(shift) {
  const left = shift.places_left ?? Math.max(shift.capacity - shift.filled, 0);
  return left > 0 ? t("slot.places_left", { count: left }) : t("slot.full");
}

function shiftCard(shift, refresh) {
  const status = h("div", { role: "status" });
  const claim = h("button", { type: "button", class: "button primary" }, t("slot.claim"));
  claim.addEventListener("click", async () => {
    claim.disabled = true;
    try {
      await claimWithChoices({
        post: (extra) => claimShift(shift.id, extra),
        status,
        onDone: (result) => {
          const waiting = result && result.signup && result.signup.status === "waitlisted";
          toast(waiting ? t("claim.waitlisted") : t("claim.done"));
          refresh();
        },
      });
    } catch (error) {
      status.append(errorBox(error));
    } finally {
      claim.disabled = false;
    }
  });
  const quals = (shift.required_qualifications || []).map((q) => q.name).join(", ");
  return h("li", { class: "card" },
    h("h3", {}, shift.title),
    h("p", { class: "meta" }, shift.is_flexible ? t("slot.any_time") : formatRange(shift.starts_at, shift.ends_at, shift.time_zone)),
    shift.location ? h("p", { class: "meta" }, shift.location) : null,
    quals ? h("p", { class: "meta" }, t("slot.needs", { what: quals })) : null,
    h("p", {}, h("span", { class: "tag" }, placesText(shift))),
    h("div", { class: "actions" }, claim),
    status);
}

export async function rosterView({ id }) {
  const { body, heading } = page(t("roster.title"));
  await load(body, async () => {
    const roster = await api.get(`rosters/${id}/`);
    const [shifts, organisations] = await Promise.all([
      getAll(`rosters/${id}/shifts/`, { open: "true", start: new Date().toISOString() }),
      getAll("organisations/").catch(() => []),
    ]);
    const coordinator = organisations.some((o) => o.id === roster.organisation
      && (o.my_role || o.role) === "coordinator" && (o.my_status || o.status) === "active");
    return { roster, shifts, coordinator };
  }, ({ roster, shifts, coordinator }) => {
    heading.textContent = roster.name;
    document.title = `${roster.name} · ${t("app.name")}`;
    const parts = [];
    if (roster.description) parts.push(h("p", { class: "lead" }, roster.description));
    if (!shifts.length) {
      parts.push(empty(t("roster.empty"), link(t("commitments.title"), "#/commitments", "secondary")));
    } else {
      for (const group of groupByDay(shifts, (s) => s.starts_at, (s) => s.time_zone || roster.time_zone)) {
        parts.push(h("section", { class: "day-group" }, h("h2", {}, group.label),
          h("ul", { class: "list" }, group.items.map((shift) => shiftCard(shift, () => rosterView({ id }))))));
      }
    }
    parts.push(swapBoard([roster]));
    if (capabilities.rosters && coordinator) {
      parts.unshift(link(t("dashboard.open"), `#/rosters/${id}/dashboard`, "primary"));
    }
    return h("div", {}, parts);
  }, t("roster.loading"));
}
