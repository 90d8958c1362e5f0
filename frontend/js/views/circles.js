// Circles, from the family's side: start one in guided steps, edit the household profile,
// pause it, approve people, invite them.
import { api, getAll } from "../api.js";
import { formatDateTime, t } from "../i18n.js";
import { go } from "../nav.js";
import { capabilities } from "../capabilities.js";
import {
  button, checkboxGroup, checkedValues, clear, empty, errorBox, field, h, handleSubmit, link, load, page, toast,
} from "../ui.js";

export const ALLERGENS = ["milk", "eggs", "fish", "shellfish", "tree_nuts", "peanuts", "wheat", "gluten", "soy", "sesame", "mustard", "celery", "lupin", "molluscs", "sulphites"];
export const DIETS = ["vegetarian", "vegan", "pescatarian", "halal", "kosher", "gluten_free", "dairy_free", "low_sodium", "no_pork", "no_beef"];

export function allergenOptions() {
  return ALLERGENS.map((value) => [value, t(`allergen.${value}`)]);
}

export function allergyList(circle) {
  const names = (circle.allergies || []).map((value) => t(`allergen.${value}`));
  if (circle.allergies_other) names.push(circle.allergies_other);
  return names;
}

// The loudest thing on any screen where food is chosen: what must not be in it.
export function allergyAlert(circle) {
  const names = allergyList(circle);
  if (!names.length) return null;
  return h("div", { class: "allergy-alert", role: "note" },
    h("strong", {}, "⚠ ", t("allergy.title")), " ", names.join(", "));
}

function hhmm(value) {
  return value ? String(value).slice(0, 5) : "";
}

function childRow(child = {}, index = 0) {
  const row = h("div", { class: "card child-row stack" });
  const nameInput = h("input", { type: "text", name: `child_name_${index}`, value: child.name || "", autocomplete: "off" });
  const dateInput = h("input", { type: "date", name: `child_birth_${index}`, value: child.birth_date || "" });
  row.append(
    field(t("circle.child_name"), nameInput, { hint: t("circle.child_name_hint") }),
    field(t("circle.child_birth"), dateInput, { hint: t("circle.child_birth_hint") }),
    button(t("circle.child_remove"), () => row.remove(), "secondary"));
  return row;
}

function collectChildren(form) {
  const children = [];
  for (const row of form.querySelectorAll(".child-row")) {
    const name = row.querySelector('input[type="text"]').value.trim();
    const birth = row.querySelector('input[type="date"]').value;
    if (!name && !birth) continue;
    const child = { name };
    if (birth) child.birth_date = birth;
    children.push(child);
  }
  return children;
}

// The household profile fields, in the four groups the family fills in one at a time.
function profileSections(circle = {}, { withName = true } = {}) {
  const children = h("div", { class: "stack children" }, (circle.children || []).map((child, i) => childRow(child, i)));
  let childCount = (circle.children || []).length;
  const tz = circle.time_zone || Intl.DateTimeFormat().resolvedOptions().timeZone || "America/New_York";
  return [
    {
      key: "who",
      title: t("circle.step_who"),
      nodes: [
        withName ? field(t("circle.name"), h("input", { type: "text", name: "name", value: circle.name || "", autocomplete: "off" }), { required: true, hint: t("circle.name_hint") }) : null,
        field(t("circle.adults"), h("input", { type: "number", name: "adults", min: "0", max: "20", inputmode: "numeric", value: String(circle.adults ?? 2) })),
        h("fieldset", { class: "stack" }, h("legend", {}, t("circle.children")), h("p", { class: "hint" }, t("circle.children_hint")), children,
          button(t("circle.child_add"), () => { children.append(childRow({}, childCount)); childCount += 1; children.lastChild.querySelector("input").focus(); }, "secondary")),
        field(t("circle.time_zone"), h("input", { type: "text", name: "time_zone", value: tz, autocomplete: "off" }), { hint: t("circle.time_zone_hint") }),
      ],
    },
    {
      key: "food",
      title: t("circle.step_food"),
      nodes: [
        checkboxGroup(t("circle.allergies"), "allergies", allergenOptions(), circle.allergies || [], { hint: t("circle.allergies_hint") }),
        field(t("circle.allergies_other"), h("input", { type: "text", name: "allergies_other", value: circle.allergies_other || "" })),
        checkboxGroup(t("circle.diets"), "dietary_preferences", DIETS.map((v) => [v, t(`diet.${v}`)]), circle.dietary_preferences || []),
        field(t("circle.likes"), h("textarea", { name: "likes", rows: "3" }, circle.likes || "")),
        field(t("circle.dislikes"), h("textarea", { name: "dislikes", rows: "3" }, circle.dislikes || "")),
      ],
    },
    {
      key: "dropoff",
      title: t("circle.step_dropoff"),
      nodes: [
        field(t("circle.dropoff"), h("textarea", { name: "dropoff_instructions", rows: "3" }, circle.dropoff_instructions || ""), { hint: t("circle.dropoff_hint") }),
        h("div", { class: "row" },
          field(t("circle.window_start"), h("input", { type: "time", name: "delivery_window_start", value: hhmm(circle.delivery_window_start) })),
          field(t("circle.window_end"), h("input", { type: "time", name: "delivery_window_end", value: hhmm(circle.delivery_window_end) }))),
        field(t("circle.pets"), h("input", { type: "text", name: "pets", value: circle.pets || "" })),
        field(t("circle.visitors"), h("textarea", { name: "visitor_policy", rows: "2" }, circle.visitor_policy || ""), { hint: t("circle.visitors_hint") }),
      ],
    },
    {
      key: "address",
      title: t("circle.step_address"),
      nodes: [
        h("p", { class: "note" }, t("circle.address_privacy")),
        field(t("circle.address"), h("textarea", { name: "address", rows: "2", autocomplete: "street-address" }, circle.address || "")),
        field(t("circle.phone"), h("input", { type: "tel", name: "phone", value: circle.phone || "", autocomplete: "tel" })),
      ],
    },
  ];
}

function profileBody(form, { withName = true } = {}) {
  const data = new FormData(form);
  const text = (name) => (data.get(name) ?? "").toString().trim();
  const time = (name) => text(name) || null;
  const body = {
    adults: Number(text("adults") || 0),
    children: collectChildren(form),
    time_zone: text("time_zone"),
    allergies: checkedValues(form, "allergies"),
    allergies_other: text("allergies_other"),
    dietary_preferences: checkedValues(form, "dietary_preferences"),
    likes: text("likes"),
    dislikes: text("dislikes"),
    dropoff_instructions: text("dropoff_instructions"),
    delivery_window_start: time("delivery_window_start"),
    delivery_window_end: time("delivery_window_end"),
    pets: text("pets"),
    visitor_policy: text("visitor_policy"),
    address: text("address"),
    phone: text("phone"),
  };
  if (withName) body.name = text("name");
  return body;
}

export async function circlesView() {
  const { body } = page(t("circles.title"));
  await load(body, () => getAll("circles/"), (circles) => {
    const start = link(t("circles.start"), "#/circles/new", "primary");
    if (!circles.length) return empty(t("circles.empty"), start);
    return h("div", { class: "stack" },
      h("ul", { class: "list" }, circles.map((circle) => h("li", { class: "card" },
        h("h2", { class: "h3" }, h("a", { href: circle.my_role === "coordinator" ? `#/circles/${circle.id}` : `#/requests?circle=${circle.id}` }, circle.name)),
        h("p", { class: "meta" },
          h("span", { class: "tag" }, t(`role.${circle.my_role}`)), " ",
          circle.status !== "active" ? h("span", { class: "tag muted" }, t(`circle.status.${circle.status}`)) : null)))),
      start);
  }, t("circles.loading"));
}

export async function circleNewView() {
  const { body } = page(t("circle.new_title"), { lead: t("circle.new_lead") });
  const sections = profileSections({}, { withName: true });
  const steps = h("ol", { class: "steps" }, sections.map((s, i) => h("li", { "aria-current": i === 0 ? "step" : null }, `${i + 1}. ${s.title}`)));
  const groups = sections.map((s, i) => h("fieldset", { class: "stack step", hidden: i !== 0, dataset: { step: s.key } },
    h("legend", { class: "visually-hidden" }, s.title), h("h2", { tabindex: "-1" }, s.title), s.nodes));
  const back = button(t("action.back"), () => show(current - 1), "secondary");
  const next = button(t("action.next"), () => {
    // Check what the browser can check (the name) before moving on.
    const invalid = groups[current].querySelector(":invalid");
    if (invalid) {
      invalid.reportValidity();
      invalid.focus();
      return;
    }
    show(current + 1);
  }, "primary");
  const submit = h("button", { type: "submit", class: "button primary" }, t("circle.create"));
  const nav = h("div", { class: "actions" }, back, next, submit);
  const form = h("form", { class: "stack", novalidate: true }, steps, groups, nav);
  let current = 0;

  function show(index) {
    current = Math.max(0, Math.min(index, groups.length - 1));
    groups.forEach((group, i) => { group.hidden = i !== current; });
    [...steps.children].forEach((li, i) => li.setAttribute("aria-current", i === current ? "step" : "false"));
    back.hidden = current === 0;
    next.hidden = current === groups.length - 1;
    submit.hidden = current !== groups.length - 1;
    groups[current].querySelector("h2").focus();
  }
  back.hidden = true;
  submit.hidden = true;
  // Enter in a field on an early step means "next", not "create the circle half-filled".
  form.addEventListener("submit", (event) => {
    if (current < groups.length - 1) {
      event.preventDefault();
      event.stopImmediatePropagation();
      next.click();
    }
  });

  handleSubmit(form, async () => {
    try {
      const circle = await api.post("circles/", profileBody(form, { withName: true }));
      toast(t("circle.created"));
      go(`/circles/${circle.id}`);
    } catch (error) {
      // Show the step holding the first field the server complained about.
      const name = Object.keys(error.fields || {})[0];
      const input = name && form.querySelector(`[name="${CSS.escape(name.split(/[.[]/)[0])}"]`);
      const group = input && input.closest("fieldset.step");
      if (group) show(groups.indexOf(group));
      throw error;
    }
  }, { busyText: t("circle.creating") });
  body.append(form);
}

export async function circleEditView({ id }) {
  const { body, heading } = page(t("circle.edit_title"));
  await load(body, () => api.get(`circles/${id}/`), (circle) => {
    heading.textContent = t("circle.edit_title_named", { name: circle.name });
    const sections = profileSections(circle, { withName: true });
    const form = h("form", { class: "stack", novalidate: true },
      sections.map((s) => h("section", { class: "stack" }, h("h2", {}, s.title), s.nodes)),
      h("button", { type: "submit", class: "button primary" }, t("action.save")));
    return handleSubmit(form, async () => {
      await api.patch(`circles/${id}/`, profileBody(form, { withName: true }));
      toast(t("settings.saved"));
      go(`/circles/${id}`);
    });
  });
}

function membersSection(circle) {
  const box = h("div");
  const section = h("section", {}, h("h2", {}, t("members.title")), box);
  const refresh = () => load(box, async () => {
    const [members, approvals] = await Promise.all([
      getAll(`circles/${circle.id}/members/`),
      getAll(`circles/${circle.id}/childcare-approvals/`).catch(() => []),
    ]);
    return { members, trusted: new Set(approvals.map((a) => a.person_id)) };
  }, ({ members, trusted }) => {
    const pending = members.filter((m) => m.status === "pending");
    const active = members.filter((m) => m.status === "active");
    const status = h("div", { role: "status" });
    const act = async (work, done) => {
      clear(status);
      try {
        await work();
        toast(done);
        refresh();
      } catch (error) { status.append(errorBox(error)); }
    };
    return h("div", { class: "stack" },
      pending.length ? h("div", { class: "card warn stack" }, h("h3", {}, t("members.pending", { count: pending.length })),
        h("ul", { class: "list" }, pending.map((m) => h("li", { class: "row" }, h("span", {}, m.name, " (", m.email, ")"),
          button(t("members.approve", { name: m.name }), () => act(
            () => api.patch(`circles/${circle.id}/members/${m.person_id}/`, { status: "active" }),
            t("members.approved", { name: m.name })), "primary"))))) : null,
      status,
      active.length ? h("ul", { class: "list" }, active.map((m) => h("li", { class: "card" },
        h("p", {}, h("strong", {}, m.name), " ", h("span", { class: "tag muted" }, t(`role.${m.role}`)),
          trusted.has(m.person_id) ? [" ", h("span", { class: "tag ok" }, t("members.childcare_ok"))] : null),
        m.role === "volunteer" ? h("div", { class: "actions" }, trusted.has(m.person_id)
          ? button(t("members.childcare_revoke", { name: m.name }), () => act(
            () => api.del(`circles/${circle.id}/childcare-approvals/${m.person_id}/`), t("members.childcare_revoked", { name: m.name })), "secondary")
          : button(t("members.childcare_grant", { name: m.name }), () => act(
            () => api.post(`circles/${circle.id}/childcare-approvals/`, { person: m.person_id }), t("members.childcare_granted", { name: m.name })), "secondary"))
          : null)))
        : empty(t("members.empty"), link(t("invite.title"), `#/circles/${circle.id}/invite`, "primary")),
      h("p", { class: "hint" }, t("members.childcare_hint")));
  });
  refresh();
  return section;
}

// The family can always see who was shown their address or phone, and when.
function addressReadsSection(circle) {
  const box = h("div");
  load(box, () => getAll(`circles/${circle.id}/address-reads/`, {}, 1), (reads) => {
    if (!reads.length) return h("p", {}, t("reads.none"));
    return h("ul", { class: "list" }, reads.slice(0, 20).map((r) => h("li", {}, t("reads.line", { name: r.name, when: formatDateTime(r.read_at, circle.time_zone) }))));
  });
  return h("section", {}, h("h2", {}, t("reads.title")), box);
}

// Coordinators only (circleView sends volunteers elsewhere before this is built).
function familyDataSection(circle) {
  return h("section", {},
    h("h2", {}, t("circle.data_title")),
    h("p", {}, t("circle.data_lead")),
    h("div", { class: "actions" },
      link(t("audit.link"), `#/circles/${circle.id}/activity`, "secondary"),
      link(t("data.link"), `#/circles/${circle.id}/data`, "secondary")));
}

export async function circleView({ id }) {
  const { body, heading } = page(t("circle.title"));
  await load(body, () => api.get(`circles/${id}/`), async (circle) => {
    heading.textContent = circle.name;
    document.title = `${circle.name} · ${t("app.name")}`;
    if (circle.my_role !== "coordinator") {
      go(`/requests?circle=${id}`);
      return null;
    }
    const status = h("div", { role: "status" });
    const paused = circle.status === "paused";
    const pause = button(paused ? t("circle.resume") : t("circle.pause"), async () => {
      clear(status);
      try {
        await api.post(`circles/${id}/${paused ? "resume" : "pause"}/`);
        toast(paused ? t("circle.resumed") : t("circle.paused"));
        circleView({ id });
      } catch (error) { status.append(errorBox(error)); }
    }, paused ? "primary" : "secondary");
    const parts = [
      paused ? h("p", { class: "note" }, t("circle.paused_note")) : null,
      allergyAlert(circle),
      h("div", { class: "actions" },
        capabilities.practical ? link(t("request.new"), `#/circles/${id}/requests/new`, "primary") : null,
        link(t("invite.title"), `#/circles/${id}/invite`, "primary"),
        link(t("circle.edit"), `#/circles/${id}/edit`, "secondary"),
        pause),
      status,
    ];
    if (capabilities.practical) {
      const { slotsCalendar } = await import("./requests.js");
      parts.push(slotsCalendar(circle));
    }
    parts.push(membersSection(circle), addressReadsSection(circle), familyDataSection(circle));
    return h("div", { class: "stack" }, parts);
  }, t("circle.loading"));
}

export async function inviteView({ id }) {
  const { body, heading } = page(t("invite.title"));
  await load(body, () => api.get(`circles/${id}/`), (circle) => {
    heading.textContent = t("invite.title_named", { name: circle.name });
    const result = h("div", { class: "stack", "aria-live": "polite" });
    const approval = h("label", { class: "check" }, h("input", { type: "checkbox", name: "requires_approval" }), h("span", {}, t("invite.approval")));

    async function create(email) {
      const body = {
        target_kind: "circle", target_id: Number(id), role: "volunteer",
        requires_approval: approval.querySelector("input").checked,
      };
      // A link anyone may use has no e-mail at all (the API refuses an empty one).
      if (email) body.email = email;
      const invitation = await api.post("invitations/", body);
      return invitation;
    }

    const linkForm = h("form", { class: "stack", novalidate: true },
      h("h2", {}, t("invite.by_link")), h("p", {}, t("invite.by_link_lead")), approval,
      h("button", { type: "submit", class: "button primary" }, t("invite.make_link")));
    handleSubmit(linkForm, async () => {
      const invitation = await create("");
      clear(result);
      const urlInput = h("input", { type: "url", readonly: true, value: invitation.join_url, id: "invite-url" });
      const shareText = t("invite.share_text", { name: circle.name });
      result.append(h("div", { class: "card success stack" },
        h("div", { class: "field" }, h("label", { for: "invite-url" }, t("invite.link")), urlInput),
        h("div", { class: "actions" },
          button(t("invite.copy"), async () => {
            try { await navigator.clipboard.writeText(invitation.join_url); toast(t("invite.copied")); } catch { urlInput.select(); }
          }, "primary"),
          navigator.share ? button(t("invite.share"), () => navigator.share({ title: t("app.name"), text: shareText, url: invitation.join_url }).catch(() => {}), "secondary") : null,
          h("a", { class: "button secondary", href: `sms:?&body=${encodeURIComponent(`${shareText} ${invitation.join_url}`)}` }, t("invite.sms"))),
        h("p", { class: "hint" }, t("invite.expires"))));
      result.querySelector("input").focus();
    }, { busyText: t("invite.making") });

    const emailForm = h("form", { class: "stack", novalidate: true },
      h("h2", {}, t("invite.by_email")),
      field(t("auth.email"), h("input", { type: "email", name: "email", autocomplete: "off", inputmode: "email" }), { required: true }),
      h("button", { type: "submit", class: "button secondary" }, t("invite.send")));
    handleSubmit(emailForm, async (data) => {
      const email = data.get("email").trim();
      await create(email);
      emailForm.reset();
      toast(t("invite.sent", { email }));
    });
    return h("div", { class: "stack" }, linkForm, result, emailForm, link(t("action.back"), `#/circles/${id}`));
  });
}
