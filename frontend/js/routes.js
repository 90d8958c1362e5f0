// The route table: [pattern, view, options]. `auth: true` sends a logged-out person to log in
// first and brings them back.
import { homeView, loginView, logoutView, signupView } from "./views/auth.js";
import { joinView } from "./views/join.js";

export const routes = [
  ["/", homeView],
  ["/login", loginView],
  ["/signup", signupView],
  ["/logout", logoutView, { auth: true }],
  ["/join/:token", joinView],
];
