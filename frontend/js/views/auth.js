// Log in and sign up. Both keep `next` so an invite or claim link survives the detour.
import { api, items } from "../api.js";
import { lang, t } from "../i18n.js";
import { go, safeNext } from "../nav.js";
import { session } from "../session.js";
import { field, h, handleSubmit, page } from "../ui.js";

function deviceTimeZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined; } catch { return undefined; }
}

export function loginForm({ onDone, email = "" } = {}) {
  const form = h("form", { class: "stack", novalidate: true },
    field(t("auth.email"), h("input", { type: "email", name: "email", autocomplete: "email", inputmode: "email", value: email }), { required: true }),
    field(t("auth.password"), h("input", { type: "password", name: "password", autocomplete: "current-password" }), { required: true }),
    h("button", { type: "submit", class: "button primary" }, t("auth.login")));
  return handleSubmit(form, async (data) => {
    await api.post("auth/login/", { email: data.get("email").trim(), password: data.get("password") });
    api.forgetCsrf();
    await session.loggedIn();
    await onDone();
  }, { busyText: t("auth.logging_in") });
}

export function signupForm({ onDone, email = "" } = {}) {
  const form = h("form", { class: "stack", novalidate: true },
    field(t("auth.name"), h("input", { type: "text", name: "name", autocomplete: "name" }), { required: true, hint: t("auth.name_hint") }),
    field(t("auth.email"), h("input", { type: "email", name: "email", autocomplete: "email", inputmode: "email", value: email }), { required: true }),
    field(t("auth.password"), h("input", { type: "password", name: "password", autocomplete: "new-password", minlength: "8" }), { required: true, hint: t("auth.password_hint") }),
    h("button", { type: "submit", class: "button primary" }, t("auth.signup")));
  return handleSubmit(form, async (data) => {
    await api.post("auth/signup/", {
      name: data.get("name").trim(),
      email: data.get("email").trim(),
      password: data.get("password"),
      language: lang(),
      time_zone: deviceTimeZone(),
    });
    api.forgetCsrf();
    await session.loggedIn();
    if (!session.me) {
      // Sign-up may create the account without starting a session: log in with what was typed.
      await api.post("auth/login/", { email: data.get("email").trim(), password: data.get("password") });
      api.forgetCsrf();
      await session.loggedIn();
    }
    await onDone();
  }, { busyText: t("auth.signing_up") });
}

export async function loginView({ query }) {
  const next = safeNext(query.get("next"));
  if (session.me) return go(next);
  const { body } = page(t("auth.login_title"), { lead: t("auth.login_lead") });
  body.append(
    loginForm({ onDone: () => go(next) }),
    h("p", { class: "switch" }, t("auth.no_account"), " ", h("a", { href: `#/signup?next=${encodeURIComponent(next)}` }, t("auth.signup_link"))),
    h("p", { class: "switch" }, h("a", { href: "#/forgot" }, t("auth.forgot"))),
  );
}

export async function signupView({ query }) {
  const next = safeNext(query.get("next"));
  if (session.me) return go(next);
  const { body } = page(t("auth.signup_title"), { lead: t("auth.signup_lead") });
  body.append(
    signupForm({ onDone: () => go(next) }),
    h("p", { class: "switch" }, t("auth.have_account"), " ", h("a", { href: `#/login?next=${encodeURIComponent(next)}` }, t("auth.login_link"))),
  );
}

export async function logoutView() {
  await session.logout();
  go("/login");
}

// Where "home" is depends on who you are: a family with its one circle lands on it; anyone else
// who coordinates (an organisation, or several circles) on the dashboard of every gap they run;
// everyone else on what still needs doing.
export async function homeView() {
  if (!session.me) return go("/login");
  const [circles, organisations] = await Promise.all([
    api.get("circles/", { limit: 50 }).then(items).catch(() => []),
    api.get("organisations/", { limit: 50 }).then(items).catch(() => []),
  ]);
  const mine = circles.filter((c) => c.my_role === "coordinator" && c.status !== "closed");
  const runsOrganisation = organisations.some((o) => (o.my_role || o.role) === "coordinator" && (o.my_status || o.status) === "active");
  if (!runsOrganisation && mine.length === 1 && circles.length === 1) return go(`/circles/${mine[0].id}`);
  if (runsOrganisation || mine.length) return go("/dashboard");
  return go("/requests");
}

export async function forgotView() {
  const { body } = page(t("auth.forgot_title"), { lead: t("auth.forgot_lead") });
  const done = h("div", { role: "status" });
  const form = h("form", { class: "stack", novalidate: true },
    field(t("auth.email"), h("input", { type: "email", name: "email", autocomplete: "email", inputmode: "email" }), { required: true }),
    h("button", { type: "submit", class: "button primary" }, t("auth.forgot_send")));
  handleSubmit(form, async (data) => {
    await api.post("auth/password-reset/", { email: data.get("email").trim() });
    done.append(h("p", { class: "card success" }, t("auth.forgot_sent")));
    form.remove();
  });
  body.append(form, done, h("p", {}, h("a", { href: "#/login" }, t("auth.login_link"))));
}

export async function resetView({ uid, token }) {
  const { body } = page(t("auth.reset_title"));
  const form = h("form", { class: "stack", novalidate: true },
    field(t("auth.new_password"), h("input", { type: "password", name: "new_password", autocomplete: "new-password" }), { required: true, hint: t("auth.password_hint") }),
    h("button", { type: "submit", class: "button primary" }, t("auth.reset_save")));
  handleSubmit(form, async (data) => {
    await api.post("auth/password-reset/confirm/", { uid, token, new_password: data.get("new_password") });
    form.replaceWith(h("div", { class: "card success", role: "status" }, h("p", {}, t("auth.reset_done")), h("a", { href: "#/login", class: "button primary" }, t("auth.login"))));
  });
  body.append(form);
}
