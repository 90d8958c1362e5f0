// An invite link: see who is inviting you to what, sign up or log in right here, join, and
// land on what you can help with. The target of the whole app: under a minute, no help needed.
import { api } from "../api.js";
import { t } from "../i18n.js";
import { go } from "../nav.js";
import { session } from "../session.js";
import { clear, errorBox, h, load, page } from "../ui.js";
import { loginForm, signupForm } from "./auth.js";

function describe(preview) {
  const target = preview.target || {};
  return {
    kind: preview.target_kind || target.kind || "circle",
    name: preview.target_name || target.name || preview.name || "",
    inviter: preview.invited_by_name || (preview.invited_by && (preview.invited_by.name || preview.invited_by)) || "",
    approval: Boolean(preview.requires_approval),
    email: preview.email || "",
  };
}

// Where a new member lands: a circle's open requests, or the list of what needs doing.
export function landingFor(result, info) {
  const kind = (result && result.target_kind) || info.kind;
  const id = (result && (result.target_id || (result.target && result.target.id))) || null;
  if (kind === "circle" && id) return `/requests?circle=${id}`;
  if (kind === "roster" && id) return `/rosters/${id}`;
  return "/requests";
}

export async function joinView({ token }) {
  const { body } = page(t("join.title"));
  const preview = async () => {
    try {
      return await api.get(`invitations/${encodeURIComponent(token)}/`);
    } catch (error) {
      // Expired, revoked, used up or mistyped: say what to do rather than "not found".
      if (error.status === 404 || error.status === 410) {
        error.code = "invite_broken";
        error.message = t("join.broken");
      }
      throw error;
    }
  };
  await load(body, preview, (preview) => {
    const info = describe(preview);
    const heading = document.querySelector("#main h1");
    heading.textContent = info.name ? t(`join.title_${info.kind}`, { name: info.name }) : t("join.title");
    const intro = h("div", { class: "card invite" },
      info.inviter ? h("p", {}, t("join.invited_by", { name: info.inviter })) : null,
      h("p", {}, t(`join.what_${info.kind}`)),
      info.approval ? h("p", { class: "note" }, t("join.needs_approval")) : null);
    const action = h("div", { class: "stack" });

    async function accept() {
      const result = await api.post(`invitations/${encodeURIComponent(token)}/accept/`);
      await session.refresh();
      const status = (result && (result.status || (result.membership && result.membership.status))) || "active";
      if (status === "pending") {
        clear(action);
        action.append(h("div", { class: "card success", role: "status" },
          h("p", {}, t("join.pending")),
          h("a", { href: "#/requests", class: "button secondary" }, t("join.pending_next"))));
        return;
      }
      go(landingFor(result, info));
    }

    function showAccept(initialError) {
      clear(action);
      const button = h("button", { type: "button", class: "button primary big" }, t("join.accept", { name: info.name || "" }));
      const status = h("div", { role: "alert" });
      button.addEventListener("click", async () => {
        button.disabled = true;
        button.textContent = t("state.joining");
        clear(status);
        try {
          await accept();
        } catch (error) {
          status.append(errorBox(error));
          button.disabled = false;
          button.textContent = t("join.accept", { name: info.name || "" });
        }
      });
      if (initialError) status.append(errorBox(initialError));
      action.append(h("p", {}, t("join.logged_in_as", { name: session.me.name || session.me.email })), button, status);
    }

    function showAuth(mode) {
      clear(action);
      const tabs = h("div", { class: "segmented", role: "group", "aria-label": t("join.choose") },
        h("button", { type: "button", class: "button secondary", "aria-pressed": String(mode === "signup"), onclick: () => showAuth("signup") }, t("join.new_here")),
        h("button", { type: "button", class: "button secondary", "aria-pressed": String(mode === "login"), onclick: () => showAuth("login") }, t("join.have_account")));
      const heading = h("h2", { tabindex: "-1" }, mode === "signup" ? t("join.signup_heading") : t("join.login_heading"));
      // Once the account exists, a failed join must not leave the sign-up form on screen.
      const joinNow = () => accept().catch((error) => showAccept(error));
      const form = mode === "signup"
        ? signupForm({ email: info.email, onDone: joinNow })
        : loginForm({ email: info.email, onDone: joinNow });
      action.append(tabs, heading, form);
    }

    if (session.me) showAccept();
    else showAuth("signup");
    return h("div", { class: "stack" }, intro, action);
  }, t("join.loading"));
}
