// The Comity query page: a small SPARQL editor (line numbers, highlighting) that runs queries
// against the endpoint and shows the results as a table. Plain browser JavaScript, no libraries,
// so the page works without a network connection.
(function () {
  "use strict";

  const page = JSON.parse(document.getElementById("query-page-data").textContent);
  const textarea = document.getElementById("query");
  const highlight = document.querySelector("#editor .highlight");
  const gutter = document.querySelector("#editor .gutter");
  const runButton = document.getElementById("run");
  const exampleSelect = document.getElementById("example");
  const statusLine = document.getElementById("status");
  const downloads = document.getElementById("downloads");
  const errorBox = document.getElementById("error");
  const results = document.getElementById("results");

  const MAX_ROWS_SHOWN = 2000;
  const RESULT_FORMATS = ["json", "xml", "csv", "tsv"];
  const GRAPH_FORMATS = ["ttl", "nt", "jsonld", "rdfxml"];
  const FILE_EXTENSIONS = { json: "srj", xml: "srx", csv: "csv", tsv: "tsv", ttl: "ttl", nt: "nt", jsonld: "jsonld", rdfxml: "rdf" };
  const KEYWORDS = new Set((
    "base prefix select distinct reduced construct describe ask from named where order by asc desc " +
    "limit offset values optional graph union minus filter exists not bind as service silent group " +
    "having in a true false undef insert delete data with using clear drop create load copy move " +
    "add default all into to separator"
  ).split(" "));
  const FUNCTIONS = new Set((
    "str lang langmatches datatype bound iri uri bnode rand abs ceil floor round concat strlen ucase " +
    "lcase encode_for_uri contains strstarts strends strbefore strafter year month day hours minutes " +
    "seconds timezone tz now uuid struuid md5 sha1 sha256 sha384 sha512 coalesce if strlang strdt " +
    "sameterm isiri isuri isblank isliteral isnumeric regex substr replace count sum min max avg " +
    "sample group_concat"
  ).split(" "));

  // --- the editor ----------------------------------------------------------------------------

  // One pass over the text: comments, IRIs, strings, variables, prefixed names, numbers, words.
  // IRIs come before comments so that a '#' inside <...#term> stays part of the IRI.
  const TOKEN = new RegExp([
    /(<[^<>"{}|^`\\\s]*>)/.source,
    /(#[^\n]*)/.source,
    /("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/.source,
    /([?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)/.source,
    /((?:[A-Za-z][\w-]*)?:[\w-]*)/.source,
    /(\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)/.source,
    /([A-Za-z_]+)/.source,
  ].join("|"), "g");
  const TOKEN_CLASSES = [null, "tok-iri", "tok-comment", "tok-string", "tok-variable", "tok-pname", "tok-number"];

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }

  function highlighted(text) {
    let html = "";
    let last = 0;
    TOKEN.lastIndex = 0;
    for (let match = TOKEN.exec(text); match; match = TOKEN.exec(text)) {
      html += escapeHtml(text.slice(last, match.index));
      let cls = null;
      for (let group = 1; group < TOKEN_CLASSES.length; group++) {
        if (match[group] !== undefined) { cls = TOKEN_CLASSES[group]; break; }
      }
      const word = match[7];
      if (word !== undefined) {
        const lower = word.toLowerCase();
        if (KEYWORDS.has(lower) || FUNCTIONS.has(lower)) cls = "tok-keyword";
      }
      html += cls ? `<span class="${cls}">${escapeHtml(match[0])}</span>` : escapeHtml(match[0]);
      last = match.index + match[0].length;
      if (match[0].length === 0) TOKEN.lastIndex++;
    }
    return html + escapeHtml(text.slice(last));
  }

  function refreshEditor() {
    const text = textarea.value;
    // A trailing newline needs a visible line in the <pre> to keep both layers the same height.
    highlight.innerHTML = highlighted(text) + "\n ";
    const lines = text.split("\n").length;
    let numbers = "";
    for (let n = 1; n <= lines; n++) numbers += n + "\n";
    gutter.textContent = numbers + " ";
    syncScroll();
    refreshDownloads();
  }

  function syncScroll() {
    highlight.scrollTop = textarea.scrollTop;
    highlight.scrollLeft = textarea.scrollLeft;
    gutter.scrollTop = textarea.scrollTop;
  }

  function setQuery(text) {
    textarea.value = text;
    refreshEditor();
    textarea.focus();
    textarea.setSelectionRange(text.length, text.length);
  }

  textarea.addEventListener("input", refreshEditor);
  textarea.addEventListener("scroll", syncScroll);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      runQuery();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      const { selectionStart: start, selectionEnd: end, value } = textarea;
      textarea.value = value.slice(0, start) + "  " + value.slice(end);
      textarea.setSelectionRange(start + 2, start + 2);
      refreshEditor();
    }
  });

  // --- examples ------------------------------------------------------------------------------

  function loadExample(key) {
    const example = page.examples.find((candidate) => candidate.key === key);
    if (!example) return;
    setQuery(page.prologue + "\n" + example.body);
    exampleSelect.value = key;
  }

  exampleSelect.addEventListener("change", () => loadExample(exampleSelect.value));
  document.querySelectorAll("[data-example]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      loadExample(link.dataset.example);
    });
  });

  // --- what kind of query --------------------------------------------------------------------

  // The query form decides what to ask the endpoint for: a results table or RDF triples.
  function queryForm(text) {
    const bare = text
      .replace(/<[^<>"{}|^`\\\s]*>/g, "<>")
      .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""')
      .replace(/#[^\n]*/g, "");
    const match = bare.match(/\b(select|ask|construct|describe|insert|delete|load|clear|create|drop|copy|move|add|with)\b/i);
    if (!match) return null;
    const word = match[1].toLowerCase();
    if (word === "select" || word === "ask") return "results";
    if (word === "construct" || word === "describe") return "graph";
    return "update";
  }

  function prefixesOf(text) {
    const prefixes = [];
    const declaration = /prefix\s+([A-Za-z][\w-]*)?:\s*<([^>\s]*)>/gi;
    for (let match = declaration.exec(text); match; match = declaration.exec(text)) {
      prefixes.push([match[1] || "", match[2]]);
    }
    return prefixes;
  }

  function refreshDownloads() {
    const text = textarea.value;
    const form = queryForm(text);
    downloads.textContent = "";
    if (form !== "results" && form !== "graph") return;
    downloads.append("Download: ");
    for (const format of form === "results" ? RESULT_FORMATS : GRAPH_FORMATS) {
      const link = document.createElement("a");
      link.href = `${page.endpoint}?query=${encodeURIComponent(text)}&format=${format}`;
      link.download = `comity-results.${FILE_EXTENSIONS[format]}`;
      link.textContent = format;
      link.dataset.format = format;
      downloads.append(link);
    }
  }

  // --- running -------------------------------------------------------------------------------

  function showError(title, detail) {
    errorBox.innerHTML = "";
    const box = document.createElement("div");
    box.className = "error-box";
    const heading = document.createElement("strong");
    heading.textContent = title;
    box.append(heading);
    if (detail) {
      const pre = document.createElement("pre");
      pre.textContent = detail;
      box.append(pre);
    }
    errorBox.append(box);
  }

  // The server's own words from an error body, whether it sent text, JSON or an HTML page.
  function errorMessage(body, contentType) {
    if (contentType.includes("json")) {
      try {
        const parsed = JSON.parse(body);
        return parsed.message || parsed.error || parsed.detail || body;
      } catch (ignored) { /* not JSON after all: show it as it came */ }
    }
    if (contentType.includes("html")) {
      const doc = new DOMParser().parseFromString(body, "text/html");
      return (doc.body ? doc.body.textContent : body).replace(/\n\s*\n+/g, "\n").trim();
    }
    return body.trim();
  }

  async function runQuery() {
    const text = textarea.value;
    const form = queryForm(text);
    errorBox.innerHTML = "";
    if (form === null) {
      showError("This does not look like a SPARQL query.", "Start it with SELECT, ASK, CONSTRUCT or DESCRIBE (after any PREFIX lines).");
      return;
    }
    if (form === "update") {
      showError("This page runs queries only.", "Updates go to POST /sparql with an access token.");
      return;
    }
    const accept = form === "results" ? "application/sparql-results+json" : "application/n-triples";
    runButton.disabled = true;
    statusLine.className = "status-line running";
    statusLine.textContent = "Running…";
    results.innerHTML = "";
    const started = performance.now();
    try {
      const response = await fetch(page.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
        body: new URLSearchParams({ query: text }),
      });
      const body = await response.text();
      const elapsed = Math.round(performance.now() - started);
      const contentType = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        statusLine.textContent = `Failed after ${elapsed} ms.`;
        showError(`${response.status} ${response.statusText}`.trim(), errorMessage(body, contentType));
        return;
      }
      history.replaceState(null, "", `?query=${encodeURIComponent(text)}`);
      const prefixes = prefixesOf(text);
      if (contentType.includes("sparql-results+json")) {
        showSolutions(JSON.parse(body), prefixes, elapsed);
      } else if (contentType.includes("n-triples")) {
        showTriples(parseNTriples(body), prefixes, elapsed);
      } else {
        showText(body, contentType, elapsed);
      }
    } catch (error) {
      statusLine.textContent = "";
      showError("The endpoint could not be reached or sent something unreadable.", String(error));
    } finally {
      runButton.disabled = false;
      statusLine.classList.remove("running");
    }
  }

  runButton.addEventListener("click", runQuery);

  // --- results -------------------------------------------------------------------------------

  function compact(iri, prefixes) {
    for (const [prefix, namespace] of prefixes) {
      if (namespace && iri.startsWith(namespace) && /^[\w-]*$/.test(iri.slice(namespace.length))) {
        return `${prefix}:${iri.slice(namespace.length)}`;
      }
    }
    return null;
  }

  // One RDF term as a table cell: resources under the base link to their page on this server.
  function termCell(term, prefixes) {
    const cell = document.createElement("td");
    if (!term) {
      cell.className = "unbound";
      cell.textContent = "–";
      return cell;
    }
    if (term.type === "uri") {
      const link = document.createElement("a");
      link.title = term.value;
      if (term.value.startsWith(page.base) && term.value.length > page.base.length) {
        link.href = page.resourcePrefix + term.value.slice(page.base.length);
        link.textContent = term.value.slice(page.base.length);
      } else if (term.value.startsWith(page.vocabulary) && term.value.length > page.vocabulary.length) {
        // Comity's own terms are documented on this server's ontology page.
        link.href = `${page.ontologyPage}#${term.value.slice(page.vocabulary.length)}`;
        link.textContent = compact(term.value, prefixes) || term.value;
      } else {
        link.href = term.value;
        link.className = "external";
        link.rel = "noopener";
        link.textContent = compact(term.value, prefixes) || term.value;
      }
      cell.append(link);
    } else if (term.type === "literal" || term.type === "typed-literal") {
      if (term.value.length > 40) cell.className = "literal-cell";
      const value = document.createElement("span");
      value.className = "literal";
      value.textContent = term.value;
      cell.append(value);
      const language = term["xml:lang"];
      const datatype = term.datatype;
      if (language) {
        cell.append(tag(`@${language}`, "language"));
      } else if (datatype && datatype !== "http://www.w3.org/2001/XMLSchema#string") {
        cell.append(tag(compact(datatype, prefixes) || datatype, "datatype"));
      }
    } else if (term.type === "bnode") {
      cell.className = "mono";
      cell.textContent = `_:${term.value}`;
    } else {
      cell.textContent = JSON.stringify(term.value);
    }
    return cell;
  }

  function tag(text, title) {
    const element = document.createElement("span");
    element.className = "tag";
    element.title = title;
    element.textContent = text;
    return element;
  }

  function table(columns, rows, prefixes) {
    const element = document.createElement("table");
    element.className = "data";
    const headRow = element.createTHead().insertRow();
    for (const column of ["#", ...columns]) {
      const th = document.createElement("th");
      th.textContent = column;
      headRow.append(th);
    }
    const tbody = element.createTBody();
    rows.slice(0, MAX_ROWS_SHOWN).forEach((row, index) => {
      const tr = tbody.insertRow();
      const number = tr.insertCell();
      number.className = "row-number";
      number.textContent = String(index + 1);
      for (const column of columns) tr.append(termCell(row[column], prefixes));
    });
    return element;
  }

  function summary(count, noun, elapsed) {
    const shown = count > MAX_ROWS_SHOWN ? ` (the first ${MAX_ROWS_SHOWN} shown; download for all)` : "";
    return `${count} ${noun}${count === 1 ? "" : "s"} in ${elapsed} ms${shown}`;
  }

  function showSolutions(json, prefixes, elapsed) {
    if (typeof json.boolean === "boolean") {
      const answer = document.createElement("div");
      answer.className = "ask-answer";
      answer.textContent = json.boolean ? "Yes (true)" : "No (false)";
      results.append(answer);
      statusLine.textContent = `ASK answered in ${elapsed} ms`;
      return;
    }
    const columns = json.head.vars || [];
    const rows = json.results.bindings || [];
    results.append(table(columns, rows, prefixes));
    statusLine.textContent = summary(rows.length, "row", elapsed);
  }

  function showTriples(triples, prefixes, elapsed) {
    results.append(table(["subject", "predicate", "object"], triples, prefixes));
    statusLine.textContent = summary(triples.length, "triple", elapsed);
  }

  // An answer in a format this page does not tabulate is still worth seeing as it came.
  function showText(body, contentType, elapsed) {
    const pre = document.createElement("pre");
    pre.className = "raw-answer";
    pre.textContent = body;
    results.append(pre);
    statusLine.textContent = `${contentType || "An answer"} in ${elapsed} ms`;
  }

  // --- N-Triples, for CONSTRUCT and DESCRIBE answers -----------------------------------------

  const NT_TERM = /\s*(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)/y;

  function unescapeLiteral(text) {
    return text.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, (all, u4, u8, c) => {
      if (u4 || u8) return String.fromCodePoint(parseInt(u4 || u8, 16));
      return { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", '"': '"', "'": "'", "\\": "\\" }[c] ?? c;
    });
  }

  function parseNTriples(text) {
    const triples = [];
    for (const line of text.split("\n")) {
      if (!line.trim() || line.trim().startsWith("#")) continue;
      const terms = [];
      NT_TERM.lastIndex = 0;
      for (let i = 0; i < 3; i++) {
        const match = NT_TERM.exec(line);
        if (!match) break;
        if (match[1] !== undefined) terms.push({ type: "uri", value: match[1] });
        else if (match[2] !== undefined) terms.push({ type: "bnode", value: match[2] });
        else {
          const term = { type: "literal", value: unescapeLiteral(match[3]) };
          if (match[4]) term["xml:lang"] = match[4];
          if (match[5]) term.datatype = match[5];
          terms.push(term);
        }
      }
      if (terms.length === 3) triples.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    }
    return triples;
  }

  refreshEditor();
})();
