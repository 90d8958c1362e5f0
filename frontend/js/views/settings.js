// My settings: name, language (also sent to the server so e-mails match), time zone,
// notification preferences, password, log out.
import { api } from "../api.js";
import { lang, setLang, t } from "../i18n.js";
import { capabilities } from "../capabilities.js";
import { session } from "../session.js";
import { field, h, handleSubmit, page, toast } from "../ui.js";
import { preferencesSection } from "./inbox.js";

export async function settingsView() {
  const { body } = page(t("settings.title"));
  const me = session.me;
  const languageSelect = h("select", { name: "language" },
    h("option", { value: "en", lang: "en", selected: lang() === "en" }, "English"),
    h("option", { value: "es", lang: "es", selected: lang() === "es" }, "Español"));
  const profile = h("form", { class: "stack", novalidate: true },
    field(t("auth.name"), h("input", { type: "text", name: "name", autocomplete: "name", value: me.name || "" }), { required: true }),
    field(t("settings.language"), languageSelect),
    field(t("settings.time_zone"), h("input", { type: "text", name: "time_zone", value: me.time_zone || "", autocomplete: "off" }), { hint: t("settings.time_zone_hint") }),
    h("button", { type: "submit", class: "button primary" }, t("action.save")));
  handleSubmit(profile, async (data) => {
    const updated = await api.patch("me/", { name: data.get("name").trim(), language: data.get("language"), time_zone: data.get("time_zone").trim() });
    session.me = updated;
    toast(t("settings.saved"));
    setLang(data.get("language"));
  });

  const password = h("form", { class: "stack", novalidate: true },
    field(t("settings.current_password"), h("input", { type: "password", name: "current_password", autocomplete: "current-password" }), { required: true }),
    field(t("auth.new_password"), h("input", { type: "password", name: "new_password", autocomplete: "new-password" }), { required: true, hint: t("auth.password_hint") }),
    h("button", { type: "submit", class: "button secondary" }, t("settings.change_password")));
  handleSubmit(password, async (data) => {
    await api.post("me/password/", { current_password: data.get("current_password"), new_password: data.get("new_password") });
    password.reset();
    toast(t("settings.password_changed"));
  });

  body.append(h("div", { class: "stack" },
    h("section", {}, h("h2", {}, t("settings.profile")), profile),
    capabilities.notifications ? preferencesSection() : null,
    h("section", {}, h("h2", {}, t("settings.password")), password),
    h("section", {}, h("h2", {}, t("settings.session")), h("a", { href: "#/logout", class: "button danger" }, t("auth.logout")))));
}
