// Chapter 2: the convolution stepper. The lecture's 6x6 image and its two filters, or
// your own values: step or drag the window, see the nine products and their sum, watch
// the output fill in; change stride and padding.
//
// y[i, j] = sum_u sum_v x[i*S + u - P, j*S + v - P] * w[u, v]   (zero outside the image)

"use strict";

CnnWidgets.register("convolution", async function (element) {
  const W = CnnWidgets;
  const data = await W.load("convolution");
  const K = 3;
  const state = {
    preset: "0",
    image: data.image.map((row) => row.slice()),
    kernel: data.filters[0].map((row) => row.slice()),
    stride: 1,
    padding: 0,
    position: 0, // raster index of the current output position
    showAll: false,
    editing: false,
  };

  // ---- the arithmetic ----

  const n = () => state.image.length;
  const outputSize = () => Math.floor((n() + 2 * state.padding - K) / state.stride) + 1;
  // The padded input at (r, c): the image shifted by P, zero in the padding.
  function padded(r, c) {
    const i = r - state.padding;
    const j = c - state.padding;
    return i >= 0 && j >= 0 && i < n() && j < n() ? state.image[i][j] : 0;
  }
  // The nine products of output (i, j), row by row, and their sum.
  function products(i, j) {
    const terms = [];
    for (let u = 0; u < K; u++) {
      for (let v = 0; v < K; v++) {
        const x = padded(i * state.stride + u, j * state.stride + v);
        terms.push({ u, v, x, w: state.kernel[u][v], product: x * state.kernel[u][v] });
      }
    }
    return { terms, sum: terms.reduce((s, t) => s + t.product, 0) };
  }
  function output() {
    const o = outputSize();
    return Array.from({ length: o }, (_, i) => Array.from({ length: o }, (_, j) => products(i, j).sum));
  }

  // ---- the page ----

  W.heading(
    element,
    W.t("Try it: the convolution stepper"),
    W.t(
      "Step with the buttons, or focus the input and use the arrow keys (Home and End jump to the " +
        "first and last position); click or drag on the input to move the window. Edit the kernel's " +
        "weights, or press “Edit the image” to change the pixels."
    )
  );
  const presets = W.select(
    W.t("Start from"),
    [
      ["0", W.t("the lecture image, filter 1 (diagonal)")],
      ["1", W.t("the lecture image, filter 2 (vertical)")],
    ],
    state.preset,
    (value) => {
      state.preset = value;
      reset();
    }
  );
  const stride = W.select(W.t("stride"), [1, 2, 3].map((s) => [s, s]), 1, (v) => {
    state.stride = Number(v);
    state.position = 0;
    render();
  });
  const padding = W.select(W.t("padding"), [0, 1, 2].map((p) => [p, p]), 0, (v) => {
    state.padding = Number(v);
    state.position = 0;
    render();
  });
  const back = W.make("button", { type: "button", "data-action": "back", onclick: () => move(-1) }, W.t("◀ Back"));
  const step = W.make("button", { type: "button", "data-action": "step", onclick: () => move(1) }, W.t("Step ▶"));
  const all = W.make(
    "button",
    {
      type: "button",
      "data-action": "all",
      onclick: () => {
        state.showAll = !state.showAll;
        render();
      },
    },
    W.t("Show all")
  );
  const edit = W.make(
    "button",
    {
      type: "button",
      "data-action": "edit",
      "aria-pressed": "false",
      onclick: () => {
        state.editing = !state.editing;
        render();
      },
    },
    W.t("Edit the image")
  );
  const resetButton = W.make("button", { type: "button", "data-action": "reset", onclick: () => reset() }, W.t("Reset"));
  element.append(
    W.make("div", { class: "widget-controls" }, presets.label, stride.label, padding.label),
    W.make("div", { class: "widget-controls" }, back, step, all, edit, resetButton)
  );

  const inputBox = W.make("div", { class: "widget-panel" });
  const kernelBox = W.make("div", { class: "widget-panel" });
  const outputBox = W.make("div", { class: "widget-panel" });
  const productsBox = W.make("div", { class: "widget-panel widget-wide", "aria-live": "polite" });
  element.append(W.make("div", { class: "widget-row" }, inputBox, kernelBox, outputBox), productsBox);

  // The kernel: nine number fields, built once.
  const kernelInputs = [];
  kernelBox.append(
    W.make("p", { class: "widget-caption" }, "kernel w"),
    W.grid(K, K, () => "", (td, u, v) => {
      const input = W.make("input", {
        type: "number",
        step: "any",
        value: state.kernel[u][v],
        "aria-label": W.t("kernel weight row {u} column {v}", { u, v }),
        "data-kernel": u + "," + v,
        onchange: () => {
          const value = Number(input.value);
          if (Number.isFinite(value)) state.kernel[u][v] = value;
          render();
        },
      });
      kernelInputs.push(input);
      td.append(input);
    })
  );

  function reset() {
    const preset = Number(state.preset);
    state.image = data.image.map((row) => row.slice());
    state.kernel = data.filters[preset].map((row) => row.slice());
    state.position = 0;
    state.showAll = false;
    state.editing = false;
    kernelInputs.forEach((input) => {
      const [u, v] = input.dataset.kernel.split(",").map(Number);
      input.value = state.kernel[u][v];
    });
    render();
  }

  function move(delta) {
    const o = outputSize();
    state.position = Math.max(0, Math.min(o * o - 1, state.position + delta));
    render();
  }
  function moveTo(i, j) {
    const o = outputSize();
    state.position = Math.max(0, Math.min(o - 1, i)) * o + Math.max(0, Math.min(o - 1, j));
    render();
  }

  // The padded input, with the window drawn on it; focusable, moved by keys and pointer.
  function inputGrid(i, j) {
    const size = n() + 2 * state.padding;
    const top = i * state.stride;
    const left = j * state.stride;
    const table = W.grid(size, size, (r, c) => W.format(padded(r, c)), (td, r, c) => {
      const inPadding =
        r < state.padding || c < state.padding || r >= n() + state.padding || c >= n() + state.padding;
      if (inPadding) td.classList.add("widget-padding");
      if (r >= top && r < top + K && c >= left && c < left + K) td.classList.add("widget-window");
      td.dataset.row = r;
      td.dataset.col = c;
    }, { tabindex: 0, role: "application", "aria-label": "input with the window; arrow keys move it", "data-role": "input" });
    table.addEventListener("keydown", (event) => {
      const o = outputSize();
      const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
      if (moves[event.key]) {
        moveTo(i + moves[event.key][0], j + moves[event.key][1]);
      } else if (event.key === "Home") {
        moveTo(0, 0);
      } else if (event.key === "End") {
        moveTo(o - 1, o - 1);
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation(); // mdBook turns the page on the arrow keys
      element.querySelector('[data-role="input"]').focus();
    });
    // Drag: the window follows the pointer, centred on the cell under it.
    const follow = (event) => {
      const cell = event.target.closest("td");
      if (!cell || !table.contains(cell)) return;
      const r = Number(cell.dataset.row);
      const c = Number(cell.dataset.col);
      const ni = Math.round((r - 1) / state.stride);
      const nj = Math.round((c - 1) / state.stride);
      if (ni !== i || nj !== j) moveTo(ni, nj);
    };
    table.addEventListener("pointerdown", (event) => {
      dragging = true;
      follow(event);
    });
    table.addEventListener("pointermove", (event) => dragging && follow(event));
    return table;
  }
  let dragging = false;
  window.addEventListener("pointerup", () => (dragging = false));

  // The image as 36 number fields, for editing.
  function imageEditor() {
    return W.grid(n(), n(), () => "", (td, r, c) => {
      const input = W.make("input", {
        type: "number",
        step: "any",
        value: state.image[r][c],
        "aria-label": W.t("pixel row {r} column {c}", { r, c }),
        "data-pixel": r + "," + c,
        onchange: () => {
          const value = Number(input.value);
          if (Number.isFinite(value)) state.image[r][c] = value;
          renderOutput();
        },
      });
      td.append(input);
    });
  }

  function render() {
    const o = outputSize();
    state.position = Math.min(state.position, o * o - 1);
    const i = Math.floor(state.position / o);
    const j = state.position % o;
    const focused = document.activeElement && document.activeElement.dataset.role === "input";
    inputBox.replaceChildren(
      W.make("p", { class: "widget-caption" }, state.editing ? W.t("image x (edit the pixels)") : W.t("input x, padded by {p}", { p: state.padding })),
      state.editing ? imageEditor() : inputGrid(i, j)
    );
    if (focused && !state.editing) inputBox.querySelector('[data-role="input"]').focus();
    edit.setAttribute("aria-pressed", String(state.editing));
    edit.textContent = state.editing ? W.t("Done editing") : W.t("Edit the image");
    all.textContent = state.showAll ? W.t("Fill step by step") : W.t("Show all");
    renderOutput();
  }

  function renderOutput() {
    const o = outputSize();
    const i = Math.floor(state.position / o);
    const j = state.position % o;
    const values = output();
    outputBox.replaceChildren(
      W.make("p", { class: "widget-caption" }, W.t("output y, {o} x {o}", { o })),
      W.grid(o, o, (r, c) => (state.showAll || r * o + c <= state.position ? W.format(values[r][c]) : ""), (td, r, c) => {
        td.dataset.row = r;
        td.dataset.col = c;
        td.dataset.value = values[r][c];
        td.classList.add("widget-clickable");
        if (r === i && c === j && !state.editing) td.classList.add("widget-current");
        td.addEventListener("click", () => moveTo(r, c));
      }, { "data-role": "output" })
    );
    const { terms, sum } = products(i, j);
    const cells = W.grid(K, K, (u, v) => {
      const t = terms[u * K + v];
      return W.format(t.x) + " × " + W.format(t.w) + " = " + W.format(t.product);
    });
    productsBox.replaceChildren(
      W.make("p", { class: "widget-caption" }, W.t("position ({i}, {j}): the window starts at row {row}, column {column} of the padded input", { i, j, row: i * state.stride, column: j * state.stride })),
      cells,
      W.make("p", { class: "widget-sum", "data-role": "sum", "data-value": sum }, W.t("sum of the nine products: y[{i}, {j}] = {sum}", { i, j, sum: W.format(sum) }))
    );
    element.cnnState = { stride: state.stride, padding: state.padding, position: [i, j], output: values, sum, terms };
  }

  render();
});
