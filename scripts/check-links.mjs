#!/usr/bin/env node
// Checks the relative links of README.md, ARCHITECTURE.md and docs/**/*.md:
// every linked file or directory must exist, and every #anchor (in the same
// file or in another Markdown file) must be one of that file's headings, as
// GitHub makes their ids. Links inside fenced code blocks and inline code
// are not links. Also fails when a code fence is left open, and when the
// README is longer than 300 lines. Node 20, no dependencies:
//
//   node scripts/check-links.mjs        (from anywhere; paths are the repo's)
//
// Exits 1 listing every problem as file:line, else prints one summary line.

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const README_MAX_LINES = 300;

/** The Markdown files to check, relative to the root. */
function documents() {
  const found = ["README.md", "ARCHITECTURE.md"].filter((f) => existsSync(join(ROOT, f)));
  const walk = (dir) => {
    const full = join(ROOT, dir);
    if (!existsSync(full)) return;
    for (const entry of readdirSync(full, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith(".md")) found.push(path);
    }
  };
  walk("docs");
  return found;
}

/**
 * The text with fenced code blocks and inline code blanked out (replaced by
 * spaces, newlines kept, so offsets and line numbers stay true), and where
 * any fence was left open.
 */
function withoutCode(text) {
  const lines = text.split("\n");
  let fence = null; // { char, length, line }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence) {
      if (
        marker &&
        marker[1][0] === fence.char &&
        marker[1].length >= fence.length &&
        marker[2].trim() === ""
      ) {
        fence = null;
      }
      lines[i] = " ".repeat(line.length);
    } else if (marker && !(marker[1][0] === "`" && marker[2].includes("`"))) {
      fence = { char: marker[1][0], length: marker[1].length, line: i + 1 };
      lines[i] = " ".repeat(line.length);
    }
  }
  const unclosed = fence ? fence.line : null;
  const blanked = lines.join("\n");

  // Inline code: a run of n backticks up to the next run of exactly n,
  // within one paragraph; an unmatched run is literal text.
  const out = blanked.split("");
  let i = 0;
  while (i < blanked.length) {
    if (blanked[i] !== "`") {
      i++;
      continue;
    }
    let n = 0;
    while (blanked[i + n] === "`") n++;
    let j = i + n;
    let close = -1;
    while (j < blanked.length) {
      if (blanked[j] === "\n" && /^\n[ \t]*(\n|$)/.test(blanked.slice(j, j + 200))) break;
      if (blanked[j] === "`") {
        let m = 0;
        while (blanked[j + m] === "`") m++;
        if (m === n) {
          close = j;
          break;
        }
        j += m;
        continue;
      }
      j++;
    }
    if (close < 0) {
      i += n;
      continue;
    }
    for (let k = i; k < close + n; k++) if (out[k] !== "\n") out[k] = " ";
    i = close + n;
  }
  return { text: out.join(""), unclosed };
}

/** GitHub's id for a heading's text. */
function slug(heading) {
  const text = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/`/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

const anchorCache = new Map();

/** Every anchor a Markdown file offers: its headings' ids and HTML ids. */
function anchorsOf(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const original = readFileSync(file, "utf8");
  const { text } = withoutCode(original);
  const plain = text.split("\n");
  const raw = original.split("\n");
  const anchors = new Set();
  const seen = new Map();
  const add = (heading) => {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  };
  for (let i = 0; i < plain.length; i++) {
    // Fenced lines are blank in `plain`; headings are read from the raw line.
    const atx = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(plain[i]);
    if (atx) {
      const rawAtx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(raw[i]);
      add(rawAtx?.[1] ?? "");
      continue;
    }
    // A setext heading: a paragraph line with === or --- under it (a line
    // that is a list item, a table row or a heading is no paragraph).
    const underline = /^ {0,3}(=+|-+)[ \t]*$/.test(plain[i]);
    const above = i > 0 ? plain[i - 1] : "";
    if (
      underline &&
      above.trim() !== "" &&
      !/^ {0,3}([-*+]|\d+[.)])(\s|$)/.test(above) &&
      !/^ {0,3}(\||#|>)/.test(above) &&
      !/^ {0,3}(=+|-+)[ \t]*$/.test(above)
    ) {
      add(raw[i - 1].trim());
    }
    for (const m of plain[i].matchAll(/<a\s[^>]*?(?:name|id)\s*=\s*["']([^"']+)["']/gi)) {
      anchors.add(m[1]);
    }
  }
  anchorCache.set(file, anchors);
  return anchors;
}

/** Inline links and images, and reference definitions, with their lines. */
function linksIn(text) {
  const found = [];
  const lineAt = (offset) => text.slice(0, offset).split("\n").length;
  const inline =
    /!?\[((?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*)\]\(\s*(<[^>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
  for (const m of text.matchAll(inline)) {
    found.push({ target: m[2], line: lineAt(m.index) });
  }
  const reference = /^ {0,3}\[((?:[^\[\]\\]|\\.)+)\]:[ \t]*(<[^>\n]*>|\S+)/gm;
  for (const m of text.matchAll(reference)) {
    found.push({ target: m[2], line: lineAt(m.index) });
  }
  return found;
}

function check() {
  const problems = [];
  let checked = 0;
  const files = documents();
  for (const doc of files) {
    const path = join(ROOT, doc);
    const original = readFileSync(path, "utf8");
    const { text, unclosed } = withoutCode(original);
    if (unclosed) {
      problems.push(`${doc}:${unclosed}: code fence opened here is never closed`);
    }
    for (const { target: written, line } of linksIn(text)) {
      let target = written.trim();
      if (target.startsWith("<") && target.endsWith(">")) target = target.slice(1, -1);
      if (target === "") {
        problems.push(`${doc}:${line}: empty link target`);
        continue;
      }
      // Other schemes (http:, https:, mailto:, ...) and //host are not ours.
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue;
      checked++;
      const hash = target.indexOf("#");
      const pathPart = (hash < 0 ? target : target.slice(0, hash)).split("?")[0];
      const anchor = hash < 0 ? null : target.slice(hash + 1);
      let decoded;
      try {
        decoded = decodeURIComponent(pathPart);
      } catch {
        problems.push(`${doc}:${line}: ${written}: not a valid address`);
        continue;
      }
      const resolved =
        decoded === ""
          ? path
          : decoded.startsWith("/")
            ? join(ROOT, decoded)
            : resolve(dirname(path), decoded);
      if (!existsSync(resolved)) {
        problems.push(`${doc}:${line}: ${written}: ${relative(ROOT, resolved) || "."} does not exist`);
        continue;
      }
      const isDir = statSync(resolved).isDirectory();
      if (decoded.endsWith("/") && !isDir) {
        problems.push(`${doc}:${line}: ${written}: not a directory`);
        continue;
      }
      if (anchor !== null && !isDir && resolved.endsWith(".md")) {
        let id;
        try {
          id = decodeURIComponent(anchor);
        } catch {
          id = anchor;
        }
        if (!anchorsOf(resolved).has(id)) {
          problems.push(
            `${doc}:${line}: ${written}: no heading #${id} in ${relative(ROOT, resolved)}`,
          );
        }
      }
    }
  }

  const readmeLines = existsSync(join(ROOT, "README.md"))
    ? readFileSync(join(ROOT, "README.md"), "utf8").replace(/\n$/, "").split("\n").length
    : 0;
  if (readmeLines > README_MAX_LINES) {
    problems.push(`README.md:${README_MAX_LINES + 1}: ${readmeLines} lines; at most ${README_MAX_LINES}`);
  }

  if (problems.length > 0) {
    // By file (in the order checked), then by line.
    const order = (p) => {
      const [file, line] = p.split(":");
      return [files.indexOf(file), Number(line) || 0];
    };
    problems.sort((a, b) => {
      const [fa, la] = order(a);
      const [fb, lb] = order(b);
      return fa - fb || la - lb;
    });
    console.error(`check-links: ${problems.length} problem(s):`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
  console.log(
    `check-links: ${checked} relative links in ${files.length} files resolve; README.md is ${readmeLines} lines (≤ ${README_MAX_LINES})`,
  );
}

check();
