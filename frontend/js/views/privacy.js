// The family's own data, for the circle's coordinators: who was shown their details and what
// coordinators changed (the audit log), a download of everything, and deleting the circle.
import { ApiError, api, getAll } from "../api.js";
import { formatDateTime, formatShortDay, lang, t } from "../i18n.js";
import { go } from "../nav.js";
import { button, clear, empty, errorBox, field, h, handleSubmit, link, load, page, toast } from "../ui.js";

const PAGE_SIZE = 20;
export const ADDRESS_SHOWN = "address_shown";

// From the list of "my circles", not the profile: the profile carries the address, and a
// volunteer opening one of these pages must neither be sent it nor leave a trace of reading it.
async function coordinatedCircle(id) {
  const circle = (await getAll("circles/")).find((c) => String(c.id) === String(id));
  if (!circle) throw new ApiError(404, null);
  if (circle.my_role !== "coordinator") {
    throw new ApiError(403, { error: { code: "coordinators_only", message: t("error.coordinators_only") } });
  }
  return circle;
}

function someone(name) {
  return name || t("audit.someone");
}

// Where a volunteer was shown the address, as the API's `via` says it.
function viaLabel(via) {
  if (via === "api:circle") return t("audit.via.circle");
  if (via === "request") return t("audit.via.request");
  if (via === "calendar:feed") return t("audit.via.calendar_feed");
  if (via === "calendar:download") return t("audit.via.calendar_download");
  return via || t("audit.via.unknown");
}

const FIELD_LABELS = {
  name: () => t("audit.field.name"),
  adults: () => t("audit.field.adults"),
  children: () => t("audit.field.children"),
  time_zone: () => t("audit.field.time_zone"),
  allergies: () => t("audit.field.allergies"),
  allergies_other: () => t("audit.field.allergies_other"),
  dietary_preferences: () => t("audit.field.diets"),
  likes: () => t("audit.field.likes"),
  dislikes: () => t("audit.field.dislikes"),
  dropoff_instructions: () => t("audit.field.dropoff"),
  delivery_window_start: () => t("audit.field.delivery_window"),
  delivery_window_end: () => t("audit.field.delivery_window"),
  pets: () => t("audit.field.pets"),
  visitor_policy: () => t("audit.field.visitors"),
  address: () => t("audit.field.address"),
  phone: () => t("audit.field.phone"),
  title: () => t("audit.field.title"),
  starts_at: () => t("audit.field.time"),
  ends_at: () => t("audit.field.time"),
  is_flexible: () => t("audit.field.time"),
  capacity: () => t("audit.field.capacity"),
  details: () => t("audit.field.details"),
};

function fieldList(fields) {
  const names = [...new Set((fields || []).map((name) => (FIELD_LABELS[name] ? FIELD_LABELS[name]() : name)))];
  return new Intl.ListFormat(lang(), { style: "long", type: "conjunction" }).format(names);
}

const KINDS = ["meal", "laundry", "childcare", "errand", "visit", "ride", "other"];

function kindLabel(kind) {
  return t(`kind.${KINDS.includes(kind) ? kind : "other"}`);
}

// "Dinner on Wed, Dec 2": what a request or shift is called in a sentence.
function requestLabel(found, timeZone) {
  if (!found || !found.title) return t("audit.a_request");
  return found.starts_at
    ? t("audit.request_label", { title: found.title, day: formatShortDay(found.starts_at, timeZone) })
    : found.title;
}

// The log names requests and shifts by id only; fetch the ones this page mentions (at most a
// page's worth, in parallel) so each sentence can say "Dinner on Wed, Dec 2".
async function lookups(rows) {
  const requestIds = new Set();
  const shiftIds = new Set();
  for (const row of rows) {
    const detail = row.detail || {};
    if (detail.request_id) requestIds.add(detail.request_id);
    else if (detail.shift_id) shiftIds.add(detail.shift_id);
  }
  const fetchAll = async (ids, path) => Object.fromEntries(await Promise.all([...ids].map(async (id) => {
    try { return [id, await api.get(path(id))]; } catch { return [id, null]; }
  })));
  const [requests, shifts] = await Promise.all([
    fetchAll(requestIds, (id) => `requests/${id}/`),
    fetchAll(shiftIds, (id) => `shifts/${id}/`),
  ]);
  return { requests, shifts };
}

// One entry of the log as a sentence in the reader's language. Every action the API can
// return has its own sentence; an action added later still reads, as "Name: action".
export function auditSentence(row, { requests = {}, shifts = {} } = {}, timeZone) {
  const detail = row.detail || {};
  const actor = someone(row.actor_name);
  const target = row.target_name || t("audit.someone_lower");
  const what = () => requestLabel(
    detail.request_id ? requests[detail.request_id] : shifts[detail.shift_id], timeZone);
  const vars = () => ({ actor, target, request: what() });
  switch (row.action) {
    case "address_shown":
      return t("audit.address_shown", { actor, via: viaLabel(row.via) });
    case "member_joined":
      if (detail.status === "pending") return t("audit.member_joined_pending", { actor: someone(row.target_name || row.actor_name) });
      if (detail.role === "coordinator") return t("audit.member_joined_coordinator", { actor: someone(row.target_name || row.actor_name) });
      return t("audit.member_joined", { actor: someone(row.target_name || row.actor_name) });
    case "member_approved":
      return t("audit.member_approved", { actor, target });
    case "member_role_changed":
      return detail.role === "coordinator"
        ? t("audit.member_role_changed_coordinator", { actor, target })
        : t("audit.member_role_changed_volunteer", { actor, target });
    case "member_removed":
      return row.actor_id && row.actor_id === row.target_person_id
        ? t("audit.member_left", { target })
        : t("audit.member_removed", { actor, target });
    case "childcare_approved":
      return t("audit.childcare_approved", { actor, target });
    case "childcare_withdrawn":
      return t("audit.childcare_withdrawn", { actor, target });
    case "circle_paused":
      return t("audit.circle_paused", { actor });
    case "circle_resumed":
      return t("audit.circle_resumed", { actor });
    case "circle_closed":
      return t("audit.circle_closed", { actor });
    case "profile_edited":
      return t("audit.profile_edited", { actor, fields: fieldList(detail.fields) });
    case "request_created":
      return t("audit.request_created", {
        actor,
        request: requests[detail.request_id]
          ? what()
          : requestLabel({ title: kindLabel(detail.kind), starts_at: detail.starts_at }, timeZone),
      });
    case "request_series_created":
      return t("audit.request_series_created", {
        actor, kind: kindLabel(detail.kind), count: (detail.request_ids || []).length,
      });
    case "request_edited":
      return t("audit.request_edited", { ...vars(), fields: fieldList(detail.fields) });
    case "request_cancelled":
      return t("audit.request_cancelled", vars());
    case "request_received":
      return t("audit.request_received", vars());
    case "signup_thanked":
      return t("audit.signup_thanked", vars());
    case "signup_assigned":
      return t("audit.signup_assigned", vars());
    case "signup_unassigned":
      return detail.approved_cancel_request
        ? t("audit.signup_unassigned_asked", vars())
        : t("audit.signup_unassigned", vars());
    case "cancel_request_declined":
      return t("audit.cancel_request_declined", vars());
    case "signup_completed":
      return t("audit.signup_completed", vars());
    case "signup_no_show":
      return t("audit.signup_no_show", vars());
    default:
      return t("audit.unknown", { actor, action: row.action });
  }
}

function activityHref(id, { show, page: number }) {
  const query = new URLSearchParams();
  if (show) query.set("show", show);
  if (number > 1) query.set("page", String(number));
  const text = query.toString();
  return `#/circles/${id}/activity${text ? `?${text}` : ""}`;
}

export async function activityView({ id, query }) {
  const { body, heading } = page(t("audit.title"));
  const show = query.get("show") === "address" ? "address" : "";
  const number = Math.max(1, Number.parseInt(query.get("page") || "1", 10) || 1);
  await load(body, async () => {
    const circle = await coordinatedCircle(id);
    const log = await api.get(`circles/${id}/audit/`, {
      limit: PAGE_SIZE,
      offset: (number - 1) * PAGE_SIZE,
      action: show === "address" ? ADDRESS_SHOWN : undefined,
    });
    return { circle, log, found: await lookups(log.results || []) };
  }, ({ circle, log, found }) => {
    heading.textContent = t("audit.title_named", { name: circle.name });
    document.title = `${heading.textContent} · ${t("app.name")}`;
    const rows = log.results || [];
    const pages = Math.max(1, Math.ceil((log.count || 0) / PAGE_SIZE));
    const filter = h("nav", { class: "segmented", "aria-label": t("audit.filter") },
      h("a", { class: "button secondary", href: activityHref(id, { page: 1 }), "aria-current": show ? null : "true" }, t("audit.show_all")),
      h("a", { class: "button secondary", href: activityHref(id, { show: "address", page: 1 }), "aria-current": show ? "true" : null }, t("audit.show_address")));
    const list = rows.length
      ? h("ol", { class: "list audit-list", "aria-label": t("audit.list_label", { page: number, pages }) }, rows.map((row) =>
        h("li", { class: row.type === "address_read" ? "card audit-read" : "card" },
          h("p", { class: "audit-line" }, auditSentence(row, found, circle.time_zone)),
          h("p", { class: "meta" }, h("time", { datetime: row.at }, formatDateTime(row.at, circle.time_zone))))))
      : empty(number > 1 ? t("audit.past_end") : show ? t("audit.empty_address") : t("audit.empty"),
        number > 1 ? link(t("audit.first_page"), activityHref(id, { show, page: 1 }), "secondary") : null);
    const pager = pages > 1 || number > 1
      ? h("nav", { class: "pager", "aria-label": t("audit.pages") },
        number > 1 ? h("a", { class: "button secondary", rel: "prev", href: activityHref(id, { show, page: number - 1 }) }, t("audit.newer")) : null,
        h("span", { class: "pager-where" }, t("audit.page_of", { page: number, pages })),
        log.next ? h("a", { class: "button secondary", rel: "next", href: activityHref(id, { show, page: number + 1 }) }, t("audit.older")) : null)
      : null;
    return h("div", { class: "stack" },
      h("p", { class: "lead" }, t("audit.lead", { zone: circle.time_zone })),
      filter, list, pager,
      h("p", {}, link(t("data.link"), `#/circles/${id}/data`)),
      h("p", {}, link(t("audit.back", { name: circle.name }), `#/circles/${id}`)));
  }, t("audit.loading"));
}

function filenameFrom(response, id) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const found = disposition.match(/filename="?([^";]+)"?/i);
  return (found && found[1]) || `village-circle-${id}.json`;
}

// Through fetch, not a plain link: the same session and error handling as every other call,
// and a refusal shows as a message on the page instead of a download of the error.
async function downloadExport(id) {
  const response = await api.raw(`circles/${id}/export/`);
  const blob = await response.blob();
  const name = filenameFrom(response, id);
  const href = URL.createObjectURL(blob);
  const anchor = h("a", { href, download: name, hidden: true });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Give the browser a moment to start saving before the blob goes.
  setTimeout(() => URL.revokeObjectURL(href), 10000);
  return name;
}

function exportSection(circle) {
  const status = h("div", { role: "status" });
  const start = button(t("data.download"), async () => {
    clear(status);
    start.disabled = true;
    start.textContent = t("data.downloading");
    try {
      const name = await downloadExport(circle.id);
      status.append(h("p", { class: "card success" }, t("data.downloaded", { file: name })));
    } catch (error) {
      status.append(errorBox(error));
    } finally {
      start.disabled = false;
      start.textContent = t("data.download");
    }
  }, "primary");
  return h("section", { class: "stack", "aria-labelledby": "data-export" },
    h("h2", { id: "data-export" }, t("data.export_title")),
    h("p", {}, t("data.export_lead")),
    h("p", { class: "note" }, t("data.export_private")),
    start, status);
}

function deleteSection(circle) {
  const input = h("input", { type: "text", name: "confirm", autocomplete: "off", autocapitalize: "off", spellcheck: "false" });
  const form = h("form", { class: "stack", novalidate: true },
    field(t("data.delete_confirm", { name: circle.name }), input, { hint: t("data.delete_confirm_hint") }),
    h("button", { type: "submit", class: "button danger" }, t("data.delete_button")));
  handleSubmit(form, async (data) => {
    try {
      await api.del(`circles/${circle.id}/`, { confirm: (data.get("confirm") || "").toString() });
    } catch (error) {
      // The server's words next to the field are English; say the same thing in Spanish.
      if (error.code === "confirm_mismatch" && lang() !== "en") error.fields = { confirm: [t("data.delete_mismatch", { name: circle.name })] };
      throw error;
    }
    toast(t("data.deleted", { name: circle.name }));
    go("/");
  }, { busyText: t("data.deleting") });
  return h("section", { class: "danger-zone stack", "aria-labelledby": "data-delete" },
    h("h2", { id: "data-delete" }, t("data.delete_title")),
    h("p", {}, t("data.delete_lead", { name: circle.name })),
    h("ul", {},
      h("li", {}, t("data.delete_told")),
      h("li", {}, t("data.delete_calendars")),
      h("li", {}, t("data.delete_removed")),
      h("li", {}, t("data.delete_kept"))),
    h("p", { class: "danger-final" }, h("strong", {}, t("data.delete_final"))),
    form);
}

export async function dataView({ id }) {
  const { body, heading } = page(t("data.title"));
  await load(body, () => coordinatedCircle(id), (circle) => {
    heading.textContent = t("data.title_named", { name: circle.name });
    document.title = `${heading.textContent} · ${t("app.name")}`;
    return h("div", { class: "stack" },
      exportSection(circle),
      h("p", {}, link(t("audit.link"), `#/circles/${id}/activity`)),
      deleteSection(circle),
      h("p", {}, link(t("audit.back", { name: circle.name }), `#/circles/${id}`)));
  }, t("data.loading"));
}
