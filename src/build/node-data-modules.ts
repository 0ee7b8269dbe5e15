/**
 * `node --import brrtrouter-edge/node-data-modules script.js`: lets a plain Node process import a
 * generated module (`spec.js` imports `operations.txt`, `document.bin`, ...), which Node alone
 * refuses ("Unknown file extension .txt"). Registers node-data-modules-hooks (Node ≥ 20.6).
 */
import { register } from "node:module";

// Runs as dist/build/node-data-modules.js (Node 20 cannot run the TypeScript source, and the
// hooks run on Node's loader thread, where a TypeScript loader of the main thread is not active);
// the hooks are bundled beside it. From a checkout: `--import ./dist/build/node-data-modules.js`.
register(new URL("./node-data-modules-hooks.js", import.meta.url));
