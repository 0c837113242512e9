// Chapter 7: the Tiny VGG explorer. A forward pass in the page, on CNN Explainer's
// trained weights read from their TensorFlow.js files (model.json and the weight shard,
// vendored in data/cnn-explainer/), for the 21 sample images or your own photo. Click a
// feature map to see how it was computed: its input maps, its kernels and, at the position
// under the pointer (or moved with the arrow keys), the dot product; and the softmax with
// its arithmetic.
//
// Layouts as in the files (see data/cnn-explainer/SOURCE.md): convolution kernels are
// HWIO, kernel[u][v][c][f]; flatten is channels last, index (i*W + j)*C + c; the dense
// kernel is [inputs][outputs]. Maps are kept here channel first, x[c][i][j], as in cnn-core.

"use strict";

CnnWidgets.register("tiny-vgg", async function (element) {
  const W = CnnWidgets;
  const [modelData, samples] = await Promise.all([W.load("tiny_vgg_model"), W.load("tiny_vgg_images")]);
  const network = readModel(modelData.model, decodeBase64(modelData.shard));
  const SIZE = 64;

  // ---- reading the TensorFlow.js files ----

  function decodeBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  // The layers of model.json with their tensors cut out of the shard, in manifest order.
  function readModel(model, shard) {
    const view = new DataView(shard.buffer, shard.byteOffset, shard.byteLength);
    const tensors = {};
    let offset = 0;
    for (const group of model.weightsManifest) {
      for (const spec of group.weights) {
        if (spec.dtype !== "float32") throw new Error(spec.name + ": only float32 tensors are read");
        const count = spec.shape.reduce((a, b) => a * b, 1);
        if (offset + 4 * count > shard.byteLength) throw new Error(spec.name + ": the weight shard is too short");
        const values = new Float32Array(count);
        for (let i = 0; i < count; i++) values[i] = view.getFloat32(offset + 4 * i, true); // little-endian
        tensors[spec.name] = { shape: spec.shape, values };
        offset += 4 * count;
      }
    }
    if (offset !== shard.byteLength) throw new Error("the weight shard has " + (shard.byteLength - offset) + " bytes left over");
    const layers = model.modelTopology.model_config.config.layers.map(({ class_name, config }) => {
      const layer = { type: class_name, name: config.name };
      if (class_name === "Conv2D") {
        if (config.padding !== "valid" || config.strides.some((s) => s !== 1)) throw new Error(config.name + ": only valid, stride-1 convolutions");
        layer.kernel = tensors[config.name + "/kernel"];
        layer.bias = tensors[config.name + "/bias"].values;
      } else if (class_name === "Dense") {
        layer.kernel = tensors[config.name + "/kernel"];
        layer.bias = tensors[config.name + "/bias"].values;
        layer.softmax = config.activation === "softmax";
      } else if (class_name === "MaxPooling2D") {
        layer.size = config.pool_size[0];
        layer.stride = config.strides[0];
      } else if (class_name === "Activation") {
        if (config.activation !== "relu") throw new Error(config.name + ": only ReLU activations");
      } else if (class_name !== "Flatten") {
        throw new Error(config.name + ": layer type " + class_name + " is not supported");
      }
      return layer;
    });
    return layers;
  }

  // ---- the forward pass ----

  // A stack of maps: channels c, height h, width w, values[c*h*w + i*w + j].
  const maps = (c, h, w) => ({ c, h, w, values: new Float32Array(c * h * w) });
  const at = (m, c, i, j) => m.values[(c * m.h + i) * m.w + j];

  // y[f, i, j] = b[f] + sum_c sum_u sum_v x[c, i+u, j+v] * kernel[u, v, c, f]
  function conv(x, layer) {
    const [kh, kw, channels, filters] = layer.kernel.shape;
    const k = layer.kernel.values;
    const y = maps(filters, x.h - kh + 1, x.w - kw + 1);
    for (let f = 0; f < filters; f++) {
      for (let i = 0; i < y.h; i++) {
        for (let j = 0; j < y.w; j++) {
          let sum = layer.bias[f];
          for (let c = 0; c < channels; c++) {
            for (let u = 0; u < kh; u++) {
              for (let v = 0; v < kw; v++) sum += at(x, c, i + u, j + v) * k[((u * kw + v) * channels + c) * filters + f];
            }
          }
          y.values[(f * y.h + i) * y.w + j] = sum;
        }
      }
    }
    return y;
  }
  function relu(x) {
    const y = maps(x.c, x.h, x.w);
    x.values.forEach((v, i) => (y.values[i] = Math.max(0, v)));
    return y;
  }
  function maxPool(x, size, stride) {
    const y = maps(x.c, Math.floor((x.h - size) / stride) + 1, Math.floor((x.w - size) / stride) + 1);
    for (let c = 0; c < x.c; c++) {
      for (let i = 0; i < y.h; i++) {
        for (let j = 0; j < y.w; j++) {
          let best = -Infinity;
          for (let u = 0; u < size; u++) for (let v = 0; v < size; v++) best = Math.max(best, at(x, c, i * stride + u, j * stride + v));
          y.values[(c * y.h + i) * y.w + j] = best;
        }
      }
    }
    return y;
  }
  // Channels last, as Keras: index (i*W + j)*C + c.
  function flatten(x) {
    const flat = new Float32Array(x.c * x.h * x.w);
    for (let i = 0; i < x.h; i++) for (let j = 0; j < x.w; j++) for (let c = 0; c < x.c; c++) flat[(i * x.w + j) * x.c + c] = at(x, c, i, j);
    return flat;
  }
  // z[o] = b[o] + sum_k flat[k] * kernel[k, o]
  function dense(flat, layer) {
    const [inputs, outputs] = layer.kernel.shape;
    if (flat.length !== inputs) throw new Error(layer.name + " expects " + inputs + " inputs, got " + flat.length);
    const z = new Float64Array(outputs);
    for (let o = 0; o < outputs; o++) {
      let sum = layer.bias[o];
      for (let k = 0; k < inputs; k++) sum += flat[k] * layer.kernel.values[k * outputs + o];
      z[o] = sum;
    }
    return Array.from(z, Math.fround);
  }
  // p_k = e^(z_k - max z) / sum_j e^(z_j - max z)
  function softmax(z) {
    const top = Math.max(...z);
    const exps = z.map((v) => Math.exp(v - top));
    const sum = exps.reduce((a, b) => a + b, 0);
    return { top, exps, sum, probabilities: exps.map((e) => e / sum) };
  }
  // Every layer's output for an input x [3, 64, 64].
  function forward(input) {
    const outputs = [];
    let x = input;
    let flat = null;
    let logits = null;
    for (const layer of network) {
      if (layer.type === "Conv2D") x = conv(x, layer);
      else if (layer.type === "Activation") x = relu(x);
      else if (layer.type === "MaxPooling2D") x = maxPool(x, layer.size, layer.stride);
      else if (layer.type === "Flatten") flat = flatten(x);
      else if (layer.type === "Dense") logits = dense(flat, layer);
      if (layer.type !== "Flatten" && layer.type !== "Dense") outputs.push({ layer, maps: x });
    }
    return { outputs, logits, ...softmax(logits) };
  }

  // ---- images ----

  // Bytes b of a [3, 64, 64] image as values b / 255, rounded to float32 as cnn-core does.
  function fromBytes(bytes) {
    const x = maps(3, SIZE, SIZE);
    bytes.forEach((b, i) => (x.values[i] = Math.fround(b / 255)));
    return x;
  }
  // Your photo, prepared as cnn-core and the site do: scale the short side to 65 pixels
  // (integer arithmetic), then cut out the central 64 x 64. The browser's canvas does the
  // scaling, so the pixels (and numbers) of a large photo differ a little from cnn-core's;
  // a 64 x 64 image is used as it is.
  async function fromFile(file) {
    const bitmap = await createImageBitmap(file, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
    const { width, height } = bitmap;
    let canvas = document.createElement("canvas");
    let left = 0;
    let top = 0;
    if (width === SIZE && height === SIZE) {
      canvas.width = canvas.height = SIZE;
      canvas.getContext("2d").drawImage(bitmap, 0, 0);
    } else {
      const shorter = Math.min(width, height);
      const scaledW = Math.floor((width * 65) / shorter);
      const scaledH = Math.floor((height * 65) / shorter);
      canvas.width = scaledW;
      canvas.height = scaledH;
      const context = canvas.getContext("2d");
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = "high";
      context.drawImage(bitmap, 0, 0, scaledW, scaledH);
      left = Math.floor(scaledW / 2) - SIZE / 2;
      top = Math.floor(scaledH / 2) - SIZE / 2;
    }
    const pixels = canvas.getContext("2d", { colorSpace: "srgb" }).getImageData(left, top, SIZE, SIZE).data;
    const bytes = new Uint8Array(3 * SIZE * SIZE);
    for (let i = 0; i < SIZE * SIZE; i++) for (let c = 0; c < 3; c++) bytes[c * SIZE * SIZE + i] = pixels[4 * i + c];
    return { bytes, width, height };
  }

  // An RGB [3, 64, 64] image on a canvas.
  function drawRgb(canvas, x, cell) {
    canvas.width = canvas.height = SIZE;
    const context = canvas.getContext("2d");
    const image = context.createImageData(SIZE, SIZE);
    for (let i = 0; i < SIZE * SIZE; i++) {
      for (let c = 0; c < 3; c++) image.data[4 * i + c] = Math.round(255 * x.values[c * SIZE * SIZE + i]);
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
    if (cell) canvas.style.width = canvas.style.height = SIZE * cell + "px";
  }

  // One map of a stack as rows, for drawing.
  function rowsOf(m, c) {
    return Array.from({ length: m.h }, (_, i) => Array.from({ length: m.w }, (_, j) => at(m, c, i, j)));
  }

  // ---- the page ----

  W.heading(
    element,
    W.t("Try it: the Tiny VGG explorer"),
    W.t(
      "Pick an image, or classify your own photo (it stays in your browser: this page reads and " +
        "classifies it, nothing is sent anywhere). Click a feature map (or focus it and press Enter) to " +
        "see how it was computed; point at the enlarged map, or focus it and use the arrow keys, to see " +
        "the dot product at that position."
    )
  );
  const byName = Object.fromEntries(samples.images.map((image) => [image.name, image]));
  const picker = W.make("div", { class: "widget-picker", role: "group", "aria-label": "sample images" });
  for (const name of samples.picker) {
    const thumbnail = W.make("canvas", { "aria-hidden": "true" });
    drawRgb(thumbnail, fromBytes(decodeBase64(byName[name].pixels)));
    picker.append(
      W.make("button", { type: "button", class: "widget-thumbnail", "data-image": name, "aria-label": name.replace("_", " "), onclick: () => choose(name) }, thumbnail)
    );
  }
  const others = samples.images.filter((image) => !samples.picker.includes(image.name));
  const more = W.select(
    W.t("more samples"),
    [["", "…"]].concat(others.map((image) => [image.name, image.name])),
    "",
    (v) => v && choose(v)
  );
  more.element.dataset.field = "more";
  const file = W.make("input", { type: "file", accept: "image/png,image/jpeg", "data-field": "photo" });
  file.addEventListener("change", () => file.files[0] && chooseFile(file.files[0]));
  const status = W.make("p", { class: "widget-note", "data-role": "status", "aria-live": "polite" });
  element.append(picker, W.make("div", { class: "widget-controls" }, more.label, W.make("label", {}, "your photo ", file)), status);

  const overview = W.make("div", { class: "widget-overview", "data-role": "overview" });
  const detail = W.make("div", { class: "widget-detail", "data-role": "detail" });
  const softmaxBox = W.make("div", { class: "widget-panel widget-scroll", "data-role": "softmax" });
  element.append(W.make("div", { class: "widget-scroll" }, overview), detail, softmaxBox);

  let current = null; // { name, input, result }
  let selected = { layer: 1, channel: 0 }; // index into [input, ...outputs]
  let position = [31, 31];

  function choose(name) {
    const sample = byName[name];
    run(name, fromBytes(decodeBase64(sample.pixels)));
    status.textContent = name + ": " + W.t(sample.picker ? "one of the ten images of CNN Explainer's picker" : "one of the other sample images");
  }
  async function chooseFile(photo) {
    try {
      const { bytes, width, height } = await fromFile(photo);
      run(W.t("your photo"), fromBytes(bytes));
      status.textContent =
        photo.name + ", " + width + " x " + height + W.t(width === SIZE && height === SIZE ? ": used as it is." : ": short side scaled to 65 pixels by the browser, centre 64 x 64 cut out.");
      element.cnnState.source = { width, height };
    } catch (error) {
      status.textContent = W.t("Could not read {name} as a PNG or JPEG image ({error}).", { name: photo.name, error: error.message });
    }
  }

  function run(name, input) {
    const result = forward(input);
    current = { name, input, result };
    element.querySelectorAll(".widget-thumbnail").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.image === name)));
    renderOverview();
    renderDetail();
    renderSoftmax();
    element.cnnState = {
      image: name,
      input: Array.from(input.values),
      logits: result.logits,
      probabilities: result.probabilities,
      layers: result.outputs.map(({ layer, maps: m }) => ({ name: layer.name, c: m.c, h: m.h, w: m.w, values: Array.from(m.values) })),
    };
    updateDetailState();
  }

  // Columns: the input, then every layer's maps, each a button.
  function stacks() {
    return [{ name: "input", type: "Input", maps: current.input }].concat(current.result.outputs.map(({ layer, maps: m }) => ({ name: layer.name, type: layer.type, layer, maps: m })));
  }
  function scaleOf(stack) {
    return stack.type === "Conv2D" ? "diverging" : "sequential";
  }
  function rangeOf(stack) {
    let low = Infinity;
    let high = -Infinity;
    for (const v of stack.maps.values) (low = Math.min(low, v)), (high = Math.max(high, v));
    return stack.type === "Input" ? { low: 0, high: 1 } : { low: Math.min(0, low), high };
  }

  function renderOverview() {
    const columns = stacks().map((stack, index) => {
      const range = rangeOf(stack);
      const buttons = [];
      for (let c = 0; c < stack.maps.c; c++) {
        const canvas = W.make("canvas", { "aria-hidden": "true" });
        W.drawMap(canvas, rowsOf(stack.maps, c), { cell: 1, scale: scaleOf(stack), low: range.low, high: range.high, grey: stack.type === "Input" });
        const isSelected = selected.layer === index && selected.channel === c;
        buttons.push(
          W.make("button", {
            type: "button",
            class: "widget-map-button" + (isSelected ? " widget-current" : ""),
            "data-layer": stack.name,
            "data-channel": c,
            "aria-label": W.t("{layer} channel {c}", { layer: stack.name, c }),
            "aria-pressed": String(isSelected),
            onclick: () => {
              selected = { layer: index, channel: c };
              const size = stack.maps.h;
              position = [Math.min(position[0], size - 1), Math.min(position[1], size - 1)];
              renderOverview();
              renderDetail();
              element.querySelector('.widget-map-button[data-layer="' + stack.name + '"][data-channel="' + c + '"]').focus();
            },
          }, canvas)
        );
      }
      return W.make("div", { class: "widget-column" }, W.make("p", { class: "widget-caption" }, stack.name, W.make("br"), stack.maps.h + "×" + stack.maps.w), ...buttons);
    });
    const top = current.result.probabilities.indexOf(Math.max(...current.result.probabilities));
    const bars = W.make(
      "div",
      { class: "widget-column widget-bars" },
      W.make("p", { class: "widget-caption" }, W.t("probabilities")),
      ...samples.classes.map((name, k) => {
        const p = current.result.probabilities[k];
        return W.make(
          "div",
          { class: "widget-bar" + (k === top ? " widget-top" : ""), "data-class": k, "data-value": p },
          W.make("span", { class: "widget-bar-fill", style: "width:" + (100 * p).toFixed(1) + "%" }),
          W.make("span", { class: "widget-bar-label" }, name + " " + (100 * p).toFixed(1) + "%")
        );
      })
    );
    overview.replaceChildren(...columns, bars);
  }

  // The selected map, enlarged, with what it is computed from at `position`.
  function renderDetail() {
    const all = stacks();
    const stack = all[selected.layer];
    const c = selected.channel;
    const [i, j] = position;
    const cell = Math.max(3, Math.floor(256 / stack.maps.h));
    const big = W.make("canvas", { class: "widget-map widget-focusable", tabindex: 0, "data-role": "enlarged", "aria-label": W.t("{layer} channel {c}, enlarged; arrow keys move the position", { layer: stack.name, c }) });
    const range = rangeOf(stack);
    W.drawMap(big, rowsOf(stack.maps, c), { cell, scale: scaleOf(stack), low: range.low, high: range.high, grey: stack.type === "Input" });
    const mark = (canvas, size, row, col, span, scale) => {
      const context = canvas.getContext("2d");
      context.strokeStyle = "#ff00ff";
      context.lineWidth = 2;
      context.strokeRect(col * scale + 1, row * scale + 1, span * scale - 2, span * scale - 2);
    };
    mark(big, stack.maps.h, i, j, 1, cell);
    const pick = (event) => {
      const rect = big.getBoundingClientRect();
      const r = Math.floor(((event.clientY - rect.top) / rect.height) * stack.maps.h);
      const q = Math.floor(((event.clientX - rect.left) / rect.width) * stack.maps.w);
      if (r >= 0 && q >= 0 && r < stack.maps.h && q < stack.maps.w && (r !== position[0] || q !== position[1])) {
        position = [r, q];
        renderDetail();
      }
    };
    big.addEventListener("mousemove", pick);
    big.addEventListener("click", pick);
    big.addEventListener("keydown", (event) => {
      const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
      if (!moves[event.key]) return;
      event.preventDefault();
      event.stopPropagation(); // mdBook turns the page on the arrow keys
      position = [Math.max(0, Math.min(stack.maps.h - 1, i + moves[event.key][0])), Math.max(0, Math.min(stack.maps.w - 1, j + moves[event.key][1]))];
      renderDetail();
      detail.querySelector('[data-role="enlarged"]').focus();
    });
    const value = at(stack.maps, c, i, j);
    const parts = [
      W.make("div", { class: "widget-panel" }, W.make("p", { class: "widget-caption" }, stack.name + ", channel " + c + ", at (" + i + ", " + j + ")"), big),
    ];
    const explanation = W.make("div", { class: "widget-panel widget-wide widget-scroll", "aria-live": "polite" });
    const previous = all[selected.layer - 1];
    if (stack.type === "Conv2D") {
      const [kh, kw, channels] = stack.layer.kernel.shape;
      const filters = stack.layer.kernel.shape[3];
      const weight = (u, v, ch) => stack.layer.kernel.values[((u * kw + v) * channels + ch) * filters + c];
      const rows = [];
      let total = stack.layer.bias[c];
      const inputs = W.make("div", { class: "widget-inputs" });
      for (let ch = 0; ch < channels; ch++) {
        let partial = 0;
        for (let u = 0; u < kh; u++) for (let v = 0; v < kw; v++) partial += at(previous.maps, ch, i + u, j + v) * weight(u, v, ch);
        total += partial;
        const small = W.make("canvas", { class: "widget-map" });
        const scale = Math.max(1, Math.floor(96 / previous.maps.h));
        const prange = rangeOf(previous);
        W.drawMap(small, rowsOf(previous.maps, ch), { cell: scale, scale: scaleOf(previous), low: prange.low, high: prange.high, grey: previous.type === "Input" });
        mark(small, previous.maps.h, i, j, kh, scale);
        inputs.append(W.make("figure", {}, small, W.make("figcaption", {}, previous.name + " " + ch)));
        rows.push(
          W.make(
            "tr",
            {},
            W.make("td", {}, String(ch)),
            W.make("td", {}, W.grid(kh, kw, (u, v) => W.format(at(previous.maps, ch, i + u, j + v), 3), null, { class: "widget-grid widget-small" })),
            W.make("td", {}, W.grid(kh, kw, (u, v) => W.format(weight(u, v, ch), 3), null, { class: "widget-grid widget-small" })),
            W.make("td", { class: "widget-number" }, W.format(partial, 4))
          )
        );
      }
      explanation.append(
        W.make("p", {}, W.t("y = b + Σ over channels c and the 3 × 3 window of x · w. Input windows, kernels of filter {c} and their dot products:", { c })),
        inputs,
        W.make("table", { class: "widget-table" }, W.make("tr", {}, ...["channel", "window x", "kernel w", "Σ x·w"].map((h) => W.make("th", {}, W.t(h)))), ...rows),
        W.make("p", { class: "widget-sum", "data-role": "sum", "data-value": total }, W.t("sum of the {count} products + bias {bias} = {total}", { count: channels * kh * kw, bias: W.format(stack.layer.bias[c], 4), total: W.format(total, 4) }))
      );
    } else if (stack.type === "Activation") {
      const x = at(previous.maps, c, i, j);
      explanation.append(W.make("p", { class: "widget-sum", "data-role": "sum", "data-value": Math.max(0, x) }, W.t("ReLU: max(0, {x}) = {y} (the value of {layer} at the same position)", { x: W.format(x, 4), y: W.format(Math.max(0, x), 4), layer: previous.name })));
    } else if (stack.type === "MaxPooling2D") {
      const s = stack.layer.stride;
      const size = stack.layer.size;
      const window = W.grid(size, size, (u, v) => W.format(at(previous.maps, c, i * s + u, j * s + v), 4), null, { class: "widget-grid widget-small" });
      let best = -Infinity;
      for (let u = 0; u < size; u++) for (let v = 0; v < size; v++) best = Math.max(best, at(previous.maps, c, i * s + u, j * s + v));
      explanation.append(W.make("p", {}, W.t("Max pooling: the {size} × {size} window of {layer} at rows {top}–{bottom}, columns {left}–{right}:", { size, layer: previous.name, top: i * s, bottom: i * s + size - 1, left: j * s, right: j * s + size - 1 })), window, W.make("p", { class: "widget-sum", "data-role": "sum", "data-value": best }, "max = " + W.format(best, 4)));
    } else {
      explanation.append(W.make("p", { class: "widget-sum", "data-role": "sum", "data-value": value }, W.t("Input channel {channel}: the pixel's byte divided by 255 = {value}", { channel: "RGB"[c], value: W.format(value, 4) })));
    }
    parts.push(explanation);
    detail.replaceChildren(...parts);
    updateDetailState();
  }

  function updateDetailState() {
    if (!element.cnnState || !current) return;
    const stack = stacks()[selected.layer];
    const sum = detail.querySelector('[data-role="sum"]');
    element.cnnState.detail = {
      layer: stack.name,
      channel: selected.channel,
      row: position[0],
      column: position[1],
      value: at(stack.maps, selected.channel, position[0], position[1]),
      sum: sum ? Number(sum.dataset.value) : null,
    };
  }

  function renderSoftmax() {
    const { logits, top, exps, sum, probabilities } = current.result;
    const rows = samples.classes.map((name, k) =>
      W.make(
        "tr",
        { "data-class": k },
        W.make("td", {}, name),
        W.make("td", { class: "widget-number" }, W.format(logits[k], 4)),
        W.make("td", { class: "widget-number" }, W.format(logits[k] - top, 4)),
        W.make("td", { class: "widget-number" }, W.format(exps[k], 5)),
        W.make("td", { class: "widget-number", "data-value": probabilities[k] }, W.format(probabilities[k], 5))
      )
    );
    softmaxBox.replaceChildren(
      W.make("p", { class: "widget-caption" }, W.t("softmax: p = e^(z − max z) / Σ e^(z − max z), with max z = {top}", { top: W.format(top, 4) })),
      W.make(
        "table",
        { class: "widget-table" },
        W.make("tr", {}, ...["class", "logit z", "z − max z", "e^(z − max z)", "p"].map((h) => W.make("th", {}, W.t(h)))),
        ...rows,
        W.make("tr", {}, W.make("td", {}, "sum"), W.make("td"), W.make("td"), W.make("td", { class: "widget-number" }, W.format(sum, 5)), W.make("td", { class: "widget-number" }, "1"))
      )
    );
  }

  element.append(
    W.make(
      "p",
      { class: "widget-note" },
      W.t("Weights: CNN Explainer's trained Tiny VGG (Wang et al., 2020), MIT license ("),
      W.make("a", { href: new URL("generated/widgets/cnn-explainer-LICENSE.txt", W.root).href }, W.t("license")),
      W.t("), computed in this page.")
    )
  );
  choose("espresso_1");
});
