// A class report (the JSON document of POST api/v1/grade, as `deriv grade --format json` writes it) as the CSV and
// Markdown files `deriv grade --format csv|markdown` writes, built in the browser for the page's download links.
// Plain functions of data, no DOM: tests/web/test_page.py runs them under node and compares them with the Python
// writers (checking/reports.py: csv_line; render/grading.py and render/writers/markdown.py: the Markdown report).
"use strict";

(() => {
  const VERDICTS = ["correct", "incorrect", "inconclusive", "invalid", "limit", "error"];
  const MARKS = { correct: "✓", incorrect: "✗", inconclusive: "?", invalid: "!", limit: "⧖", error: "!!" };
  const CSV_COLUMNS = ["id", "verdict", "decided_by", "mistake", "feedback", "expected", "notes", "kind", "expr", "wrt", "answer"];
  // A spreadsheet runs a cell that starts with one of these as a formula: such a cell gets a leading apostrophe.
  const FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"];
  const MARKDOWN_SPECIALS = /([\\`*_[\]<$|])/g;

  function summarySentence(summary) {
    const counts = VERDICTS.filter((name) => summary.verdicts[name]).map((name) => `${summary.verdicts[name]} ${name}`);
    let text = `${summary.rows} answers: ${counts.join(", ") || "none"}.`;
    if (summary.interrupted) text += " Interrupted: the other rows are not graded yet (run again with --resume).";
    return text;
  }

  /** "graded 31 in 1.2 s (25.7 answers per second)", or "" when nothing was graded. */
  function speed(summary) {
    const rate = summary.answers_per_second;
    const earlier = summary.rows - summary.graded;
    const resumed = earlier ? `, ${earlier} from the report before` : "";
    if (rate !== null && rate !== undefined) {
      return `graded ${summary.graded} in ${Number(summary.seconds).toFixed(1)} s (${rate} answers per second)${resumed}`;
    }
    return earlier ? `nothing left to grade: all ${earlier} rows were in the report already` : "";
  }

  function csvCell(value) {
    let text = Array.isArray(value) ? value.join("\n") : value === null || value === undefined ? "" : String(value);
    text = text.replace(/\r\n/g, "\n").replace(/\r/g, "\n");
    if (FORMULA_STARTS.some((start) => text.startsWith(start))) text = `'${text}`;
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  /** The report as CSV: a header, then a row per answer, each ending in \r\n. */
  function csv(report) {
    const lines = [CSV_COLUMNS.join(","), ...report.rows.map((row) => CSV_COLUMNS.map((name) => csvCell(row[name])).join(","))];
    return lines.map((line) => `${line}\r\n`).join("");
  }

  const collapse = (text) => text.split(/\s+/).filter(Boolean).join(" ");
  const escapeMarkdown = (text) => collapse(text).replace(MARKDOWN_SPECIALS, "\\$1");

  function words(text) {
    text = String(text);
    if (!text.trim()) return text ? " " : "";
    return (/^\s/.test(text) ? " " : "") + escapeMarkdown(text) + (/\s$/.test(text) ? " " : "");
  }

  function code(text) {
    const runs = text.match(/`+/g) || [];
    const fence = "`".repeat(Math.max(0, ...runs.map((run) => run.length)) + 1);
    const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
    return `${fence}${pad}${collapse(text)}${pad}${fence}`;
  }

  /** An answer as code; as words when code cannot hold it in a table cell (a | or ` in it, a line break). */
  const codeCell = (text) => (!text ? "" : /[|`\n]/.test(text) ? words(text) : code(text).replace(/\|/g, "\\|"));

  /** The report as Markdown: a table with a column for each field, the summary, the most common mistakes. */
  function markdown(report) {
    const row = (cells) => `| ${cells.join(" | ")} |`;
    const header = ["id", "answer", "verdict", "decided by", "mistake", "feedback", "expected", "notes"];
    const lines = [row(header.map(words)).replace(/\| {2}\|/g, "| |"), `|${"---|".repeat(header.length)}`];
    for (const item of report.rows) {
      lines.push(row([
        words(item.id),
        codeCell(item.answer),
        words(`${MARKS[item.verdict]} ${item.verdict}`),
        words(item.decided_by || ""),
        item.mistake ? code(item.mistake) : "",
        words(String(item.feedback || "").split("\n")[0]),
        codeCell(item.expected || ""),
        words((item.notes || []).join("; ")),
      ]));
    }
    const summary = report.summary;
    const rate = speed(summary);
    lines.push("", `**Summary.**${words(` ${summarySentence(summary)}${rate ? ` ${rate[0].toUpperCase()}${rate.slice(1)}.` : ""}`)}`);
    if (summary.mistakes && summary.mistakes.length) {
      lines.push("", row(["most common mistakes", "answers"]), "|---|---|");
      for (const item of summary.mistakes) lines.push(row([code(item.mistake), words(String(item.count))]));
    }
    return `${lines.join("\n")}\n`;
  }

  globalThis.DerivstepsReport = Object.freeze({ VERDICTS, MARKS, summarySentence, speed, csv, markdown });
})();
