import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { dataModules } from "./src/build/vite-data-modules.ts";

/**
 * Three projects, by where the code under test runs:
 * - build:   the build step, in Node;
 * - runtime: the runtime, inside workerd through the Workers vitest pool (SELF / exports);
 * - e2e:     real `workerd serve` processes driven from Node over loopback.
 * The groups run one after another (groupOrder): on two cores, overlapping a workerd pool with
 * workerd processes and DigitalOcean builds only makes every timeout tighter.
 */
export default defineConfig({
  test: {
    projects: [
      {
        // Node imports generated modules: their .txt/.bin data as wrangler/workerd load it.
        plugins: [dataModules()],
        test: {
          name: "build",
          include: ["test/build/**/*.test.ts"],
          sequence: { groupOrder: 0 },
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { BRRT_RESPONSE_VALIDATION: "strict" } },
          }),
        ],
        test: { name: "runtime", include: ["test/runtime/**/*.test.ts"], testTimeout: 30_000, sequence: { groupOrder: 1 } },
      },
      {
        plugins: [dataModules()],
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          sequence: { groupOrder: 2 },
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each file starts its own workerd processes; two at once is all two cores take.
          maxWorkers: 2,
        },
      },
    ],
  },
});
