// The Comity query page: a small SPARQL editor (line numbers, highlighting) that runs queries
// against the endpoint and shows the results as a table, or on request as a chart or a map drawn
// in SVG. Plain browser JavaScript, no libraries, so the page works without a network connection.
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
  const views = document.getElementById("views");
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
    views.textContent = "";
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
    const rowsTable = table(columns, rows, prefixes);
    results.append(rowsTable);
    statusLine.textContent = summary(rows.length, "row", elapsed);
    offerViews(columns, rows, rowsTable, prefixes);
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

  // --- a result as a chart or a map ----------------------------------------------------------

  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const SVG_NS = "http://www.w3.org/2000/svg";
  const DATE_TYPES = new Set(["date", "dateTime", "gYearMonth", "gYear"].map((name) => XSD + name));
  const NUMBER_TYPES = new Set((
    "integer decimal float double nonNegativeInteger positiveInteger nonPositiveInteger " +
    "negativeInteger long int short byte unsignedLong unsignedInt unsignedShort unsignedByte"
  ).split(" ").map((name) => XSD + name));
  const TYPED_DATE = /^(-?\d{4,})(?:-(\d{2})(?:-(\d{2}))?)?/;
  // A plain string is a date only with its month: a bare "2005" may as well be a number.
  const STRING_DATE = /^(\d{4})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?$/;
  const CODE = /^[A-Z]{3}$/;
  const CHART = { width: 834, left: 72, right: 24, top: 28, height: 220, bottom: 56 };
  const MAX_SERIES = 8; // as many lines as comity.css has colours for
  const LEGEND = { columns: 4, width: 190, row: 18, characters: 28 };
  let outlines = null; // the world's country outlines, fetched once, when a map is first asked for

  function isLiteral(term) {
    return term.type === "literal" || term.type === "typed-literal";
  }

  // The earliest day a date literal can mean, in milliseconds, as the treaty pages place dates.
  function dayOf(term) {
    if (!isLiteral(term) || term["xml:lang"]) return null;
    const typed = DATE_TYPES.has(term.datatype);
    if (!typed && term.datatype && term.datatype !== XSD + "string") return null;
    const match = (typed ? TYPED_DATE : STRING_DATE).exec(term.value);
    if (!match) return null;
    const day = new Date(0);
    day.setUTCFullYear(Number(match[1]), Number(match[2] || 1) - 1, Number(match[3] || 1));
    return day.getTime();
  }

  function numberOf(term) {
    if (!isLiteral(term) || !NUMBER_TYPES.has(term.datatype)) return null;
    const value = Number(term.value);
    return Number.isFinite(value) ? value : null;
  }

  // An ISO 3166-1 alpha-3 code, written as one or as the end of a state's IRI.
  function codeOf(term) {
    if (isLiteral(term)) return CODE.test(term.value) ? term.value : null;
    const state = page.base + "state/";
    if (term.type === "uri" && term.value.startsWith(state) && CODE.test(term.value.slice(state.length))) {
      return term.value.slice(state.length);
    }
    return null;
  }

  // What a value of a column that names things is called on a chart: a resource as the table
  // shows it, a text as it is; null for dates, numbers and blank nodes, which name nothing.
  function nameOf(term, prefixes) {
    if (term.type === "uri") {
      if (term.value.startsWith(page.base) && term.value.length > page.base.length) return term.value.slice(page.base.length);
      return compact(term.value, prefixes) || term.value;
    }
    if (!isLiteral(term) || dayOf(term) !== null || numberOf(term) !== null) return null;
    return term.value;
  }

  // A column qualifies when it is bound somewhere and every value it has reads as wanted.
  function everyBound(rows, column, read) {
    let bound = false;
    for (const row of rows) {
      if (!row[column]) continue;
      if (read(row[column]) === null) return false;
      bound = true;
    }
    return bound;
  }

  // The table is the first view; a chart or a map is offered when the columns allow one and is
  // drawn only when asked for.
  function offerViews(columns, rows, rowsTable, prefixes) {
    const drawers = [["table", "Table", () => rowsTable]];
    const dateColumn = columns.find((column) => everyBound(rows, column, dayOf));
    const numberColumns = !dateColumn ? [] : columns
      .filter((column) => column !== dateColumn && everyBound(rows, column, numberOf));
    const splitColumn = !numberColumns.length ? undefined : columns.find((column) =>
      column !== dateColumn && rows.every((row) => row[column] && nameOf(row[column], prefixes) !== null));
    const lines = splitColumn
      ? linesPerValue(rows, dateColumn, numberColumns[0], splitColumn, prefixes)
      : linesPerColumn(rows, dateColumn, numberColumns);
    if (lines.series.length) drawers.push(["chart", "Chart", () => chart(dateColumn, lines)]);
    const codeColumn = columns.find((column) => everyBound(rows, column, codeOf));
    if (codeColumn) drawers.push(["map", "Map", () => worldMap(codeColumn, rows)]);
    if (drawers.length === 1) return;
    const drawn = new Map();
    views.append("Show as: ");
    for (const [name, label, draw] of drawers) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.view = name;
      button.textContent = label;
      button.setAttribute("aria-pressed", String(name === "table"));
      button.addEventListener("click", async () => {
        try {
          if (!drawn.has(name)) drawn.set(name, await draw());
        } catch (error) {
          showError(`The ${name} could not be drawn.`, String(error));
          return;
        }
        if (!button.isConnected) return; // another query ran while the outlines came
        views.querySelectorAll("button").forEach((other) => other.setAttribute("aria-pressed", String(other === button)));
        results.replaceChildren(drawn.get(name));
      });
      views.append(button);
    }
  }

  // One line per number column (up to MAX_SERIES), named after it.
  function linesPerColumn(rows, dateColumn, numberColumns) {
    const series = numberColumns
      .slice(0, MAX_SERIES)
      .map((column) => ({ name: `?${column}`, measure: `?${column}`, points: pointsOf(rows, dateColumn, column) }))
      .filter((one) => one.points.length);
    const names = series.map((one) => one.name).join(", ");
    return {
      title: `${names} by ?${dateColumn}`,
      axis: names,
      series,
      legend: series.length > 1,
      unplaced: rows.length - Math.max(0, ...series.map((one) => one.points.length)),
      notes: [],
    };
  }

  // One line per value of a column that names things (?treaty ?date ?count: a line per treaty),
  // for the first number column; the first MAX_SERIES values in the result's order are drawn.
  function linesPerValue(rows, dateColumn, numberColumn, splitColumn, prefixes) {
    const groups = new Map();
    for (const row of rows) {
      const name = nameOf(row[splitColumn], prefixes);
      if (!groups.has(name)) groups.set(name, []);
      groups.get(name).push(row);
    }
    const all = [...groups]
      .map(([name, members]) => ({ name, measure: `${name}, ?${numberColumn}`, points: pointsOf(members, dateColumn, numberColumn) }))
      .filter((one) => one.points.length);
    const series = all.slice(0, MAX_SERIES);
    const left = all.length - series.length;
    const notes = left ? [`${left} more values of ?${splitColumn} are not drawn: a chart has at most ${MAX_SERIES} lines, the first values in the result's order.`] : [];
    return {
      title: `?${numberColumn} by ?${dateColumn}, one line per ?${splitColumn}`,
      axis: `?${numberColumn}`,
      series,
      legend: true,
      unplaced: rows.length - all.reduce((sum, one) => sum + one.points.length, 0),
      notes,
    };
  }

  function pointsOf(rows, dateColumn, column) {
    return rows
      .filter((row) => row[dateColumn] && row[column])
      .map((row) => ({ day: dayOf(row[dateColumn]), value: numberOf(row[column]), date: row[dateColumn].value, number: row[column].value }))
      .sort((a, b) => a.day - b.day);
  }

  function svgElement(name, attributes, text) {
    const element = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, String(value));
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function picture(className, width, height, title, description) {
    const svg = svgElement("svg", { class: `picture ${className}`, role: "img", viewBox: `0 0 ${width} ${height}`, width, height });
    svg.append(svgElement("title", {}, title), svgElement("desc", {}, description));
    return svg;
  }

  // A picture in the results, with what it leaves out said under it.
  function figure(svg, note) {
    const element = document.createElement("figure");
    element.className = "result-picture";
    element.append(svg);
    if (note) {
      const caption = document.createElement("figcaption");
      caption.className = "note";
      caption.textContent = note;
      element.append(caption);
    }
    return element;
  }

  // The smallest of 1, 2, 5 times a power of ten that cuts the range into at most `most` steps.
  function niceStep(range, most) {
    const power = 10 ** Math.floor(Math.log10(range / most || 1));
    return [1, 2, 5, 10].map((factor) => factor * power).find((step) => range / step <= most);
  }

  // Dates on x from the first of January of the first year to that after the last, numbers on y
  // from zero (or below, for negative values); one line and one circle per point for each series,
  // and a legend under the axis when the lines need telling apart.
  function chart(dateColumn, lines) {
    const series = lines.series;
    const all = series.flatMap((one) => one.points);
    const firstYear = new Date(Math.min(...all.map((point) => point.day))).getUTCFullYear();
    const lastYear = new Date(Math.max(...all.map((point) => point.day))).getUTCFullYear() + 1;
    const yearStart = (year) => { const day = new Date(0); day.setUTCFullYear(year, 0, 1); return day.getTime(); };
    const [start, end] = [yearStart(firstYear), yearStart(lastYear)];
    const plotWidth = CHART.width - CHART.left - CHART.right;
    const x = (day) => (CHART.left + plotWidth * (day - start) / (end - start)).toFixed(1);
    const values = all.map((point) => point.value);
    const step = niceStep(Math.max(...values, 0) - Math.min(...values, 0), 5);
    const low = Math.floor(Math.min(...values, 0) / step) * step;
    const high = Math.max(Math.ceil(Math.max(...values, 0) / step) * step, low + step);
    const bottom = CHART.top + CHART.height;
    const y = (value) => (bottom - CHART.height * (value - low) / (high - low)).toFixed(1);

    const drawn = series.map((one) => {
      const [first, last] = [one.points[0], one.points[one.points.length - 1]];
      const least = Math.min(...one.points.map((point) => point.value));
      const most = Math.max(...one.points.map((point) => point.value));
      return `${one.name}: ${one.points.length} points from ${first.date} to ${last.date}, between ${least} and ${most}`;
    });
    const unplaced = lines.unplaced > 0 ? [`${lines.unplaced} rows without both a date and a number are not drawn.`] : [];
    const note = [...unplaced, ...lines.notes].join(" ");
    const legendRows = lines.legend ? Math.ceil(series.length / LEGEND.columns) : 0;
    const legendTop = bottom + CHART.bottom + LEGEND.row / 2;
    const height = bottom + CHART.bottom + legendRows * LEGEND.row;
    const svg = picture("chart", CHART.width, height, lines.title, `${drawn.join("; ")}. ${note}`.trim());

    const levels = svgElement("g", { class: "levels" });
    for (let index = 0; low + index * step <= high + step / 2; index++) {
      const level = low + index * step;
      const label = Number(level.toPrecision(12)).toLocaleString("en");
      levels.append(
        svgElement("line", { x1: CHART.left, x2: CHART.left + plotWidth, y1: y(level), y2: y(level) }),
        svgElement("text", { x: CHART.left - 6, y: Number(y(level)) + 4, "text-anchor": "end" }, label),
      );
    }
    const axis = svgElement("g", { class: "axis" });
    axis.append(svgElement("line", { x1: CHART.left, x2: CHART.left + plotWidth, y1: bottom, y2: bottom }));
    const yearStep = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000].find((years) => (lastYear - firstYear) / years <= 8) || 1000;
    for (let year = Math.ceil(firstYear / yearStep) * yearStep; year <= lastYear; year += yearStep) {
      axis.append(
        svgElement("line", { x1: x(yearStart(year)), x2: x(yearStart(year)), y1: bottom, y2: bottom + 5 }),
        svgElement("text", { x: x(yearStart(year)), y: bottom + 18, "text-anchor": "middle" }, String(year)),
      );
    }
    axis.append(
      svgElement("text", { class: "axis-label", x: CHART.left + plotWidth / 2, y: bottom + 44, "text-anchor": "middle" }, `?${dateColumn}`),
      svgElement("text", { class: "axis-label", transform: `translate(16 ${CHART.top + CHART.height / 2}) rotate(-90)`, "text-anchor": "middle" }, lines.axis),
    );
    svg.append(levels, axis);

    series.forEach((one, index) => {
      const group = svgElement("g", { class: `series series-${index}` });
      const path = one.points.map((point, at) => `${at ? "L" : "M"}${x(point.day)} ${y(point.value)}`).join("");
      group.append(svgElement("path", { class: "line", d: path }));
      for (const point of one.points) {
        const circle = svgElement("circle", { class: "point", cx: x(point.day), cy: y(point.value), r: 4 });
        circle.append(svgElement("title", {}, `${point.date}: ${one.measure} ${point.number}`));
        group.append(circle);
      }
      svg.append(group);
    });
    if (lines.legend) svg.append(legend(series, legendTop));
    return figure(svg, note);
  }

  // A swatch of each line's colour and its name, four to a row; a name too long for its place
  // is cut, and given whole in a tooltip.
  function legend(series, top) {
    const element = svgElement("g", { class: "legend" });
    series.forEach((one, index) => {
      const left = CHART.left + (index % LEGEND.columns) * LEGEND.width;
      const baseline = top + Math.floor(index / LEGEND.columns) * LEGEND.row;
      const cut = one.name.length > LEGEND.characters;
      const entry = svgElement("g", { class: `legend-entry series-${index}` });
      entry.append(
        svgElement("line", { class: "swatch", x1: left, x2: left + 18, y1: baseline - 4, y2: baseline - 4 }),
        svgElement("text", { x: left + 24, y: baseline }, cut ? `${one.name.slice(0, LEGEND.characters - 1)}…` : one.name),
      );
      if (cut) entry.append(svgElement("title", {}, one.name));
      element.append(entry);
    });
    return element;
  }

  async function worldOutlines() {
    if (!outlines) {
      outlines = fetch(page.outlines).then((response) => {
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`.trim());
        return response.json();
      });
      outlines.catch(() => { outlines = null; }); // a failed fetch is tried again next time
    }
    return outlines;
  }

  // The world's outlines with the countries the column names filled; codes without an outline
  // at this scale (small states, codes that are no country's) are listed under the map.
  async function worldMap(codeColumn, rows) {
    const world = await worldOutlines();
    const codes = new Set(rows.filter((row) => row[codeColumn]).map((row) => codeOf(row[codeColumn])));
    const missing = [...codes].filter((code) => !Object.hasOwn(world.countries, code)).sort();
    const note = missing.length ? `No outline at this scale for ${missing.join(", ")}.` : "";
    const description = `${codes.size - missing.length} of the ${codes.size} countries in ?${codeColumn} filled. ${note}`.trim();
    const svg = picture("map", world.width, world.height, `Map of ?${codeColumn}`, description);
    svg.append(svgElement("rect", { class: "sea", x: 0, y: 0, width: world.width, height: world.height }));
    const countries = svgElement("g", { class: "countries" });
    for (const [code, outline] of Object.entries(world.countries)) {
      const path = svgElement("path", { class: codes.has(code) ? "country filled" : "country", d: outline.path });
      path.append(svgElement("title", {}, `${outline.name} (${code})${codes.has(code) ? "" : ": not in the result"}`));
      countries.append(path);
    }
    svg.append(countries);
    return figure(svg, note);
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
