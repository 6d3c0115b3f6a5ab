// The page of deriv serve: one expression line with a live preview, and four tabs that call the HTTP API.
//
// What it assumes of the server is only this: POST api/v1/COMMAND with a JSON body (fields named like the CLI's
// options) answers the CLI's JSON document, or, asked with "Accept: text/html", the same result as an HTML fragment
// (to_html, MathML) that is shown as it is; a failure is {"error": {"kind", "message", "position"}} with a 4xx/5xx
// status. Should an answer come back as JSON although HTML was asked for, a plain rendering of the JSON is shown.
//
// Text typed by the user only ever reaches the page through textContent (el() below). The only HTML inserted is the
// server's fragment, which our own writer produced; it is parsed with DOMParser and stripped of anything active
// before it is adopted (fragment()). No eval, no inline script or style: the Content-Security-Policy is 'self'.
"use strict";

(() => {
  const API = "api/v1/"; // relative: the page works under any path prefix a reverse proxy gives it
  const PREVIEW_DELAY_MS = 250;
  const BUSY_RETRIES = 2; // 429 or 503: try again after Retry-After, this many times
  const MAX_RETRY_SECONDS = 5;
  const SHOW_WORKING_AFTER_MS = 300;

  const $ = (id) => document.getElementById(id);

  // ---- building elements from text --------------------------------------------------------------------------------
  /** An element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  const code = (text) => el("code", {}, text);

  /** The server's HTML fragment as nodes of this document: parsed inert, anything active removed. */
  function fragment(html) {
    const parsed = new DOMParser().parseFromString(html, "text/html");
    for (const node of parsed.body.querySelectorAll("script, style, link, meta, base, iframe, frame, object, embed, form")) {
      node.remove();
    }
    for (const node of parsed.body.querySelectorAll("*")) {
      for (const attribute of [...node.attributes]) {
        const name = attribute.name.toLowerCase();
        const active = name.startsWith("on") || name === "style" || name === "srcdoc";
        const link = ["href", "src", "xlink:href", "action", "formaction"].includes(name);
        if (active || (link && /^\s*(javascript|data|vbscript):/i.test(attribute.value))) node.removeAttribute(attribute.name);
      }
    }
    const nodes = document.createDocumentFragment();
    for (const node of [...parsed.body.childNodes]) nodes.append(document.adoptNode(node));
    return nodes;
  }

  // ---- talking to the server --------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(error, status) {
      super(error && error.message ? error.message : "the server's answer could not be read");
      this.name = "ApiError";
      this.kind = (error && error.kind) || "error";
      this.position = (error && error.position) || null;
      this.status = status;
    }
  }

  const sleep = (ms, signal) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      if (signal) {
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new DOMException("aborted", "AbortError"));
        });
      }
    });

  /** POST api/v1/COMMAND: {html} when the server answered a fragment, {json} for a JSON document; throws ApiError. */
  async function call(command, body, { html = true, signal } = {}) {
    for (let attempt = 0; ; attempt += 1) {
      let response;
      try {
        response = await fetch(API + command, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: html ? "text/html" : "application/json" },
          body: JSON.stringify(body),
          signal,
          cache: "no-store",
          credentials: "same-origin",
        });
      } catch (err) {
        if (err.name === "AbortError") throw err;
        throw new ApiError({ kind: "network", message: "The server cannot be reached: is deriv serve still running?" }, 0);
      }
      if ((response.status === 429 || response.status === 503) && attempt < BUSY_RETRIES) {
        const seconds = Math.min(Number(response.headers.get("Retry-After")) || 1, MAX_RETRY_SECONDS);
        await sleep(seconds * 1000, signal);
        continue;
      }
      const type = (response.headers.get("Content-Type") || "").toLowerCase();
      if (response.ok && type.startsWith("text/html")) return { html: await response.text() };
      let answer;
      try {
        answer = await response.json();
      } catch {
        const message = `The server answered ${response.status} ${response.statusText}`.trim();
        throw new ApiError({ kind: "http", message }, response.status);
      }
      if (!response.ok || (answer && answer.error)) {
        throw new ApiError(answer && answer.error ? answer.error : { kind: "http", message: `status ${response.status}` }, response.status);
      }
      return { json: answer };
    }
  }

  // ---- how the input is read: notation, variables, functions ------------------------------------------------------
  function names(input) {
    return input.value
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean)
      .join(",");
  }

  /** The reading fields of a request (vars, functions, latex) for the texts it sends. */
  function reading(...texts) {
    const fields = {};
    const vars = names($("vars"));
    const functions = names($("functions"));
    if (vars) fields.vars = vars;
    if (functions) fields.functions = functions;
    const notation = $("notation").value;
    if (notation === "latex") fields.latex = true;
    else if (notation === "auto" && texts.some((text) => text.includes("\\"))) fields.latex = true;
    return fields;
  }

  // ---- showing answers and errors ---------------------------------------------------------------------------------
  const TITLES = {
    0: "No connection",
    400: "That cannot be read",
    413: "Too much at once",
    422: "A limit was reached",
    429: "The server is busy",
    500: "Something went wrong on the server",
    503: "The server cannot take it now",
  };

  /** The text of one line with the character at `column` (1-based) marked, and a caret under it, as the CLI shows it. */
  function caret(text, position) {
    const lines = text.split("\n");
    let line = position.line || 1;
    let column = position.column || 1;
    if (!position.line && Number.isInteger(position.offset)) {
      const before = text.slice(0, position.offset).split("\n");
      line = before.length;
      column = before[before.length - 1].length + 1;
    }
    const shown = lines[Math.min(line, lines.length) - 1] || "";
    const at = Math.max(0, Math.min(column - 1, shown.length));
    const marked = shown.slice(at, at + 1);
    return el(
      "pre",
      { class: "caret", "aria-hidden": "true" },
      el("span", {}, shown.slice(0, at)),
      marked ? el("mark", {}, marked) : el("mark", { class: "end" }, " "),
      el("span", {}, shown.slice(at + 1)),
      "\n",
      " ".repeat(at) + "^",
    );
  }

  function errorBox(err, source) {
    const status = err.status === undefined ? 500 : err.status;
    const title = TITLES[status] || (status >= 500 ? TITLES[500] : TITLES[400]);
    const where =
      err.position && source !== undefined
        ? el("p", { class: "where" }, `at column ${err.position.column || (err.position.offset || 0) + 1}`)
        : null;
    return el(
      "div",
      { class: "error" }, // in a live region already: no role="alert", which would announce it twice
      el("p", { class: "error-title" }, title),
      el("p", { class: "error-message" }, err.message),
      err.position && source !== undefined ? [caret(source, err.position), where] : null,
    );
  }

  function show(region, answer) {
    region.replaceChildren(answer.html !== undefined ? fragment(answer.html) : fromJson(answer.json));
  }

  const VERDICT_CLASS = {
    correct: "verified",
    verified: "verified",
    incorrect: "disagrees",
    disagrees: "disagrees",
    error: "disagrees",
  };
  const MARKS = { correct: "✓", incorrect: "✗", inconclusive: "?", invalid: "!", limit: "⧖", error: "!!" };

  function verdictLine(status, mark, ...said) {
    return el(
      "p",
      { class: `verdict ${VERDICT_CLASS[status] || "undecided"}` },
      el("span", { class: "mark", "aria-hidden": "true" }, mark),
      " ",
      el("span", { class: "said" }, ...said),
    );
  }

  const textOf = (value) => (value && typeof value === "object" ? value.text : value);

  /** A plain rendering of a JSON document, for a server that answers JSON where HTML was asked for. */
  function fromJson(doc) {
    const parts = [];
    let laws = 0;
    if (doc.command === "hint") {
      parts.push(
        el("p", { class: "hint-line" }, "Next: ", el("strong", {}, doc.label || doc.rule || "?"), doc.law ? [": ", code(doc.law)] : null),
        doc.at ? el("p", {}, "applied to ", code(doc.at), doc.by ? [" with respect to ", code(doc.by)] : null) : null,
        doc.explanation ? el("p", { class: "note" }, doc.explanation) : null,
      );
    }
    if (doc.read_as) parts.push(el("p", {}, "Read as ", code(doc.read_as)));
    if (Array.isArray(doc.steps) && doc.steps.length && doc.steps[0].expr) {
      const rows = doc.steps.map((step) => {
        let rule = "";
        if (step.label) {
          laws += 1;
          const id = `json-law-${laws}`;
          rule = step.explanation
            ? [el("span", { class: "rule-label", tabindex: 0, "aria-describedby": id }, step.label),
               el("span", { class: "law", role: "tooltip", id }, step.explanation)]
            : el("span", { class: "rule-label" }, step.label);
        }
        return el("tr", { class: "row" }, el("td", { class: "lead" }), el("td", { class: "sign" }, "="),
          el("td", { class: "body" }, code(textOf(step.expr))), el("td", { class: "rule" }, rule));
      });
      parts.push(el("table", { class: "rows" }, el("tbody", {}, rows)));
    }
    if (doc.result && textOf(doc.result)) parts.push(el("p", { class: "answer-line" }, "Result: ", code(textOf(doc.result))));
    if (Array.isArray(doc.domain) && doc.domain.length) {
      parts.push(el("p", { class: "note" }, "Domain: ", doc.domain.map(textOf).join(", ")));
    }
    if (typeof doc.verified === "boolean" || doc.verified === null) {
      const by = doc.verified_by ? ` (${doc.verified_by})` : "";
      if (doc.verified === true) parts.push(verdictLine("verified", "✓", `verified${by}`));
      else if (doc.verified === false) parts.push(verdictLine("disagrees", "✗", `disagrees with SymPy${by}`));
      else parts.push(verdictLine("undecided", "?", "could not verify"));
    }
    if (typeof doc.verdict === "string" && doc.command !== "grade") {
      parts.push(verdictLine(doc.verdict, MARKS[doc.verdict] || "?", `${doc.verdict}: `, doc.feedback || ""));
      if (doc.mistake) parts.push(el("p", {}, "mistake: ", code(doc.mistake)));
      if (doc.expected && textOf(doc.expected)) parts.push(el("p", {}, "expected: ", code(textOf(doc.expected))));
    }
    if (Array.isArray(doc.lines)) {
      const head = el("thead", {}, el("tr", {}, ["line", "", "written", "rule / feedback"].map((name) => el("th", { scope: "col" }, name))));
      const body = el("tbody", {}, doc.lines.map((line) =>
        el("tr", { class: `line ${VERDICT_CLASS[line.verdict] || ""}` },
          el("td", { class: "right" }, line.number),
          el("td", { class: "center" }, MARKS[line.verdict] || ""),
          el("td", {}, code(line.text)),
          el("td", {}, line.feedback || line.label || ""))));
      parts.push(scrollable(el("table", { class: "table" }, head, body), "the derivation, line by line"));
    }
    for (const key of ["warnings", "notes"]) {
      if (Array.isArray(doc[key])) {
        for (const note of doc[key]) parts.push(el("p", { class: "note" }, el("span", { class: "note-label" }, "Note:"), " ", textOf(note)));
      }
    }
    parts.push(el("details", { class: "raw" }, el("summary", {}, "The JSON document"), el("pre", {}, JSON.stringify(doc, null, 2))));
    return el("div", { class: "derivsteps from-json" }, parts);
  }

  /** A wide table in a region that scrolls sideways, reachable by keyboard. */
  function scrollable(table, label) {
    return el("div", { class: "scroll", tabindex: 0, role: "region", "aria-label": label }, table);
  }

  /** Runs one request for a region: its answer or its error shown there; a newer request for it cancels this one. */
  const running = new WeakMap();
  async function into(region, work, source) {
    const previous = running.get(region);
    if (previous) previous.abort();
    const controller = new AbortController();
    running.set(region, controller);
    region.setAttribute("aria-busy", "true");
    const pending = setTimeout(() => {
      region.classList.add("working");
      region.replaceChildren(el("p", { class: "pending" }, el("span", { class: "spinner", "aria-hidden": "true" }), "Working…"));
    }, SHOW_WORKING_AFTER_MS);
    try {
      await work(controller.signal);
    } catch (err) {
      if (err.name === "AbortError") return;
      if (!(err instanceof ApiError)) console.error(err); // a bug of this page: say so in the console too
      region.replaceChildren(errorBox(err instanceof ApiError ? err : new ApiError({ message: String(err) }, 500), source));
    } finally {
      clearTimeout(pending);
      if (running.get(region) === controller) {
        running.delete(region);
        region.removeAttribute("aria-busy");
        region.classList.remove("working");
      }
    }
  }

  /** A message in a region for input missing before anything is sent, and the focus on the field to fill in. */
  function missing(region, field, message) {
    region.replaceChildren(el("div", { class: "error" }, el("p", { class: "error-message" }, message)));
    field.focus();
  }

  // ---- live preview -----------------------------------------------------------------------------------------------
  function livePreview(input, region, label) {
    let timer = null;
    let controller = null;
    let shown = null;

    async function run() {
      clearTimeout(timer);
      const text = input.value;
      if (!text.trim()) {
        if (controller) controller.abort();
        shown = null;
        region.replaceChildren();
        input.removeAttribute("aria-invalid");
        return;
      }
      const body = { expr: text, ...reading(text) };
      const key = JSON.stringify(body);
      if (key === shown) return;
      if (controller) controller.abort();
      controller = new AbortController();
      const signal = controller.signal;
      try {
        const { json } = await call("preview", body, { html: false, signal });
        if (signal.aborted) return;
        shown = key;
        input.removeAttribute("aria-invalid");
        const notes = json.notes || [];
        region.replaceChildren(
          el("p", { class: "read-as" }, el("span", { class: "tag" }, label), " ", code(json.read_as)),
          ...(notes.length ? [el("ul", { class: "notes" }, notes.map((note) => el("li", {}, note)))] : []),
        );
      } catch (err) {
        if (err.name === "AbortError") return;
        shown = key;
        if (err.status && err.status >= 400 && err.status < 500 && err.status !== 429) input.setAttribute("aria-invalid", "true");
        region.replaceChildren(
          el("div", { class: "preview-error" },
            el("p", {}, el("span", { class: "tag bad" }, "cannot read"), " ", err.message),
            err.position ? caret(text, err.position) : null),
        );
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(run, PREVIEW_DELAY_MS);
    });
    return () => {
      shown = null;
      clearTimeout(timer);
      timer = setTimeout(run, PREVIEW_DELAY_MS);
    };
  }

  // ---- tabs -------------------------------------------------------------------------------------------------------
  const tabs = [...document.querySelectorAll('[role="tab"]')];

  function select(tab, focus = true) {
    for (const other of tabs) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !chosen;
    }
    if (focus) tab.focus();
    history.replaceState(null, "", `#${tab.dataset.tab}`);
  }

  function currentTab() {
    return tabs.find((tab) => tab.getAttribute("aria-selected") === "true") || tabs[0];
  }

  function setUpTabs() {
    for (const tab of tabs) tab.addEventListener("click", () => select(tab));
    window.addEventListener("hashchange", () => {
      const named = tabs.find((tab) => `#${tab.dataset.tab}` === location.hash);
      if (named && named !== currentTab()) select(named, false);
    });
    $("tabs").addEventListener("keydown", (event) => {
      const at = tabs.indexOf(document.activeElement);
      if (at < 0) return;
      const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      select(tabs[(to + tabs.length) % tabs.length]);
    });
    const named = tabs.find((tab) => `#${tab.dataset.tab}` === location.hash);
    if (named) select(named, false);
  }

  // ---- Differentiate ----------------------------------------------------------------------------------------------
  function expression(region) {
    const text = $("expr").value.trim();
    if (!text) missing(region, $("expr"), "Type an expression first, such as x^2 sin(x).");
    return text;
  }

  function differentiate(hint) {
    const region = $("diff-result");
    const expr = expression(region);
    if (!expr) return;
    const body = { expr, ...reading(expr) };
    const wrt = names($("wrt"));
    if (wrt) body.wrt = wrt;
    if (hint) body.hint = true;
    else Object.assign(body, { steps: true, detail: $("detail").value });
    into(region, async (signal) => {
      show(region, await call("diff", body, { signal }));
      region.classList.toggle("hint", Boolean(hint));
    }, $("expr").value);
  }

  // ---- Several variables & data -----------------------------------------------------------------------------------
  const operation = () => document.querySelector('input[name="op"]:checked').value;

  function showFieldsOf(op) {
    for (const node of document.querySelectorAll("#form-multi [data-for]")) {
      node.hidden = !node.dataset.for.split(" ").includes(op);
    }
  }

  function compute() {
    const region = $("multi-result");
    const expr = expression(region);
    if (!expr) return;
    const op = operation();
    const body = { expr, ...reading(expr) };
    const at = $("at").value.trim();
    const data = $("data").value.trim();
    if ((op === "grad" || op === "eval") && at) body.at = at;
    if (op === "eval" && !at) return missing(region, $("at"), "Give the point, a value for every variable: a=1, b=2.");
    if (op === "descend") {
      const start = $("from").value.trim();
      const lr = $("lr").value.trim();
      const iterations = Number.parseInt($("iters").value, 10);
      if (!start) return missing(region, $("from"), "Give the starting point, such as a=0, b=0.");
      if (!lr) return missing(region, $("lr"), "Give the learning rate, such as 0.1.");
      if (!Number.isInteger(iterations) || iterations < 1) return missing(region, $("iters"), "Give the number of iterations, 1 or more.");
      Object.assign(body, { from: start, lr, iters: iterations });
    }
    if ($("numeric").checked && (op === "eval" || op === "descend" || (op === "grad" && at))) body.numeric = true;
    if (data && op !== "hessian") body.data = data;
    into(region, async (signal) => {
      const answer = await call(op, body, { signal });
      show(region, answer);
      if (op === "descend") addDescentPlot(region, answer);
    }); // no caret: an error's position may be in the point or the data, not the expression
  }

  // ---- the descent plot: f after each iteration, drawn from the iterations table of the answer --------------------
  const SVG = "http://www.w3.org/2000/svg"; // a namespace name, never fetched

  function svg(tag, attributes = {}, text = null) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== null) node.textContent = text;
    return node;
  }

  /** A number written as text ("-0.07", "1/3", "2.5e-3", with a typographic minus), or NaN. */
  function numberOf(text) {
    const plain = String(text).replace(/\u2212/g, "-").replace(/\s+/g, "");
    const fraction = /^(-?[\d.]+(?:e[-+]?\d+)?)\/([\d.]+(?:e[-+]?\d+)?)$/i.exec(plain);
    if (fraction) return Number(fraction[1]) / Number(fraction[2]);
    return /^-?[\d.]+(?:e[-+]?\d+)?$/i.test(plain) ? Number(plain) : Number.NaN;
  }

  const cellText = (cell) => {
    const math = cell.querySelector("math[aria-label]");
    return math ? math.getAttribute("aria-label") : cell.textContent;
  };

  /** [iteration, f] of each row of the answer's iterations table (iteration | variables ... | f). */
  function descentPoints(region, answer) {
    if (answer.json) {
      const doc = answer.json;
      const values = [doc.start_f, ...(doc.iterations || []).map((step) => step.f)];
      return values.map((value, at) => [at, numberOf(textOf(value))]).filter(([, f]) => Number.isFinite(f));
    }
    for (const table of region.querySelectorAll("table.table")) {
      const head = [...table.querySelectorAll("thead th")].map((cell) => cellText(cell).trim());
      if (head[0] !== "iteration" || head[head.length - 1] !== "f") continue;
      return [...table.querySelectorAll("tbody tr:not(.gap)")]
        .map((row) => [...row.cells])
        .map((cells) => [numberOf(cells[0].textContent), numberOf(cellText(cells[cells.length - 1]))])
        .filter(([at, f]) => Number.isFinite(at) && Number.isFinite(f));
    }
    return [];
  }

  function descentPlot(points) {
    const width = 640;
    const height = 220;
    const pad = { left: 64, right: 16, top: 16, bottom: 36 };
    const xs = points.map(([at]) => at);
    const fs = points.map(([, f]) => f);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    let [y0, y1] = [Math.min(...fs), Math.max(...fs)];
    if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
    const x = (at) => pad.left + ((at - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right);
    const y = (f) => pad.top + (1 - (f - y0) / (y1 - y0)) * (height - pad.top - pad.bottom);
    const shown = (value) => Number(value.toPrecision(4)).toString().replace("-", "\u2212");
    const said = `f after each iteration: from ${shown(fs[0])} at iteration ${xs[0]} to ${shown(fs[fs.length - 1])} at iteration ${xs[xs.length - 1]}`;
    const plot = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": said, class: "plot" });
    plot.append(svg("title", {}, said));
    const bottom = height - pad.bottom;
    plot.append(
      svg("line", { class: "axis", x1: pad.left, y1: bottom, x2: width - pad.right, y2: bottom }),
      svg("line", { class: "axis", x1: pad.left, y1: pad.top, x2: pad.left, y2: bottom }),
      svg("text", { class: "tick", x: pad.left - 8, y: y(y1) + 4, "text-anchor": "end" }, shown(y1)),
      svg("text", { class: "tick", x: pad.left - 8, y: y(y0) + 4, "text-anchor": "end" }, shown(y0)),
      svg("text", { class: "tick", x: x(x0), y: bottom + 18, "text-anchor": "middle" }, String(x0)),
      svg("text", { class: "tick", x: x(x1), y: bottom + 18, "text-anchor": "middle" }, String(x1)),
      svg("text", { class: "tick", x: (pad.left + width - pad.right) / 2, y: height - 4, "text-anchor": "middle" }, "iteration"),
      svg("polyline", { class: "curve", points: points.map(([at, f]) => `${x(at)},${y(f)}`).join(" ") }),
    );
    if (points.length <= 60) {
      for (const [at, f] of points) plot.append(svg("circle", { class: "dot", cx: x(at), cy: y(f), r: 3.5 }));
    }
    return el("figure", { class: "descent-plot" }, plot, el("figcaption", {}, "f after each iteration"));
  }

  function addDescentPlot(region, answer) {
    const points = descentPoints(region, answer);
    if (points.length < 2 || region.querySelector(".derivsteps svg, .derivsteps img")) return; // the server drew one
    const root = region.querySelector(".derivsteps") || region;
    root.append(descentPlot(points));
  }

  function readFileInto(input, target, then) {
    const file = input.files && input.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      target.value = String(reader.result).replace(/^\ufeff/, "");
      if (then) then(file);
    });
    reader.addEventListener("error", () => {
      target.value = "";
      target.setAttribute("placeholder", `${file.name} could not be read`);
    });
    reader.readAsText(file);
  }

  // ---- Check my answer --------------------------------------------------------------------------------------------
  function checkAnswer() {
    const region = $("check-result");
    const expr = expression(region);
    if (!expr) return;
    const answer = $("answer").value.trim();
    if (!answer) return missing(region, $("answer"), "Type your answer to check.");
    const body = { answer, ...reading(expr, answer) };
    if ($("antiderivative").checked) body.antiderivative_of = expr;
    else body.expr = expr;
    const wrt = names($("check-wrt"));
    if (wrt) body.wrt = wrt;
    into(region, async (signal) => show(region, await call("check", body, { signal })));
  }

  function checkDerivation() {
    const region = $("derivation-result");
    const text = $("derivation").value;
    if (!text.trim()) return missing(region, $("derivation"), "Write your derivation first: the problem, then one line a step.");
    const body = { derivation: text, ...reading(text) };
    into(region, async (signal) => show(region, await call("derivation", body, { signal })));
  }

  // ---- Grade a class ----------------------------------------------------------------------------------------------
  const Report = globalThis.DerivstepsReport; // report.js: the CSV and Markdown reports, as deriv grade writes them
  const VERDICTS = Report.VERDICTS;
  let reportName = "report";
  const blobUrls = [];

  function offerDownloads(report) {
    while (blobUrls.length) URL.revokeObjectURL(blobUrls.pop());
    const files = [
      ["download-csv", "csv", "text/csv", Report.csv(report)],
      ["download-json", "json", "application/json", `${JSON.stringify(report, null, 2)}\n`],
      ["download-md", "md", "text/markdown", Report.markdown(report)],
    ];
    for (const [id, extension, type, text] of files) {
      const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
      blobUrls.push(url);
      const link = $(id);
      link.href = url;
      link.download = `${reportName}.${extension}`;
    }
    $("grade-downloads").hidden = false;
  }

  function gradeReport(report) {
    const summary = report.summary;
    const chips = VERDICTS.filter((name) => summary.verdicts[name]).map((name) =>
      el("li", { class: `chip ${name}` }, el("span", { class: "mark", "aria-hidden": "true" }, MARKS[name]), ` ${summary.verdicts[name]} ${name}`));
    const rate = Report.speed(summary);
    const parts = [
      el("p", { class: "summary" }, el("strong", {}, "Summary. "), Report.summarySentence(summary), rate ? ` ${rate[0].toUpperCase()}${rate.slice(1)}.` : ""),
      el("ul", { class: "chips", "aria-label": "verdicts" }, chips),
    ];
    if (summary.mistakes && summary.mistakes.length) {
      parts.push(el("table", { class: "table mistakes" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "most common mistakes"), el("th", { scope: "col", class: "right" }, "answers"))),
        el("tbody", {}, summary.mistakes.map((item) => el("tr", {}, el("td", {}, code(item.mistake)), el("td", { class: "right" }, item.count))))));
    }
    const head = ["id", "answer", "verdict", "mistake", "feedback", "expected", "decided by"];
    const rows = report.rows.map((row) => el("tr", { class: `graded ${row.verdict}` },
      el("td", {}, row.id),
      el("td", {}, row.answer ? code(row.answer) : ""),
      el("td", { class: "verdict-cell" }, el("span", { class: "mark", "aria-hidden": "true" }, MARKS[row.verdict] || "?"), ` ${row.verdict}`),
      el("td", {}, row.mistake ? code(row.mistake) : ""),
      el("td", { class: "feedback" }, row.feedback || "", (row.notes || []).map((note) => el("div", { class: "row-note" }, `note: ${note}`))),
      el("td", {}, row.expected ? code(row.expected) : ""),
      el("td", {}, row.decided_by || "")));
    parts.push(scrollable(el("table", { class: "table report" },
      el("thead", {}, el("tr", {}, head.map((name) => el("th", { scope: "col" }, name)))),
      el("tbody", {}, rows)), "the graded answers"));
    return el("div", { class: "derivsteps grade" }, parts);
  }

  function grade() {
    const region = $("grade-report");
    const text = $("class-text").value;
    if (!text.trim()) return missing(region, $("class-file"), "Choose a class file, or paste one.");
    $("grade-downloads").hidden = true;
    into(region, async (signal) => {
      const { json } = await call("grade", { answers: text }, { html: false, signal });
      region.replaceChildren(gradeReport(json));
      offerDownloads(json);
    });
  }

  // ---- the version, from the OpenAPI document ---------------------------------------------------------------------
  async function showVersion() {
    try {
      const response = await fetch(`${API}openapi.json`, { credentials: "same-origin" });
      if (!response.ok) return;
      const described = await response.json();
      if (described.info && described.info.version) $("version").textContent = `derivsteps ${described.info.version}`;
    } catch {
      // the footer keeps its name without the version
    }
  }

  // ---- wiring -----------------------------------------------------------------------------------------------------
  function onSubmit(formId, action) {
    $(formId).addEventListener("submit", (event) => {
      event.preventDefault();
      action();
    });
  }

  function submitOnCtrlEnter(textarea) {
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        textarea.form.requestSubmit();
      }
    });
  }

  /** Escape hides a law's tooltip until the label loses focus or the pointer (WCAG 1.4.13: dismissable). */
  function dismissableLaws(region) {
    region.addEventListener("keydown", (event) => {
      const label = event.target.closest && event.target.closest(".rule-label");
      if (event.key === "Escape" && label) label.classList.add("quiet");
    });
    region.addEventListener("focusout", (event) => {
      if (event.target.classList && event.target.classList.contains("rule-label")) event.target.classList.remove("quiet");
    });
    region.addEventListener("mouseout", (event) => {
      if (event.target.classList && event.target.classList.contains("rule-label")) event.target.classList.remove("quiet");
    });
  }

  function start() {
    setUpTabs();
    const previewExpr = livePreview($("expr"), $("preview"), "read as");
    const previewAnswer = livePreview($("answer"), $("answer-preview"), "your answer reads as");
    for (const id of ["notation", "vars", "functions"]) {
      $(id).addEventListener(id === "notation" ? "change" : "input", () => {
        previewExpr();
        previewAnswer();
      });
    }
    // Enter in the expression runs the open tab (its first button); the grade tab does not use the expression.
    $("expr").addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      event.preventDefault();
      const form = $(`form-${currentTab().dataset.tab}`);
      if (form && currentTab().dataset.tab !== "grade") form.requestSubmit();
    });
    for (const button of document.querySelectorAll("[data-example]")) {
      button.addEventListener("click", () => {
        $("expr").value = button.dataset.example;
        if (button.dataset.wrt !== undefined) $("wrt").value = button.dataset.wrt;
        previewExpr();
        $("expr").focus();
      });
    }

    onSubmit("form-diff", () => differentiate(false));
    $("hint-button").addEventListener("click", () => differentiate(true));
    const showRules = () => $("diff-result").classList.toggle("hide-rules", !$("show-rules").checked);
    $("show-rules").addEventListener("change", showRules);
    showRules();

    onSubmit("form-multi", compute);
    for (const radio of document.querySelectorAll('input[name="op"]')) radio.addEventListener("change", () => showFieldsOf(operation()));
    showFieldsOf(operation());
    $("data-file").addEventListener("change", () => readFileInto($("data-file"), $("data")));

    onSubmit("form-check", checkAnswer);
    onSubmit("form-derivation", checkDerivation);
    onSubmit("form-grade", grade);
    $("class-file").addEventListener("change", () =>
      readFileInto($("class-file"), $("class-text"), (file) => {
        reportName = `${file.name.replace(/\.[^.]*$/, "") || "class"}-report`;
      }));
    for (const id of ["data", "derivation", "class-text"]) submitOnCtrlEnter($(id));
    for (const id of ["diff-result", "multi-result", "check-result", "derivation-result"]) dismissableLaws($(id));

    if ($("expr").value.trim()) previewExpr(); // a value the browser restored
    setTimeout(showVersion, 0);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
