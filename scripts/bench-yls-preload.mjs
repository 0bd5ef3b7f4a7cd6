// Loaded into yaml-language-server by `npm run bench` (node --import): removes its 200 ms
// validation debounce, so its figures are the time it takes to validate, not the time it waits.
// The settings object assigns the delay in its constructor; an accessor on the prototype takes
// that assignment and always answers 0.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const root = dirname(createRequire(import.meta.url).resolve("yaml-language-server/package.json"));
const { SettingsState } = await import(pathToFileURL(join(root, "out/src/yamlSettings.js")).href);
Object.defineProperty(SettingsState.prototype, "validationDelayMs", {
  configurable: true,
  get: () => 0,
  set: () => undefined,
});
