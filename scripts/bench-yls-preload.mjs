// Loaded into yaml-language-server by `npm run bench` (node --import): removes its 200 ms
// validation debounce, so its figures are the time it takes to validate, not the time it waits.
// The settings object assigns the delay in its constructor; an accessor on the prototype takes
// that assignment and always answers 0.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

// beside its entry point: out/server/src in 1.x (CommonJS, shared with the server through
// require's cache), out/src in 2.x (which needs Node >= 22.13)
const require = createRequire(import.meta.url);
const root = dirname(require.resolve("yaml-language-server/package.json"));
const { main } = require("yaml-language-server/package.json");
const { SettingsState } = await import(pathToFileURL(join(root, dirname(main), "yamlSettings.js")).href);
if (!SettingsState) throw new Error("yaml-language-server's SettingsState was not found: the bench's preload needs updating");
Object.defineProperty(SettingsState.prototype, "validationDelayMs", {
  configurable: true,
  get: () => 0,
  set: () => undefined,
});
