// Every request about a document: answered here, or by the background thread for a file it
// hosts (and, for a deployment file that a hosted topology binds, where its drift is known).
import type { CancellationToken } from "vscode-languageserver";
import { answer, DRIFT_AWARE, OFF_THREAD, REQUEST_METHODS, uriOf } from "../requests";
import type { Session } from "./session";

export function registerRequests(s: Session): void {
  const { service } = s;
  for (const method of REQUEST_METHODS)
    s.connection.onRequest(method, (p: unknown, token: CancellationToken) =>
      s.guard(method.replace(/^.*\//, ""), (q: unknown) => {
        const uri = uriOf(q);
        const { background } = s;
        if (
          background &&
          (service.isHosted(uri) || OFF_THREAD.has(method) || (DRIFT_AWARE.has(method) && service.hasContributedDrift(uri)))
        )
          return background.request(method, q, token);
        return answer(service, method, q, token);
      })(p),
    );
}
