// The route table: [pattern, view, options]. `auth: true` sends a logged-out person to log in
// first and brings them back.
import { capabilities } from "./capabilities.js";
import { forgotView, homeView, loginView, logoutView, resetView, signupView } from "./views/auth.js";
import { circleEditView, circleNewView, circlesView, circleView, inviteView } from "./views/circles.js";
import { commitmentsView } from "./views/commitments.js";
import { dashboardView } from "./views/dashboard.js";
import { overviewView } from "./views/overview.js";
import { activityView, dataView } from "./views/privacy.js";
import { inboxView } from "./views/inbox.js";
import { joinView } from "./views/join.js";
import { requestNewView, requestsView, requestView } from "./views/requests.js";
import { rosterView } from "./views/rosters.js";
import { settingsView } from "./views/settings.js";

const auth = { auth: true };

export const routes = [
  ["/", homeView],
  ["/login", loginView],
  ["/signup", signupView],
  ["/forgot", forgotView],
  ["/reset/:uid/:token", resetView],
  ["/logout", logoutView, auth],
  ["/join/:token", joinView],
  ["/requests", requestsView, auth],
  ["/requests/:id", requestView, auth],
  ["/commitments", commitmentsView, auth],
  ["/circles", circlesView, auth],
  ["/circles/new", circleNewView, auth],
  ["/circles/:id", circleView, auth],
  ["/circles/:id/edit", circleEditView, auth],
  ["/circles/:id/invite", inviteView, auth],
  ["/circles/:id/activity", activityView, auth],
  ["/circles/:id/data", dataView, auth],
  ["/circles/:id/requests/new", requestNewView, auth],
  ["/dashboard", overviewView, auth],
  ["/rosters/:id", rosterView, auth],
  ...(capabilities.rosters ? [["/rosters/:id/dashboard", dashboardView, auth]] : []),
  ["/settings", settingsView, auth],
  ...(capabilities.notifications ? [["/inbox", inboxView, auth]] : []),
];
