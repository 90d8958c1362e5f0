// Swaps: a volunteer who can't make it offers their place and keeps it until someone takes it;
// the others see the offers beside what is open and take one in a tap. The place changes hands
// on the server in one step, so it is never free for a moment.
import { api, getAll } from "../api.js";
import { formatDay, formatRange, t } from "../i18n.js";
import { session } from "../session.js";
import { button, clear, errorBox, h, load, toast } from "../ui.js";
import { claimWithChoices } from "./claim.js";

// The buttons on my own commitment: offer it, or take the offer back.
export function swapActions(signup, { status, refresh }) {
  if (signup.status !== "confirmed" || signup.cancel_requested_at) return [];
  async function act(path, done) {
    clear(status);
    try {
      await api.post(path, {});
      toast(done);
      refresh();
    } catch (error) {
      status.append(errorBox(error));
    }
  }
  if (signup.open_swap) {
    return [button(t("swap.withdraw"), () => act(`swaps/${signup.open_swap}/withdraw/`, t("swap.withdrawn")), "secondary")];
  }
  return [button(t("swap.offer"), () => act(`signups/${signup.id}/swap/`, t("swap.offered")), "secondary")];
}

export function swapNote(signup) {
  if (!signup.open_swap || signup.status !== "confirmed") return null;
  return h("p", {}, h("span", { class: "tag warn" }, t("swap.on_offer")), " ", h("span", { class: "meta" }, t("swap.on_offer_hint")));
}

function offerCard(swap, roster, refresh) {
  const shift = swap.shift || {};
  const zone = swap.time_zone || roster.time_zone;
  const status = h("div", { role: "status" });
  const who = (swap.offered_by && swap.offered_by.name) || "";
  const take = h("button", { type: "button", class: "button primary" }, t("swap.take"));
  take.setAttribute("aria-label", `${t("swap.take")}: ${t("swap.take_named", { title: shift.title || "", name: who })}`);
  take.addEventListener("click", async () => {
    take.disabled = true;
    try {
      await claimWithChoices({
        post: (extra) => api.post(`swaps/${swap.id}/accept/`, extra),
        status,
        onDone: () => {
          toast(t("swap.taken"));
          refresh();
        },
      });
    } catch (error) {
      status.append(errorBox(error));
    } finally {
      if (take.isConnected) take.disabled = false;
    }
  });
  return h("li", { class: "card" },
    h("h3", {}, shift.title || t("slot.untitled")),
    h("p", { class: "meta" }, formatDay(shift.starts_at, zone), " · ",
      shift.is_flexible ? t("slot.any_time") : formatRange(shift.starts_at, shift.ends_at, zone), " · ", roster.name),
    shift.location ? h("p", { class: "meta" }, shift.location) : null,
    h("p", {}, t("swap.offered_by", { name: who })),
    h("div", { class: "actions" }, take),
    status);
}

// Open offers on the given rosters that I could take: not my own, not a shift I already hold.
// Shows nothing at all when there are none (it sits under the open requests, which have their
// own empty state).
export function swapBoard(rostersOrLoader) {
  const head = h("div", { class: "stack" });
  const box = h("div");
  const section = h("section", { class: "stack swap-board" }, head, box);
  const refresh = () => load(box, async () => {
    const rosters = typeof rostersOrLoader === "function" ? await rostersOrLoader() : rostersOrLoader;
    const [boards, mine] = await Promise.all([
      Promise.all(rosters.map((r) => getAll(`rosters/${r.id}/swaps/`, {}, 2).then((swaps) => swaps.map((swap) => ({ swap, roster: r }))))),
      getAll("me/commitments/"),
    ]);
    const held = new Set(mine.filter((s) => ["confirmed", "waitlisted", "offered"].includes(s.status)).map((s) => s.shift.id));
    const me = session.me ? session.me.id : null;
    return boards.flat()
      .filter(({ swap }) => !(swap.offered_by && swap.offered_by.id === me) && !held.has(swap.shift.id))
      .sort((a, b) => new Date(a.swap.shift.starts_at) - new Date(b.swap.shift.starts_at));
  }, (offers) => {
    clear(head);
    if (!offers.length) return null;
    head.append(h("h2", {}, t("swap.board_title", { count: offers.length })), h("p", {}, t("swap.board_lead")));
    return h("ul", { class: "list" }, offers.map(({ swap, roster }) => offerCard(swap, roster, refresh)));
  }, t("swap.loading"));
  refresh();
  return section;
}
