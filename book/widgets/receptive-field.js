// Chapters 3 and 5: the receptive field of a stack of layers. Build a stack of
// convolutions and poolings and see how many input pixels one value of each layer depends
// on, drawn on the input.
//
// Starting from r = 1, j = 1:   r' = r + (k - 1) * j,   j' = j * s

"use strict";

CnnWidgets.register("receptive-field", async function (element) {
  const W = CnnWidgets;
  const data = await W.load("receptive_field");
  const state = { layers: data.stacks[1].layers.map((l) => l.slice()), highlighted: null };

  // ---- the arithmetic ----

  function fields(layers) {
    let field = 1;
    let jump = 1;
    return layers.map(([, kernel, stride]) => {
      field += (kernel - 1) * jump;
      jump *= stride;
      return [field, jump];
    });
  }

  // ---- the page ----

  W.heading(
    element,
    W.t("Try it: receptive fields"),
    W.t(
      "Start from a stack, or add and remove layers and change their kernels and strides. The picture " +
        "shows, for one value of each layer, the patch of input pixels it depends on; focus a row of the " +
        "table to pick out its square."
    )
  );
  const preset = W.select(
    W.t("stack"),
    data.stacks.map((stack, i) => [i, W.t(stack.name)]),
    1,
    (v) => {
      state.layers = data.stacks[Number(v)].layers.map((l) => l.slice());
      state.highlighted = null;
      render();
    }
  );
  const addConv = W.make("button", { type: "button", "data-action": "add-conv", onclick: () => add(["conv", 3, 1]) }, W.t("+ 3x3 convolution"));
  const addPool = W.make("button", { type: "button", "data-action": "add-pool", onclick: () => add(["pool", 2, 2]) }, W.t("+ 2x2 pooling"));
  const clear = W.make("button", { type: "button", "data-action": "clear", onclick: () => { state.layers = []; render(); } }, W.t("Remove all"));
  element.append(W.make("div", { class: "widget-controls" }, preset.label), W.make("div", { class: "widget-controls" }, addConv, addPool, clear));
  const tableBox = W.make("div", { class: "widget-panel widget-scroll" });
  const canvas = W.make("canvas", { class: "widget-map", "aria-label": W.t("receptive fields drawn on the input") });
  const pictureBox = W.make("div", { class: "widget-panel" }, canvas);
  const note = W.make("p", { class: "widget-note", "data-role": "note", "aria-live": "polite" });
  element.append(W.make("div", { class: "widget-row" }, tableBox, pictureBox), note);

  function add(layer) {
    if (state.layers.length >= 12) return;
    state.layers.push(layer);
    render();
  }

  const palette = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

  function render() {
    const result = fields(state.layers);
    const table = W.make("table", { class: "widget-table", "data-role": "fields" });
    table.append(
      W.make("tr", {}, ...["layer", "kernel", "stride", "field r", "jump j"].map((h) => W.make("th", {}, W.t(h))), W.make("th", {}, ""))
    );
    state.layers.forEach((layer, index) => {
      const [kind, kernel, stride] = layer;
      const kindSelect = W.make("select", {
        "aria-label": W.t("layer {n} kind", { n: index + 1 }),
        onchange: () => {
          layer[0] = kindSelect.value;
          render();
        },
      }, W.make("option", { value: "conv", selected: kind === "conv" }, W.t("conv")), W.make("option", { value: "pool", selected: kind === "pool" }, W.t("pool")));
      const numberCell = (position, label) => {
        const input = W.make("input", {
          type: "number",
          min: 1,
          max: 9,
          value: layer[position],
          "aria-label": W.t("layer {n} " + label, { n: index + 1 }),
          // For the browser test, in every language.
          "data-input": "layer " + (index + 1) + " " + label,
          onchange: () => {
            const v = Math.round(Number(input.value));
            layer[position] = Number.isFinite(v) ? Math.min(9, Math.max(1, v)) : 1;
            render();
          },
        });
        return W.make("td", {}, input);
      };
      const remove = W.make("button", {
        type: "button",
        "aria-label": W.t("remove layer {n}", { n: index + 1 }),
        onclick: () => {
          state.layers.splice(index, 1);
          render();
        },
      }, "×");
      const [field, jump] = result[index];
      const row = W.make(
        "tr",
        {
          tabindex: 0,
          "data-field": field,
          "data-jump": jump,
          onfocusin: () => highlight(index),
          onmouseenter: () => highlight(index),
        },
        W.make("td", {}, W.make("span", { class: "widget-swatch", style: "background:" + palette[index % palette.length] }), " ", kindSelect),
        numberCell(1, "kernel"),
        numberCell(2, "stride"),
        W.make("td", { class: "widget-number" }, String(field)),
        W.make("td", { class: "widget-number" }, String(jump)),
        W.make("td", {}, remove)
      );
      table.append(row);
    });
    tableBox.replaceChildren(table);
    draw(result);
    const last = result[result.length - 1];
    note.textContent = last
      ? W.t("One value of the last layer depends on {r} x {r} input pixels; neighbouring values are {j} pixels apart.", { r: last[0], j: last[1] })
      : W.t("No layers: every value is one pixel.");
    element.cnnState = { layers: state.layers.map((l) => l.slice()), fields: result };
  }

  function highlight(index) {
    state.highlighted = index;
    draw(fields(state.layers));
  }

  // Nested squares, centred, one per layer, on a grid of input pixels.
  function draw(result) {
    const largest = result.length ? result[result.length - 1][0] : 1;
    const side = largest + 4;
    const cell = Math.max(2, Math.floor(240 / side));
    canvas.width = canvas.height = side * cell;
    const context = canvas.getContext("2d");
    const styles = getComputedStyle(element);
    context.fillStyle = styles.getPropertyValue("--bg") || "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.strokeStyle = "rgba(128,128,128,0.35)";
    context.lineWidth = 1;
    if (cell >= 6) {
      for (let i = 0; i <= side; i++) {
        context.beginPath();
        context.moveTo(i * cell + 0.5, 0);
        context.lineTo(i * cell + 0.5, side * cell);
        context.moveTo(0, i * cell + 0.5);
        context.lineTo(side * cell, i * cell + 0.5);
        context.stroke();
      }
    }
    const centre = Math.floor(side / 2);
    context.fillStyle = "rgba(128,128,128,0.8)";
    context.fillRect(centre * cell, centre * cell, cell, cell);
    result.forEach(([field], index) => {
      const start = centre - Math.floor((field - 1) / 2);
      context.strokeStyle = palette[index % palette.length];
      context.lineWidth = state.highlighted === index ? 4 : 2;
      context.strokeRect(start * cell + 1, start * cell + 1, field * cell - 2, field * cell - 2);
    });
  }

  render();
});
