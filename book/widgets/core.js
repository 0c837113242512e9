// The book's interactive widgets: shared helpers.
//
// Every widget is an element `<div class="widget" data-widget="NAME">` in a chapter. The
// scripts in this folder are loaded on every page (book.toml, `additional-js`); each
// registers its widget with `CnnWidgets.register`, and once the page has loaded, every
// widget element is built by its function. A widget loads its data, which
// examples/book_data.rs computes with cnn-core, from book/generated/widgets/NAME.js: a
// script, not a JSON file, so that the pages also work opened from disk. The widgets
// compute in the page (plain JavaScript, nothing from the network); the browser test
// (`cargo xtask browser-test`) compares what they show with cnn-core's values.
//
// Each widget leaves its numbers on its root element as `element.cnnState`, for the test.

"use strict";

window.CnnWidgets = (function () {
  const builders = {};
  const data = {};
  const waiting = {};
  // The page's language (mdBook writes `<html lang="zh-CN">` in the Chinese edition) and the
  // widgets' text in it: `t("Show all")`, `t("output y, {o} x {o}", { o: 4 })`. The texts are
  // keyed by their English wording in strings.js; a text missing there is logged as a console
  // error, which the browser test reports.
  const language = document.documentElement.lang || "en";
  const strings = (window.CnnWidgetStrings || {})[language];
  function t(text, values) {
    let out = text;
    if (strings) {
      if (strings[text] === undefined) console.error("widgets: no " + language + " text for " + JSON.stringify(text));
      else out = strings[text];
    }
    for (const [key, value] of Object.entries(values || {})) out = out.split("{" + key + "}").join(String(value));
    return out;
  }

  // The book's root folder: mdBook's pages define `path_to_root` ("" or "../" ...).
  /* global path_to_root */
  const root = new URL(typeof path_to_root === "string" ? path_to_root : "./", document.baseURI);

  // A data script calls this with its name and contents.
  window.cnnBookData = function (name, value) {
    data[name] = value;
    (waiting[name] || []).forEach((w) => w.resolve(value));
    delete waiting[name];
  };

  // The data file `name`, loaded once (a promise).
  function load(name) {
    if (data[name]) return Promise.resolve(data[name]);
    return new Promise((resolve, reject) => {
      const first = !waiting[name];
      (waiting[name] = waiting[name] || []).push({ resolve, reject });
      if (!first) return;
      const tag = document.createElement("script");
      tag.src = new URL("generated/widgets/" + name + ".js", root).href;
      tag.onerror = () => {
        (waiting[name] || []).forEach((w) =>
          w.reject(new Error("could not load the widget data " + tag.src))
        );
        delete waiting[name];
      };
      document.head.appendChild(tag);
    });
  }

  function register(name, build) {
    builders[name] = build;
  }

  // Build every widget of the page; `CnnWidgets.ready` resolves when all are built.
  let markReady;
  const ready = new Promise((resolve) => (markReady = resolve));
  function start() {
    const elements = Array.from(document.querySelectorAll(".widget[data-widget]"));
    const built = elements.map((element) => {
      const build = builders[element.dataset.widget];
      element.replaceChildren();
      if (!build) {
        return Promise.reject(new Error("no widget named " + element.dataset.widget));
      }
      return Promise.resolve()
        .then(() => build(element))
        .then(() => element.setAttribute("data-ready", "true"))
        .catch((error) => {
          element.replaceChildren(
            make("p", { class: "widget-error" }, t("This widget could not start: {error}", { error: error.message }))
          );
          console.error("widget " + element.dataset.widget + ":", error);
        });
    });
    Promise.all(built).then(() => markReady(elements.length));
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    setTimeout(start, 0);
  }

  // ---- small DOM helpers ----

  // make("button", {class: "x", onclick: f}, "text", child, ...)
  function make(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
      else if (key === "text") element.textContent = value;
      else element.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  // A labelled <select>; `options` are [value, label] pairs.
  function select(label, options, value, onchange) {
    const element = make(
      "select",
      { onchange: () => onchange(element.value) },
      options.map(([v, text]) => make("option", { value: v, selected: String(v) === String(value) }, text))
    );
    return { label: make("label", {}, label + " ", element), element };
  }

  // A labelled number input with bounds.
  function number(label, min, max, value, onchange) {
    let last = value;
    const update = (final) => {
      const v = Math.round(Number(element.value));
      if (element.value === "" || !Number.isFinite(v)) {
        if (final) element.value = last;
        return;
      }
      const clamped = Math.min(max, Math.max(min, v));
      if (final) element.value = clamped;
      if (clamped !== last) {
        last = clamped;
        onchange(clamped);
      }
    };
    const element = make("input", {
      type: "number",
      min,
      max,
      step: 1,
      value,
      oninput: () => update(false),
      onchange: () => update(true),
    });
    return { label: make("label", {}, label + " ", element), element };
  }

  // A number for display: integers as they are, others with up to `digits` decimals.
  function format(value, digits = 3) {
    if (Number.isInteger(value)) return String(value);
    // Too small for `digits` decimals, but not zero: 1.6e-6 rather than 0.
    if (Math.abs(value) < 0.5 * 10 ** -digits) return value.toExponential(1);
    const text = value.toFixed(digits).replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" ? "0" : text;
  }

  // A colour for `value` in [low, high]: "diverging" (blue, white, red around 0) or
  // "sequential" (dark to yellow).
  function color(value, low, high, scale) {
    if (scale === "diverging") {
      const m = Math.max(Math.abs(low), Math.abs(high)) || 1;
      const t = Math.max(-1, Math.min(1, value / m));
      return t >= 0
        ? [255, Math.round(255 * (1 - t)), Math.round(255 * (1 - t))]
        : [Math.round(255 * (1 + t)), Math.round(255 * (1 + t)), 255];
    }
    const t = high > low ? Math.max(0, Math.min(1, (value - low) / (high - low))) : 0;
    // A short viridis-like ramp: dark blue, teal, green, yellow.
    const stops = [
      [68, 1, 84],
      [59, 82, 139],
      [33, 145, 140],
      [94, 201, 98],
      [253, 231, 37],
    ];
    const x = t * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x));
    const f = x - i;
    return stops[i].map((c, k) => Math.round(c + f * (stops[i + 1][k] - c)));
  }

  // Draw a [H][W] map (or a function (i, j) -> value) on a canvas, `cell` pixels per value.
  function drawMap(canvas, map, options) {
    const h = map.length;
    const w = map[0].length;
    const cell = options.cell || 1;
    canvas.width = w * cell;
    canvas.height = h * cell;
    const context = canvas.getContext("2d");
    const image = context.createImageData(w, h);
    let low = options.low;
    let high = options.high;
    if (low === undefined || high === undefined) {
      low = Infinity;
      high = -Infinity;
      for (const row of map) for (const v of row) (low = Math.min(low, v)), (high = Math.max(high, v));
    }
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const rgb = options.grey
          ? Array(3).fill(Math.round(255 * Math.max(0, Math.min(1, map[i][j]))))
          : color(map[i][j], low, high, options.scale);
        image.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * (i * w + j));
      }
    }
    // Draw at one pixel per value, then scale up without smoothing.
    const small = document.createElement("canvas");
    small.width = w;
    small.height = h;
    small.getContext("2d").putImageData(image, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(small, 0, 0, w * cell, h * cell);
    return { low, high };
  }

  // A grid of cells as a table: `value(i, j)` gives the text, `decorate(td, i, j)`
  // may add classes or attributes.
  function grid(rows, columns, value, decorate, attributes) {
    const table = make("table", Object.assign({ class: "widget-grid" }, attributes || {}));
    for (let i = 0; i < rows; i++) {
      const tr = make("tr");
      for (let j = 0; j < columns; j++) {
        const td = make("td", {}, value(i, j));
        if (decorate) decorate(td, i, j);
        tr.append(td);
      }
      table.append(tr);
    }
    return table;
  }

  // The first heading of the widget: what it is, and how to use it with the keyboard.
  function heading(element, title, help) {
    element.append(
      make("p", { class: "widget-title" }, make("strong", {}, title)),
      help ? make("p", { class: "widget-help" }, help) : null
    );
  }

  return { register, load, ready, make, select, number, format, color, drawMap, grid, heading, root, t, language };
})();
