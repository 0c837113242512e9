// Chapter 4: the output-size formula. Choose W, K, P and S (the book's notation) and watch the window slide
// over the padded input, in the style of Dumoulin and Visin's convolution arithmetic;
// the formula with the numbers filled in; pixels that no window covers are marked.
//
// W' = floor((W + 2P - K) / S) + 1,  and  (W + 2P - K) mod S  rows and columns are dropped.
// In the code, n, k, p and s are W, K, P and S.

"use strict";

CnnWidgets.register("output-size", async function (element) {
  const W = CnnWidgets;
  const state = { n: 8, k: 3, p: 0, s: 2, position: 0, playing: false };

  // ---- the arithmetic ----

  // The output size, or null when the kernel does not fit the padded input.
  function compute(n, k, s, p) {
    if (k < 1 || s < 1 || k > n + 2 * p) return { output: null, dropped: null, coverage: [] };
    const output = Math.floor((n + 2 * p - k) / s) + 1;
    const dropped = (n + 2 * p - k) % s;
    // How many windows cover each input pixel along one side (padding not included).
    const coverage = Array(n).fill(0);
    for (let t = 0; t < output; t++) {
      for (let u = 0; u < k; u++) {
        const x = t * s + u - p;
        if (x >= 0 && x < n) coverage[x] += 1;
      }
    }
    return { output, dropped, coverage };
  }

  // ---- the page ----

  W.heading(
    element,
    W.t("Try it: output size"),
    W.t(
      "Change W, K, P and S (the fields take the arrow keys). Step or play to slide the window; " +
        "each number in a pixel is how many windows cover it, and a red pixel is never covered."
    )
  );
  const fields = {};
  const controls = W.make("div", { class: "widget-controls" });
  for (const [key, label, min, max] of [
    ["n", "input W", 1, 12],
    ["k", "kernel K", 1, 6],
    ["p", "padding P", 0, 3],
    ["s", "stride S", 1, 4],
  ]) {
    const field = W.number(W.t(label), min, max, state[key], (v) => {
      state[key] = v;
      state.position = 0;
      render();
    });
    field.element.dataset.field = key;
    fields[key] = field.element;
    controls.append(field.label);
  }
  const back = W.make("button", { type: "button", "data-action": "back", onclick: () => advance(-1) }, W.t("◀ Back"));
  const step = W.make("button", { type: "button", "data-action": "step", onclick: () => advance(1) }, W.t("Step ▶"));
  const play = W.make("button", { type: "button", "data-action": "play", "aria-pressed": "false", onclick: () => toggle() }, W.t("Play"));
  element.append(controls, W.make("div", { class: "widget-controls" }, back, step, play));
  const formula = W.make("p", { class: "widget-formula", "data-role": "formula", "aria-live": "polite" });
  const picture = W.make("div", { class: "widget-row" });
  const note = W.make("p", { class: "widget-note", "data-role": "note" });
  element.append(formula, picture, note);

  let timer = null;
  function toggle() {
    state.playing = !state.playing;
    play.setAttribute("aria-pressed", String(state.playing));
    play.textContent = state.playing ? W.t("Pause") : W.t("Play");
    if (timer) clearInterval(timer);
    timer = state.playing ? setInterval(() => advance(1, true), 700) : null;
  }
  function advance(delta, wrap) {
    const { output } = compute(state.n, state.k, state.s, state.p);
    if (!output) return;
    const count = output * output;
    state.position = wrap ? (state.position + delta + count) % count : Math.max(0, Math.min(count - 1, state.position + delta));
    render();
  }

  function render() {
    const { n, k, p, s } = state;
    const result = compute(n, k, s, p);
    const padded = n + 2 * p;
    if (result.output === null) {
      formula.textContent =
        W.t("The kernel does not fit: K = {k} is larger than the padded input W + 2P = {padded}.", { k, padded });
      formula.dataset.output = "";
      picture.replaceChildren();
      note.textContent = W.t("cnn-core refuses this configuration with an error that gives these numbers.");
      element.cnnState = Object.assign({ n, k, p, s }, result);
      return;
    }
    const o = result.output;
    const inner = n + 2 * p - k;
    formula.replaceChildren(
      "W′ = ⌊(W + 2P − K) / S⌋ + 1 = ⌊(" + n + " + 2·" + p + " − " + k + ") / " + s + "⌋ + 1 = ⌊" +
        inner + " / " + s + "⌋ + 1 = " + Math.floor(inner / s) + " + 1 = ",
      W.make("strong", { "data-role": "output" }, String(o))
    );
    formula.dataset.output = o;
    formula.dataset.dropped = result.dropped;
    const i = Math.floor(state.position / o);
    const j = state.position % o;
    const top = i * s;
    const left = j * s;
    const input = W.grid(padded, padded, (r, c) => {
      const x = r - p;
      const y = c - p;
      if (x < 0 || y < 0 || x >= n || y >= n) return "";
      return String(result.coverage[x] * result.coverage[y]);
    }, (td, r, c) => {
      const x = r - p;
      const y = c - p;
      const inside = x >= 0 && y >= 0 && x < n && y < n;
      td.classList.add(inside ? "widget-pixel" : "widget-padding");
      if (inside) {
        td.dataset.coverage = result.coverage[x] * result.coverage[y];
        if (result.coverage[x] * result.coverage[y] === 0) td.classList.add("widget-dropped");
      }
      if (r >= top && r < top + k && c >= left && c < left + k) td.classList.add("widget-window");
    }, { "data-role": "input", "aria-label": W.t("padded input, {padded} by {padded}", { padded }) });
    const out = W.grid(o, o, () => "", (td, r, c) => {
      if (r * o + c < state.position) td.classList.add("widget-done");
      if (r === i && c === j) td.classList.add("widget-current");
    }, { "data-role": "output" });
    picture.replaceChildren(
      W.make("div", { class: "widget-panel widget-scroll" }, W.make("p", { class: "widget-caption" }, W.t("input {n} x {n}, padded to {padded} x {padded}", { n, padded })), input),
      W.make("div", { class: "widget-panel" }, W.make("p", { class: "widget-caption" }, W.t("output {o} x {o}, window ({i}, {j})", { o, i, j })), out)
    );
    note.textContent =
      result.dropped === 0
        ? W.t("W + 2P − K = {inner} is a multiple of S = {s}: the windows fit exactly.", { inner, s })
        : W.t(
            result.dropped === 1
              ? "W + 2P − K = {inner} is not a multiple of S = {s}: the floor drops the remainder {inner} mod {s} = {dropped}, so the last {dropped} row and column of the padded input are never covered."
              : "W + 2P − K = {inner} is not a multiple of S = {s}: the floor drops the remainder {inner} mod {s} = {dropped}, so the last {dropped} rows and columns of the padded input are never covered.",
            { inner, s, dropped: result.dropped }
          );
    element.cnnState = Object.assign({ n, k, p, s }, result);
  }

  element.cnnCompute = compute;
  render();
});
