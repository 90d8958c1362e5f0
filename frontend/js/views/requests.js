// Help requests: what a volunteer can still do (by day, who is coming, what dishes are
// promised), claiming one with a dish, and the family's side: asking for help (once or
// repeating) and a month/week calendar of slots.
import { api, getAll, url } from "../api.js";
import { formatDay, formatRange, formatShortDay, formatTime, has, monthName, t, weekdayNames, dayKey } from "../i18n.js";
import { go } from "../nav.js";
import { capabilities } from "../capabilities.js";
import { addDays, minutesBetween, todayIn, weekdayIndex, weeklyRule, zonedISO } from "../time.js";
import {
  button, checkboxGroup, checkedValues, clear, empty, errorBox, field, formError, h, handleSubmit, kindIcon, link, load, page, toast,
} from "../ui.js";
import { allergenOptions, allergyAlert } from "./circles.js";
import { claimWithChoices } from "./claim.js";
import { groupByDay } from "./rosters.js";
import { swapBoard } from "./swaps.js";

export const KINDS = ["meal", "laundry", "childcare", "errand", "visit", "ride", "other"];

function kindLabel(kind) {
  return t(`kind.${kind}`);
}

function requestTitle(req) {
  return req.title || kindLabel(req.kind);
}

function whenText(req) {
  return req.is_flexible ? t("slot.any_time") : formatRange(req.starts_at, req.ends_at, req.time_zone);
}

function spotsTag(req) {
  const left = req.spots_left ?? Math.max(req.capacity - req.filled, 0);
  if (req.status === "cancelled") return h("span", { class: "tag muted" }, t("slot.cancelled"));
  return left > 0 ? h("span", { class: "tag danger" }, t("slot.places_left", { count: left }))
    : h("span", { class: "tag ok" }, t("slot.covered"));
}

// "Who is coming": first names and what they bring, from the circle's dishes list.
function comingList(dishes) {
  if (!dishes || !dishes.length) return null;
  return h("ul", { class: "who" }, dishes.map((d) => h("li", {},
    d.dish ? t("who.bringing", { name: d.volunteer, dish: d.dish }) : t("who.coming", { name: d.volunteer }))));
}

function requestCard(req, dishes, { canClaim = true } = {}) {
  const left = req.spots_left ?? Math.max(req.capacity - req.filled, 0);
  return h("li", { class: "card request-card" },
    kindIcon(req.kind),
    h("div", {},
      h("h3", {}, h("a", { href: `#/requests/${req.id}` }, requestTitle(req))),
      h("p", { class: "meta" }, kindLabel(req.kind), " · ", whenText(req)),
      req.details && req.details.servings ? h("p", { class: "meta" }, t("request.servings_n", { count: req.details.servings })) : null,
      h("p", {}, spotsTag(req)),
      comingList(dishes)),
    canClaim && left > 0 && req.status !== "cancelled"
      ? h("div", { class: "actions" }, link(req.kind === "meal" ? t("request.bring_meal") : t("request.sign_up"), `#/requests/${req.id}`, "primary"))
      : null);
}

async function circleRequests(circle) {
  const start = new Date().toISOString();
  const [requests, dishes] = await Promise.all([
    getAll(`circles/${circle.id}/requests/`, { start }),
    getAll(`circles/${circle.id}/dishes/`, { start }),
  ]);
  return { circle, requests: requests.filter((r) => r.status !== "cancelled"), dishes };
}

function circleSection(data, { single }) {
  const { circle, requests, dishes } = data;
  const byRequest = new Map();
  for (const dish of dishes) {
    if (!byRequest.has(dish.request)) byRequest.set(dish.request, []);
    byRequest.get(dish.request).push(dish);
  }
  const open = requests.filter((r) => (r.spots_left ?? r.capacity - r.filled) > 0);
  const parts = [];
  if (!single) parts.push(h("h2", {}, circle.name));
  if (circle.status === "paused") parts.push(h("p", { class: "note" }, t("circle.paused_volunteer")));
  if (circle.allergies) parts.push(allergyAlert(circle));
  if (!requests.length) {
    parts.push(empty(t("requests.none_yet"), link(t("commitments.title"), "#/commitments", "secondary")));
  } else {
    parts.push(h("p", {}, open.length ? t("requests.open_count", { count: open.length }) : t("requests.all_covered")));
    for (const group of groupByDay(requests, (r) => r.starts_at, (r) => r.time_zone)) {
      parts.push(h("section", { class: "day-group" }, h(single ? "h2" : "h3", {}, group.label),
        h("ul", { class: "list" }, group.items.map((req) => requestCard(req, byRequest.get(req.id), { canClaim: circle.status === "active" })))));
    }
  }
  return h("section", { class: "stack" }, parts);
}

export async function requestsView({ query }) {
  const circleId = query.get("circle");
  const { body, heading } = page(t("requests.title"));
  await load(body, async () => {
    if (circleId) {
      const circle = await api.get(`circles/${circleId}/`);
      return { single: true, sections: [await circleRequests(circle)], rosters: [] };
    }
    const circles = (await getAll("circles/")).filter((c) => c.status !== "closed");
    // The list has no allergies; each circle's profile does, and a volunteer must see them.
    const full = await Promise.all(circles.map((c) => api.get(`circles/${c.id}/`)));
    const sections = await Promise.all(full.map(circleRequests));
    const everyRoster = await getAll("rosters/");
    const rosters = everyRoster.filter((r) => r.kind === "duty");
    return { single: false, sections, rosters, everyRoster };
  }, ({ single, sections, rosters, everyRoster }) => {
    if (single) {
      const circle = sections[0].circle;
      heading.textContent = t("requests.title_circle", { name: circle.name });
      document.title = `${heading.textContent} · ${t("app.name")}`;
      return h("div", { class: "stack" }, circleSection(sections[0], { single: true }),
        link(t("requests.all"), "#/requests"));
    }
    if (!sections.length && !rosters.length) {
      return empty(t("requests.no_circles"), link(t("circles.start"), "#/circles/new", "secondary"));
    }
    return h("div", { class: "stack" },
      swapBoard(everyRoster),
      sections.map((data) => circleSection(data, { single: false })),
      rosters.length ? h("section", {}, h("h2", {}, t("rosters.title")),
        h("ul", { class: "list" }, rosters.map((r) => h("li", { class: "card" }, h("a", { href: `#/rosters/${r.id}` }, r.name))))) : null);
  }, t("requests.loading"));
}

function detailsList(req) {
  const d = req.details || {};
  const rows = [];
  if (d.servings) rows.push([t("request.servings"), String(d.servings)]);
  if (d.delivery_window_start && d.delivery_window_end) rows.push([t("request.window"), `${d.delivery_window_start} – ${d.delivery_window_end}`]);
  if (d.containers_to_return) rows.push([t("request.containers"), t("request.containers_yes")]);
  for (const [key, value] of Object.entries(d)) {
    if (["servings", "delivery_window_start", "delivery_window_end", "containers_to_return"].includes(key) || value === "" || value === null) continue;
    const shown = Array.isArray(value) ? value.join(", ") : typeof value === "object" ? null : String(value);
    if (!shown) continue;
    rows.push([has(`details.${key}`) ? t(`details.${key}`) : key.replace(/_/g, " "), shown]);
  }
  if (!rows.length) return null;
  return h("dl", { class: "details" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function claimedCard(req, signupId, { waitlisted = false } = {}) {
  return h("div", { class: "card success stack", role: "status" },
    h("p", {}, h("strong", {}, waitlisted ? t("claim.waitlisted") : t("claim.thanks", { circle: req.circle_name || "" }))),
    h("p", {}, formatDay(req.starts_at, req.time_zone), " · ", whenText(req)),
    h("div", { class: "actions" },
      capabilities.ics && signupId && !waitlisted ? h("a", { class: "button secondary", href: url(`signups/${signupId}/ics/`), download: `village-${signupId}.ics` }, t("commitment.add_to_calendar")) : null,
      link(t("commitments.see"), "#/commitments", "primary")));
}

function coordinatorPanel(req, refresh) {
  const status = h("div", { role: "status" });
  const signups = (req.signups || []).filter((s) => ["confirmed", "completed", "waitlisted", "offered"].includes(s.status));
  const list = signups.length ? h("ul", { class: "list" }, signups.map((s) => {
    const c = s.contribution || {};
    const thankBox = h("div");
    const thank = s.thanked ? h("span", { class: "tag ok" }, t("thanks.sent")) : button(t("thanks.button", { name: s.person.name }), () => {
      clear(thankBox);
      const form = h("form", { class: "stack", novalidate: true },
        field(t("thanks.message"), h("textarea", { name: "message", rows: "2" }, t("thanks.default", { name: s.person.name.split(" ")[0] })), { required: true }),
        h("button", { type: "submit", class: "button primary" }, t("thanks.send")));
      handleSubmit(form, async (data) => {
        await api.post(`signups/${s.id}/thanks/`, { message: data.get("message").trim() });
        toast(t("thanks.sent"));
        refresh();
      });
      thankBox.append(form);
      form.querySelector("textarea").focus();
    }, "secondary");
    return h("li", { class: "card" }, h("p", {}, h("strong", {}, s.person.name), " ", h("span", { class: "tag muted" }, t(`signup.status.${s.status}`))),
      c.dish ? h("p", {}, t("who.dish", { dish: c.dish })) : null,
      c.notes ? h("p", { class: "meta" }, c.notes) : null,
      thank, thankBox);
  })) : empty(t("request.nobody_yet"), link(t("invite.title"), `#/circles/${req.circle}/invite`, "secondary"));
  const actions = h("div", { class: "actions" },
    req.received_at ? h("span", { class: "tag ok" }, t("request.received")) : button(t("request.mark_received"), async () => {
      clear(status);
      try { await api.post(`requests/${req.id}/received/`); toast(t("request.received")); refresh(); } catch (error) { status.append(errorBox(error)); }
    }, "secondary"),
    req.status !== "cancelled" ? button(t("request.cancel"), async () => {
      clear(status);
      if (!window.confirm(t("request.cancel_confirm"))) return;
      try { await api.del(`requests/${req.id}/`); toast(t("request.cancelled")); go(`/circles/${req.circle}`); } catch (error) { status.append(errorBox(error)); }
    }, "danger") : null);
  return h("section", { class: "stack" }, h("h2", {}, t("request.who_is_coming")), list, actions, status);
}

export async function requestView({ id }) {
  const { body, heading } = page(t("request.title"));
  const refresh = () => requestView({ id });
  await load(body, async () => {
    const req = await api.get(`requests/${id}/`);
    const day = dayKey(req.starts_at, req.time_zone);
    // Dishes from a few days around this one: "lasagna on Monday" matters on Tuesday too.
    const dishes = await getAll(`circles/${req.circle}/dishes/`, {
      start: new Date(new Date(req.starts_at).getTime() - 3 * 86400000).toISOString(),
      end: new Date(new Date(req.starts_at).getTime() + 3 * 86400000).toISOString(),
    }).catch(() => []);
    return { req, dishes, day };
  }, ({ req, dishes }) => {
    heading.textContent = `${requestTitle(req)} · ${formatShortDay(req.starts_at, req.time_zone)}`;
    document.title = `${heading.textContent} · ${t("app.name")}`;
    const household = { allergies: req.allergies || [], allergies_other: req.allergies_other || "" };
    const parts = [
      h("p", { class: "lead" }, kindIcon(req.kind), " ", kindLabel(req.kind), " · ", req.circle_name, " · ", formatDay(req.starts_at, req.time_zone), ", ", whenText(req)),
      allergyAlert(household),
      (req.dietary_preferences || []).length ? h("p", {}, h("strong", {}, t("circle.diets"), ": "), req.dietary_preferences.map((d) => t(`diet.${d}`)).join(", ")) : null,
      detailsList(req),
      req.address ? h("div", { class: "card" }, h("h2", {}, t("request.where")), h("p", { class: "pre" }, req.address), req.phone ? h("p", {}, h("a", { href: `tel:${req.phone}` }, req.phone)) : null) : null,
      dishes.length ? h("section", {}, h("h2", {}, t("request.dishes_nearby")), h("ul", { class: "who" }, dishes.map((d) =>
        h("li", {}, formatShortDay(d.starts_at, req.time_zone), ": ", d.dish ? t("who.bringing", { name: d.volunteer, dish: d.dish }) : t("who.coming", { name: d.volunteer }))))) : null,
    ];
    if (req.my_role === "coordinator") {
      parts.push(coordinatorPanel(req, refresh));
      return h("div", { class: "stack" }, parts);
    }
    if (req.my_signup && ["confirmed", "waitlisted", "offered"].includes(req.my_signup.status)) {
      parts.push(claimedCard(req, req.my_signup.id, { waitlisted: req.my_signup.status === "waitlisted" }));
      return h("div", { class: "stack" }, parts);
    }
    const left = req.spots_left ?? req.capacity - req.filled;
    if (req.circle_status && req.circle_status !== "active") {
      parts.push(h("p", { class: "note" }, t("circle.paused_volunteer")));
      return h("div", { class: "stack" }, parts);
    }
    parts.push(claimForm(req, left));
    return h("div", { class: "stack" }, parts);
  }, t("request.loading"));
}

function claimForm(req, left) {
  const meal = req.kind === "meal";
  const choices = h("div", { role: "status" });
  const form = h("form", { class: "stack", novalidate: true },
    h("h2", {}, meal ? t("claim.heading_meal") : t("claim.heading")),
    left <= 0 ? h("p", { class: "note" }, t("claim.full_waitlist")) : null,
    meal ? field(t("claim.dish"), h("input", { type: "text", name: "dish", maxlength: "200", autocomplete: "off" }), { required: true, hint: t("claim.dish_hint") }) : null,
    meal ? checkboxGroup(t("claim.contains"), "contains_allergens", allergenOptions(), [], { hint: t("claim.contains_hint"), danger: req.allergies || [] }) : null,
    field(meal ? t("claim.notes_meal") : t("claim.notes"), h("textarea", { name: "notes", rows: "2", maxlength: "500" })),
    h("button", { type: "submit", class: "button primary big" }, meal ? t("claim.submit_meal") : t("claim.submit")),
    choices);
  handleSubmit(form, async (data) => {
    const payload = { notes: (data.get("notes") || "").toString().trim() };
    if (meal) {
      payload.dish = (data.get("dish") || "").toString().trim();
      payload.contains_allergens = checkedValues(form, "contains_allergens");
    }
    if (left <= 0) payload.join_waitlist = true;
    await claimWithChoices({
      post: (extra) => api.post(`requests/${req.id}/claim/`, { ...payload, ...extra }),
      status: choices,
      onDone: (result) => {
        const signup = result.signup || {};
        const waitlisted = signup.status === "waitlisted";
        toast(waitlisted ? t("claim.waitlisted") : t("claim.done"));
        const card = claimedCard(req, signup.id, { waitlisted });
        if (result.warnings && result.warnings.length) card.prepend(h("ul", { class: "note" }, result.warnings.map((w) => h("li", {}, w))));
        form.replaceWith(card);
        card.setAttribute("tabindex", "-1");
        card.focus();
      },
    });
  }, { busyText: t("claim.saving") });
  return form;
}

// --- family side ------------------------------------------------------------------------------

function kindRadios(selected) {
  return h("fieldset", { class: "checks" }, h("legend", {}, t("request.kind")),
    h("div", { class: "check-grid" }, KINDS.map((kind) => h("label", { class: "radio" },
      h("input", { type: "radio", name: "kind", value: kind, checked: kind === selected }), kindIcon(kind), h("span", {}, kindLabel(kind))))));
}

export async function requestNewView({ id }) {
  const { body, heading } = page(t("request.new"));
  await load(body, () => api.get(`circles/${id}/`), (circle) => {
    heading.textContent = t("request.new_named", { name: circle.name });
    const zone = circle.time_zone;
    const tomorrow = todayIn(zone, 1);
    // Each kind asks only what helpers need for it; the server validates the same shapes.
    const kindBoxes = {
      meal: h("div", { class: "stack" },
        field(t("request.servings"), h("input", { type: "number", name: "servings", min: "1", max: "30", inputmode: "numeric", value: String((circle.adults || 2) + (circle.children_count || 0)) }), { required: true }),
        h("label", { class: "check" }, h("input", { type: "checkbox", name: "containers_to_return" }), h("span", {}, t("request.containers_ask"))),
        field(t("request.notes"), h("textarea", { name: "meal_notes", rows: "2", maxlength: "500" }))),
      laundry: h("div", { class: "stack" },
        field(t("request.laundry_pickup"), h("textarea", { name: "pickup_instructions", rows: "2", maxlength: "1000" }))),
      childcare: h("div", { class: "stack" },
        field(t("request.childcare_where"), h("input", { type: "text", name: "where", maxlength: "300" }))),
      errand: h("div", { class: "stack" },
        field(t("request.errand_items"), h("textarea", { name: "items", rows: "3" }), { required: true, hint: t("request.errand_items_hint") })),
      ride: h("div", { class: "stack" },
        field(t("request.ride_from"), h("input", { type: "text", name: "from", maxlength: "300" }), { required: true }),
        field(t("request.ride_to"), h("input", { type: "text", name: "to", maxlength: "300" }), { required: true })),
      visit: h("div", { class: "stack" },
        field(t("request.visit_purpose"), h("input", { type: "text", name: "purpose", maxlength: "500" }))),
      other: h("div", { class: "stack" },
        field(t("request.other_description"), h("textarea", { name: "description", rows: "2", maxlength: "1000" }), { required: true })),
    };
    const showKind = (kind) => {
      for (const [name, box] of Object.entries(kindBoxes)) box.hidden = name !== kind;
    };
    showKind("meal");
    const weekdays = weekdayNames("long");
    const repeatBox = h("div", { class: "stack", hidden: true },
      checkboxGroup(t("request.repeat_days"), "weekday", weekdays.map((name, i) => [String(i), name]), [String(weekdayIndex(tomorrow))]),
      field(t("request.repeat_weeks"), h("select", { name: "weeks" }, [1, 2, 3, 4, 5, 6].map((n) => h("option", { value: String(n), selected: n === 3 }, t("request.weeks", { count: n }))))));
    const repeat = h("fieldset", { class: "checks" }, h("legend", {}, t("request.how_often")),
      h("div", { class: "check-grid" },
        h("label", { class: "radio" }, h("input", { type: "radio", name: "repeat", value: "once", checked: true }), h("span", {}, t("request.once"))),
        h("label", { class: "radio" }, h("input", { type: "radio", name: "repeat", value: "weekly" }), h("span", {}, t("request.weekly")))));
    const form = h("form", { class: "stack", novalidate: true },
      kindRadios("meal"),
      field(t("request.title_field"), h("input", { type: "text", name: "title", maxlength: "160", placeholder: t("request.title_placeholder") }), { hint: t("request.title_hint") }),
      field(t("request.date"), h("input", { type: "date", name: "date", value: tomorrow, min: todayIn(zone) }), { required: true, hint: t("request.zone_hint", { zone }) }),
      h("div", { class: "row" },
        field(t("request.start"), h("input", { type: "time", name: "start", value: "17:30" }), { required: true }),
        field(t("request.end"), h("input", { type: "time", name: "end", value: "18:30" }), { required: true })),
      field(t("request.capacity"), h("input", { type: "number", name: "capacity", min: "1", max: "50", value: "1", inputmode: "numeric" }), { hint: t("request.capacity_hint") }),
      Object.values(kindBoxes),
      repeat, repeatBox,
      h("button", { type: "submit", class: "button primary big" }, t("request.create")));
    form.addEventListener("change", (event) => {
      if (event.target.name === "kind") showKind(event.target.value);
      if (event.target.name === "repeat") repeatBox.hidden = event.target.value !== "weekly";
    });
    handleSubmit(form, async (data) => {
      const kind = data.get("kind");
      const date = data.get("date");
      const start = data.get("start");
      const end = data.get("end");
      if (!date || !start || !end) throw formError(t("request.need_time"));
      const duration = minutesBetween(start, end);
      if (duration < 5) throw formError(t("request.end_after_start"), { end: [t("request.end_after_start")] });
      const text = (name) => (data.get(name) || "").toString().trim();
      const details = {};
      if (kind === "meal") {
        details.servings = Number(text("servings"));
        details.containers_to_return = form.querySelector('input[name="containers_to_return"]').checked;
        if (text("meal_notes")) details.notes = text("meal_notes");
      } else if (kind === "laundry") {
        if (text("pickup_instructions")) details.pickup_instructions = text("pickup_instructions");
      } else if (kind === "childcare") {
        if (text("where")) details.where = text("where");
      } else if (kind === "errand") {
        details.items = text("items").split("\n").map((line) => line.trim()).filter(Boolean);
      } else if (kind === "ride") {
        details.from = text("from");
        details.to = text("to");
      } else if (kind === "visit") {
        if (text("purpose")) details.purpose = text("purpose");
      } else {
        details.description = text("description");
      }
      const common = { kind, title: data.get("title").trim(), capacity: Number(data.get("capacity") || 1), details };
      if (data.get("repeat") === "weekly") {
        const rule = weeklyRule(date, checkedValues(form, "weekday").map(Number), Number(data.get("weeks")));
        if (!rule) throw formError(t("request.pick_days"), { weekday: [t("request.pick_days")] });
        const result = await api.post(`circles/${id}/requests/series/`, {
          ...common, rrule: rule.rrule, first_starts_at: zonedISO(rule.first, start, zone), duration_minutes: duration,
        });
        toast(t("request.created_many", { count: result.count }));
      } else {
        await api.post(`circles/${id}/requests/`, {
          ...common, starts_at: zonedISO(date, start, zone), ends_at: zonedISO(date, end, zone),
        });
        toast(t("request.created"));
      }
      go(`/circles/${id}`);
    }, { busyText: t("state.saving") });
    return form;
  });
}

// A month (or one week) of the circle's slots: open ones stand out, covered ones are calm.
export function slotsCalendar(circle) {
  const zone = circle.time_zone;
  const today = todayIn(zone);
  // A month grid is cramped on a phone; the week list is the readable default there.
  let mode = window.matchMedia("(min-width: 40rem)").matches ? "month" : "week";
  let anchor = today;
  const box = h("div");
  const title = h("h2", { id: "cal-title" }, "");
  const section = h("section", { class: "stack", "aria-labelledby": "cal-title" });
  const modeButtons = h("div", { class: "segmented", role: "group", "aria-label": t("cal.view") });
  const prev = button("‹", () => shift(-1), "secondary");
  const next = button("›", () => shift(1), "secondary");
  const toolbar = h("div", { class: "cal-toolbar" }, title, h("div", { class: "row" }, prev, next));
  section.append(toolbar, modeButtons, h("p", { class: "legend" },
    h("span", { class: "slot-dot open" }, t("cal.open")), h("span", { class: "slot-dot filled" }, t("cal.filled"))), box);

  function range() {
    if (mode === "week") {
      const start = addDays(anchor, -weekdayIndex(anchor));
      return { start, end: addDays(start, 7) };
    }
    const start = `${anchor.slice(0, 7)}-01`;
    const [y, m] = start.split("-").map(Number);
    const end = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
    return { start, end };
  }
  function shift(step) {
    if (mode === "week") anchor = addDays(anchor, 7 * step);
    else {
      const [y, m] = anchor.split("-").map(Number);
      anchor = new Date(Date.UTC(y, m - 1 + step, 1)).toISOString().slice(0, 10);
    }
    draw();
  }
  function setMode(next) {
    mode = next;
    draw();
  }
  function slot(req) {
    const left = req.spots_left ?? req.capacity - req.filled;
    const open = left > 0;
    return h("a", { class: `slot-dot ${open ? "open" : "filled"}`, href: `#/requests/${req.id}` },
      `${formatTime(req.starts_at, zone)} ${requestTitle(req)} — ${open ? t("cal.open_n", { count: left }) : t("cal.filled")}`);
  }
  function draw() {
    clear(modeButtons);
    modeButtons.append(
      h("button", { type: "button", class: "button secondary", "aria-pressed": String(mode === "month"), onclick: () => setMode("month") }, t("cal.month")),
      h("button", { type: "button", class: "button secondary", "aria-pressed": String(mode === "week"), onclick: () => setMode("week") }, t("cal.week")));
    const { start, end } = range();
    prev.setAttribute("aria-label", mode === "week" ? t("cal.prev_week") : t("cal.prev_month"));
    next.setAttribute("aria-label", mode === "week" ? t("cal.next_week") : t("cal.next_month"));
    const [y, m] = start.split("-").map(Number);
    title.textContent = mode === "week" ? t("cal.week_of", { day: formatShortDay(zonedISO(start, "12:00", zone), zone) }) : monthName(y, m - 1);
    load(box, () => getAll(`circles/${circle.id}/requests/`, { start: zonedISO(start, "00:00", zone), end: zonedISO(end, "00:00", zone) }), (requests) => {
      const live = requests.filter((r) => r.status !== "cancelled");
      const byDay = new Map();
      for (const req of live) {
        const key = dayKey(req.starts_at, zone);
        if (!byDay.has(key)) byDay.set(key, []);
        byDay.get(key).push(req);
      }
      const openCount = live.filter((r) => (r.spots_left ?? r.capacity - r.filled) > 0).length;
      const summary = h("p", {}, live.length ? t("cal.summary", { open: openCount, total: live.length }) : t("cal.none"),
        " ", link(t("request.new"), `#/circles/${circle.id}/requests/new`));
      if (mode === "week") {
        const days = Array.from({ length: 7 }, (_, i) => addDays(start, i));
        return h("div", { class: "stack" }, summary, h("ul", { class: "list" }, days.map((d) => h("li", { class: "card" },
          h("h3", {}, formatDay(zonedISO(d, "12:00", zone), zone), d === today ? ` (${t("cal.today")})` : ""),
          (byDay.get(d) || []).length ? h("ul", { class: "list" }, byDay.get(d).map((req) => h("li", {}, slot(req)))) : h("p", { class: "meta" }, t("cal.nothing"))))));
      }
      const lead = weekdayIndex(start);
      const days = [];
      for (let d = start; d < end; d = addDays(d, 1)) days.push(d);
      const cells = [...Array(lead).fill(null), ...days];
      while (cells.length % 7) cells.push(null);
      const rows = [];
      for (let i = 0; i < cells.length; i += 7) rows.push(cells.slice(i, i + 7));
      const names = weekdayNames("short");
      const longNames = weekdayNames("long");
      return h("div", { class: "stack" }, summary, h("div", { class: "table-wrap" }, h("table", { class: "cal-table" },
        h("caption", { class: "visually-hidden" }, title.textContent),
        h("thead", {}, h("tr", {}, names.map((n, i) => h("th", { scope: "col", abbr: longNames[i] }, n)))),
        h("tbody", {}, rows.map((row) => h("tr", {}, row.map((d) => d === null ? h("td", { class: "cal-day outside" }) :
          h("td", { class: d === today ? "cal-day today" : "cal-day" },
            h("span", { class: "num" }, String(Number(d.slice(8)))),
            (byDay.get(d) || []).map(slot)))))))));
    }, t("cal.loading"));
  }
  draw();
  return section;
}
