// Boot and hash routing (#/…), so the app works from any static host with no server rewrites.
import { api } from "./api.js";
import { lang, setLang, onLangChange, t, translateStatic } from "./i18n.js";
import { session } from "./session.js";
import { clear, h, page, empty, link } from "./ui.js";
import { routes } from "./routes.js";
import { go } from "./nav.js";
import { capabilities } from "./capabilities.js";

function match(path) {
  for (const [pattern, view, options = {}] of routes) {
    const names = [];
    const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, name) => { names.push(name); return "([^/]+)"; })}$`);
    const found = path.match(regex);
    if (found) {
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
      return { view, params, options };
    }
  }
  return null;
}

function currentPath() {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = hash.split("?");
  return { path, query: new URLSearchParams(query) };
}


function renderNav() {
  const nav = document.getElementById("nav");
  clear(nav);
  if (!session.me) {
    nav.hidden = true;
    return;
  }
  nav.hidden = false;
  const { path } = currentPath();
  const items = [
    ["#/requests", t("nav.requests")],
    ["#/commitments", t("nav.commitments")],
    ["#/circles", t("nav.circles")],
    capabilities.notifications ? ["#/inbox", t("nav.inbox")] : null,
    ["#/settings", t("nav.settings")],
  ];
  nav.append(h("ul", {}, items.filter(Boolean).map(([href, text]) => {
    const here = path === href.slice(1) || path.startsWith(`${href.slice(1)}/`);
    return h("li", {}, h("a", { href, "aria-current": here ? "page" : null }, text,
      href === "#/inbox" && session.unread ? h("span", { class: "badge" }, h("span", { class: "visually-hidden" }, " "), t("inbox.unread", { count: session.unread })) : null));
  })));
}

let renderCount = 0;
async function render() {
  renderCount += 1;
  const mine = renderCount;
  const { path, query } = currentPath();
  const found = match(path);
  renderNav();
  // Cheap, and keeps the "new" count honest as people move around (never blocks the page).
  if (session.me && renderCount > 1) session.refreshUnread().then(renderNav);
  if (!found) {
    const { body } = page(t("notfound.title"));
    body.append(empty(t("notfound.body"), link(t("notfound.home"), "#/", "primary")));
    focusHeading();
    return;
  }
  if (found.options.auth && !session.me) {
    // Come back here after logging in: an invite or a claim link must survive the detour.
    go(`/login?next=${encodeURIComponent(path)}`);
    return;
  }
  try {
    await found.view({ ...found.params, query, go, isCurrent: () => mine === renderCount });
  } catch (error) {
    console.error(error);
  }
  if (mine === renderCount) focusHeading();
}

function focusHeading() {
  const heading = document.querySelector("#main h1");
  // Moving focus to the new h1 tells screen-reader users the page changed, and keyboard users
  // start from the top of the new content rather than from the link they pressed.
  if (heading && !firstRender) heading.focus({ preventScroll: false });
  firstRender = false;
  window.scrollTo(0, 0);
}
let firstRender = true;

function updateLangButton() {
  const button = document.getElementById("lang-switch");
  const other = lang() === "en" ? "es" : "en";
  button.textContent = other === "es" ? "Español" : "English";
  button.lang = other;
  button.setAttribute("aria-label", other === "es" ? "Cambiar a español" : "Switch to English");
}

async function boot() {
  // The skip link's "#main" would otherwise be read as a route (the hash holds the page).
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    const main = document.getElementById("main");
    main.focus();
    main.scrollIntoView();
  });
  document.getElementById("lang-switch").addEventListener("click", () => {
    const next = lang() === "en" ? "es" : "en";
    setLang(next);
    if (session.me) api.patch("me/", { language: next }).catch(() => {});
  });
  onLangChange(() => {
    translateStatic();
    updateLangButton();
    render();
  });
  translateStatic();
  updateLangButton();
  await session.refresh();
  // A person's saved language wins over this device's guess, unless they chose here already.
  if (session.me && session.me.language && !localStorage.getItem("village.lang")) setLang(session.me.language, { remember: false });
  session.onChange(renderNav);
  window.addEventListener("hashchange", render);
  window.addEventListener("village:logged-out", () => {
    if (!session.me) return;
    session.forget();
    const { path } = currentPath();
    go(`/login?next=${encodeURIComponent(path)}`);
  });
  await render();
}

boot();
