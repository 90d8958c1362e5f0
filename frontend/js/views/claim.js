// Claiming a place, for a circle's request or an organisation's shift. The server decides;
// this turns its two "not yet" answers into a choice: an overlap (claim anyway?) or a full
// slot (join the waitlist?).
import { api } from "../api.js";
import { t } from "../i18n.js";
import { button, clear, errorBox, h } from "../ui.js";

// post(extra) sends the claim with extra flags; returns the server's answer or throws.
export async function claimWithChoices({ post, status, onDone }) {
  clear(status);
  try {
    const result = await post({});
    return onDone(result);
  } catch (error) {
    if (error.code === "overlap") {
      status.append(h("div", { class: "card warn stack", role: "alert" },
        h("p", {}, error.message || t("claim.overlap")),
        h("div", { class: "actions" },
          button(t("claim.anyway"), async () => {
            clear(status);
            try { onDone(await post({ confirm_overlap: true })); } catch (again) { status.append(errorBox(again)); }
          }, "primary"),
          button(t("action.cancel"), () => clear(status), "secondary"))));
      return null;
    }
    if (error.code === "full") {
      status.append(h("div", { class: "card warn stack", role: "alert" },
        h("p", {}, error.message || t("claim.full")),
        h("div", { class: "actions" },
          button(t("claim.waitlist"), async () => {
            clear(status);
            try { onDone(await post({ join_waitlist: true })); } catch (again) { status.append(errorBox(again)); }
          }, "primary"))));
      return null;
    }
    throw error;
  }
}

export function claimShift(shiftId, extra) {
  return api.post(`shifts/${shiftId}/signups/`, extra);
}
