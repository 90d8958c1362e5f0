// "Put all my commitments in my own calendar": one private subscription link, with buttons
// for Google, Apple (webcal) and Outlook. The server shows the link only when it is issued or
// renewed, so a returning visitor gets a fresh one on request (the old one stops working).
import { api } from "../api.js";
import { t } from "../i18n.js";
import { button, clear, errorBox, h, loading, toast } from "../ui.js";

function subscribeButtons(urls) {
  const outlook = `https://outlook.live.com/calendar/0/addfromweb?url=${encodeURIComponent(urls.url)}&name=Village`;
  const copy = button(t("feeds.copy"), async () => {
    try {
      await navigator.clipboard.writeText(urls.url);
      toast(t("feeds.copied"));
    } catch {
      input.select();
    }
  }, "secondary");
  const input = h("input", { type: "url", readonly: true, value: urls.url, id: "feed-url", "aria-label": t("feeds.link") });
  return h("div", { class: "stack" },
    h("div", { class: "actions" },
      h("a", { class: "button primary", href: urls.google, target: "_blank", rel: "noopener" }, t("feeds.google")),
      h("a", { class: "button primary", href: urls.webcal }, t("feeds.apple")),
      h("a", { class: "button primary", href: outlook, target: "_blank", rel: "noopener" }, t("feeds.outlook"))),
    h("p", { class: "hint" }, t("feeds.private")),
    h("div", { class: "field" }, h("label", { for: "feed-url" }, t("feeds.link")), input), copy);
}

export function feedsCard(path = "me/feeds/") {
  const box = h("div", { class: "stack", "aria-live": "polite" });
  const card = h("section", { class: "card stack" }, h("h2", {}, t("feeds.title")), h("p", {}, t("feeds.lead")), box);

  async function run(action) {
    clear(box);
    box.append(loading(t("feeds.loading")));
    try {
      const feed = action === "rotate" ? await api.post(`${path}rotate/`) : await api.get(path);
      clear(box);
      if (feed.urls) box.append(subscribeButtons(feed.urls));
      else box.append(h("p", {}, t("feeds.already")), button(t("feeds.renew"), () => run("rotate"), "secondary"));
    } catch (error) {
      clear(box);
      box.append(errorBox(error, () => run(action)));
    }
  }
  box.append(button(t("feeds.show"), () => run("get"), "secondary"));
  return card;
}
