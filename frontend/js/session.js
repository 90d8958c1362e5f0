// Who is logged in. One GET me/ at start; views read session.me and call session.refresh()
// after logging in or out.
import { api } from "./api.js";

const listeners = new Set();
// The session cookie is HttpOnly, so the page cannot see it. This hint spares a first-time
// visitor (most people arriving from an invite link) a pointless 401 round trip.
const HINT = "village.session";

function hint(value) {
  try {
    if (value === undefined) return localStorage.getItem(HINT) === "1";
    if (value) localStorage.setItem(HINT, "1");
    else localStorage.removeItem(HINT);
  } catch { /* private mode: always ask the server */ }
  return true;
}

export const session = {
  me: null,
  unread: 0,
  error: null,
  async refresh({ force = false } = {}) {
    this.error = null;
    if (!force && !hint()) {
      this.me = null;
      this.changed();
      return null;
    }
    try {
      this.me = await api.get("me/");
      hint(true);
    } catch (error) {
      this.me = null;
      if (error.status === 401 || error.status === 403) hint(false);
      else this.error = error; // server down: don't forget the session, just say so
    }
    await this.refreshUnread();
    this.changed();
    return this.me;
  },
  // After a successful login or sign-up: the server has just set the session cookie.
  async loggedIn() {
    hint(true);
    return this.refresh({ force: true });
  },
  async refreshUnread() {
    if (!this.me) {
      this.unread = 0;
      return;
    }
    try {
      const data = await api.get("notifications/unread-count/");
      this.unread = (data && (data.count ?? data.unread ?? data.unread_count)) || 0;
    } catch {
      this.unread = 0;
    }
  },
  onChange(listener) {
    listeners.add(listener);
  },
  changed() {
    for (const listener of listeners) listener(this.me);
  },
  // The server no longer knows this session (expired, or logged out elsewhere).
  forget() {
    hint(false);
    this.me = null;
    this.unread = 0;
    this.changed();
  },
  async logout() {
    try { await api.post("auth/logout/"); } catch { /* already gone */ }
    api.forgetCsrf();
    hint(false);
    this.me = null;
    this.unread = 0;
    this.changed();
  },
};
