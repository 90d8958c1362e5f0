// Small DOM helpers and the shared states every screen uses: loading, empty, error.
// Text always goes in through textContent (h() children), never innerHTML, so nothing a
// person typed can become markup.
import { t, has } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const svg = ["svg", "rect", "text", "g", "line", "title", "desc", "path", "circle"].includes(tag);
  const node = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.setAttribute("class", value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

// The server's message is written for a person; a known code gets our translation instead.
export function errorMessage(error) {
  if (!error) return t("error.generic");
  if (error.status === 0) return t("error.network");
  if (error.code && has(`error.${error.code}`) && (document.documentElement.lang !== "en" || !error.message)) {
    return t(`error.${error.code}`);
  }
  if (error.message) return error.message;
  if (error.status === 404) return t("error.not_found");
  if (error.status >= 500) return t("error.server");
  return t("error.generic");
}

export function loading(text) {
  return h("p", { class: "status loading", role: "status", "aria-busy": "true" }, h("span", { class: "spinner", "aria-hidden": "true" }), text || t("state.loading"));
}

export function empty(text, action) {
  return h("div", { class: "empty" }, h("p", {}, text), action || null);
}

export function errorBox(error, retry) {
  return h("div", { class: "error-box", role: "alert" },
    h("p", {}, errorMessage(error)),
    retry ? h("button", { type: "button", class: "button secondary", onclick: retry }, t("action.retry")) : null);
}

// Puts a page in <main>: an h1 that takes focus (so screen readers announce the new page)
// and a body that starts out "loading".
export function page(title, { lead } = {}) {
  const main = document.getElementById("main");
  clear(main);
  const heading = h("h1", { tabindex: "-1" }, title);
  const body = h("div", { class: "page-body" });
  main.append(heading);
  if (lead) main.append(h("p", { class: "lead" }, lead));
  main.append(body);
  main.setAttribute("aria-busy", "false");
  document.title = `${title} · ${t("app.name")}`;
  return { main, heading, body };
}

// Runs a loader with visible progress, replaces it with what render() builds, and on failure
// shows the error with a "try again" button.
export async function load(container, loader, render, loadingText) {
  clear(container);
  container.setAttribute("aria-busy", "true");
  container.append(loading(loadingText));
  try {
    const data = await loader();
    clear(container);
    const built = await render(data);
    if (built) append(container, [built]);
  } catch (error) {
    if (window.console && !(error && "status" in error)) console.error(error);
    clear(container);
    // "Try again" only helps when the network or the server failed, not when the answer was no.
    const transient = !error || !("status" in error) || error.status === 0 || error.status >= 500;
    container.append(errorBox(error, transient ? () => load(container, loader, render, loadingText) : null));
    if (!transient) container.append(h("p", {}, h("a", { href: "#/", class: "button secondary" }, t("notfound.home"))));
  } finally {
    container.setAttribute("aria-busy", "false");
  }
}

let toastTimer = null;
export function toast(message) {
  const node = document.getElementById("toast");
  node.textContent = message;
  node.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => node.classList.remove("show"), 5000);
}

// A field: label, input, hint and an error slot tied together with aria-describedby.
let fieldCount = 0;
export function field(label, input, { hint, required } = {}) {
  fieldCount += 1;
  const id = input.id || `f${fieldCount}`;
  input.id = id;
  if (required) input.required = true;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, errorId].filter(Boolean).join(" ");
  input.setAttribute("aria-describedby", describedBy);
  return h("div", { class: "field", dataset: { field: input.name || "" } },
    h("label", { for: id }, label, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    input,
    h("p", { class: "field-error", id: errorId }));
}

export function checkboxGroup(legend, name, options, selected = [], { hint, danger = [] } = {}) {
  return h("fieldset", { class: "checks" },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint" }, hint) : null,
    h("div", { class: "check-grid" }, options.map(([value, label]) =>
      h("label", { class: danger.includes(value) ? "check danger" : "check" },
        h("input", { type: "checkbox", name, value, checked: selected.includes(value) }),
        h("span", {}, label),
        danger.includes(value) ? h("span", { class: "tag danger" }, t("allergy.household")) : null))),
    h("p", { class: "field-error" }));
}

// An error found before anything is sent, shaped like the server's so forms show it the same way.
export function formError(message, fields = {}) {
  return { status: 400, code: "invalid", message, fields };
}

export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
}

// Submits a form without ever losing what was typed: the inputs stay as they are, the
// server's message goes on top and next to each field it names, and the button says it is busy.
export function handleSubmit(form, submit, { busyText } = {}) {
  const status = h("div", { class: "form-status", role: "alert" });
  form.prepend(status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    const label = button ? button.textContent : "";
    clear(status);
    for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
    for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    if (button) {
      button.disabled = true;
      button.textContent = busyText || t("state.saving");
    }
    form.setAttribute("aria-busy", "true");
    try {
      await submit(new FormData(form));
    } catch (error) {
      if (window.console && !(error && "status" in error)) console.error(error);
      status.append(h("p", { class: "error-box" }, errorMessage(error)));
      let firstInvalid = null;
      for (const [name, problems] of Object.entries((error && error.fields) || {})) {
        const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
        if (!input) continue;
        input.setAttribute("aria-invalid", "true");
        const holder = input.closest("fieldset.checks") || input.closest(".field");
        const slot = holder && holder.querySelector(".field-error");
        if (slot) slot.textContent = problems.join(" ");
        firstInvalid = firstInvalid || input;
      }
      (firstInvalid || status).focus?.();
      if (!firstInvalid) {
        status.setAttribute("tabindex", "-1");
        status.focus();
      }
    } finally {
      form.setAttribute("aria-busy", "false");
      if (button && button.isConnected) {
        button.disabled = false;
        button.textContent = label;
      }
    }
  });
  return form;
}

// Line icons drawn here rather than emoji: every phone shows them the same, and they take the
// text colour. Decorative only (aria-hidden); the kind is always also written out.
const ICONS = {
  meal: ["M3 11h18a9 9 0 0 1-18 0z", "M8 7c0-1.5 1-1.5 1-3", "M12 7c0-1.5 1-1.5 1-3", "M16 7c0-1.5 1-1.5 1-3"],
  laundry: ["M4 9h16l-2 11H6z", "M8 9a4 4 0 0 1 8 0", "M9 13v4", "M15 13v4"],
  childcare: ["M12 3a3 3 0 1 1 0 6a3 3 0 1 1 0-6z", "M6 21v-5a6 6 0 0 1 12 0v5", "M9 21v-3", "M15 21v-3"],
  errand: ["M5 8h14l-1 13H6z", "M9 8V6a3 3 0 0 1 6 0v2"],
  visit: ["M4 9h12v5a5 5 0 0 1-5 5H9a5 5 0 0 1-5-5z", "M16 10h2a2 2 0 0 1 0 5h-2", "M8 3v3", "M12 3v3"],
  ride: ["M3 16v-4l2-5h14l2 5v4z", "M3 12h18", "M7 19a2 2 0 1 0 0-.1", "M17 19a2 2 0 1 0 0-.1"],
  other: ["M12 20s-7-4.5-7-10a4 4 0 0 1 7-2.5A4 4 0 0 1 19 10c0 5.5-7 10-7 10z"],
};

export function kindIcon(kind) {
  const paths = ICONS[kind] || ICONS.other;
  return h("span", { class: "kind-icon", "aria-hidden": "true" },
    h("svg", { viewBox: "0 0 24 24", width: "28", height: "28", fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round", focusable: "false" },
      paths.map((d) => h("path", { d }))));
}

export function button(text, onclick, kind = "primary") {
  return h("button", { type: "button", class: `button ${kind}`, onclick }, text);
}

export function link(text, href, kind) {
  return h("a", { href, class: kind ? `button ${kind}` : null }, text);
}
