import { readFileSync, writeFileSync } from "node:fs";

/** Writes a generator's files; with `check`, writes nothing and exits 1 naming each file that differs from what it makes. */
export function writeOrCheck(files: { file: string; text: string }[], check: boolean, regenerate: string): void {
  let stale = 0;
  for (const { file, text } of files) {
    if (check) {
      let current = "";
      try {
        current = readFileSync(file, "utf8");
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        console.error(`stale: ${file} (run: ${regenerate})`);
        stale++;
      }
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
  if (stale) process.exit(1);
}
