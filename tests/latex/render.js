// Renders LaTeX strings with KaTeX in display mode and reports the ones it rejects.
// Input on stdin: a JSON array of strings. Output on stdout: a JSON array of {index, latex, error}; exit 1 if any failed.
"use strict";

const katex = require("katex");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const failures = [];
  JSON.parse(input).forEach((latex, index) => {
    try {
      // strict "error": LaTeX that KaTeX only tolerates (unicode text in math, ...) would break a real LaTeX build.
      katex.renderToString(latex, { displayMode: true, throwOnError: true, strict: "error" });
    } catch (error) {
      failures.push({ index, latex, error: String(error.message || error) });
    }
  });
  process.stdout.write(JSON.stringify(failures));
  process.exitCode = failures.length ? 1 : 0;
});
