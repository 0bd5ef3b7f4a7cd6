// The background thread for large files: what it sends back, and what happens when it is gone.
import type { FromBackground } from "../background/messages";
import type { ServerHost, Session } from "./session";

export function startBackground(s: Session, create: NonNullable<ServerHost["background"]>, minChars: number): void {
  const { service } = s;
  const b = create({
    message: (m: FromBackground) => {
      if (m.t === "log") s.log(m.message);
      else if (m.t === "ready") s.log(`background thread ready: files of ${Math.round(minChars / 1024)} KB or more are analysed there`);
      else if (m.t === "contributions") s.publish(service.setContributions(m.uri, m.contributions));
      else if (m.t === "diagnostics" && s.documents.has(m.uri)) {
        if (m.json !== undefined) s.diagnostics.setHosted(m.uri, m.version, m.json);
        // pushed after a quiet moment like any other; a pulling client re-pulls an edited file by
        // itself and is asked to only when another file's change reached this one
        if (!s.pull || !m.edited) s.publish([m.uri]);
      }
    },
    gone: (reason) => {
      // analyse everything here from now on, rather than leave large files unanswered
      s.log(`${reason}; large files are analysed on the main thread from now on`);
      s.background = undefined;
      s.publish(service.setHostedMinChars(Number.POSITIVE_INFINITY));
    },
  });
  b.start({ warmUp: s.options.warmUp !== false, push: !s.pull });
  s.background = b;
  service.setHostedMinChars(minChars);
  s.mirror({ t: "settings", settings: service.getSettings() });
  s.mirror({ t: "roots", roots: s.workspaceRoots() });
}
