// Chapter 3: pooling. Max or average, window and stride, on the lecture's feature maps
// and on the edge map of a photo, with a shift control that measures how much the
// pooled map changes when the camera moves.
//
// max:  y[i, j] = max over u, v < k of x[i*s + u, j*s + v]
// mean: y[i, j] = (1 / k^2) * sum over u, v < k of x[i*s + u, j*s + v]

"use strict";

CnnWidgets.register("pooling", async function (element) {
  const W = CnnWidgets;
  const data = await W.load("pooling");
  const state = { source: "0", kind: "max", kernel: 2, stride: 2, shift: 0, selected: [0, 0] };
  const photo = greyPhoto();

  // The photo crop's RGB bytes [3, rows, columns] as grey values, computed in float32 as
  // cnn-core's to_grayscale: 0.299 R + 0.587 G + 0.114 B, with R = byte / 255.
  function greyPhoto() {
    const f = Math.fround;
    const binary = atob(data.photo);
    const rows = data.photo_rows;
    const columns = data.photo_columns;
    const channel = (c, i, j) => f(binary.charCodeAt((c * rows + i) * columns + j) / 255);
    return Array.from({ length: rows }, (_, i) =>
      Array.from({ length: columns }, (_, j) =>
        f(f(f(channel(0, i, j) * f(0.299)) + f(channel(1, i, j) * f(0.587))) + f(channel(2, i, j) * f(0.114)))
      )
    );
  }

  // ---- the arithmetic ----

  function pool(map, kind, k, s) {
    const h = map.length;
    const w = map[0].length;
    if (k > h || k > w) return null;
    const oh = Math.floor((h - k) / s) + 1;
    const ow = Math.floor((w - k) / s) + 1;
    const out = [];
    for (let i = 0; i < oh; i++) {
      const row = [];
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        let sum = 0;
        for (let u = 0; u < k; u++) {
          for (let v = 0; v < k; v++) {
            const x = map[i * s + u][j * s + v];
            best = Math.max(best, x);
            sum += x;
          }
        }
        row.push(kind === "max" ? best : sum / (k * k));
      }
      out.push(row);
    }
    return out;
  }
  // The photo's view with the camera moved `shift` pixels left (the scene moves right).
  function view(shift) {
    const left = data.max_shift - shift;
    return photo.map((row) => row.slice(left, left + row.length - data.max_shift));
  }
  // Vertical edges: the Sobel kernel, then ReLU (as chapter 3's example).
  function edges(image) {
    const kernel = data.edge_kernel;
    const out = [];
    for (let i = 0; i + 3 <= image.length; i++) {
      const row = [];
      for (let j = 0; j + 3 <= image[0].length; j++) {
        let sum = 0;
        for (let u = 0; u < 3; u++) for (let v = 0; v < 3; v++) sum += image[i + u][j + v] * kernel[u][v];
        row.push(Math.max(0, sum));
      }
      out.push(row);
    }
    return out;
  }
  // ||a - b|| / ||a||
  function relativeChange(a, b) {
    let difference = 0;
    let size = 0;
    a.forEach((row, i) =>
      row.forEach((x, j) => {
        difference += (b[i][j] - x) ** 2;
        size += x * x;
      })
    );
    return Math.sqrt(difference) / Math.sqrt(size);
  }

  // ---- the page ----

  W.heading(
    element,
    W.t("Try it: pooling"),
    W.t(
      "Choose the map, max or average, the window and the stride. On the lecture maps, click an " +
        "output value (or focus it and press Enter) to see its window. On the photo, move the shift " +
        "slider to move the camera and see how much the pooled map changes."
    )
  );
  const source = W.select(
    W.t("map"),
    [
      ["0", W.t("lecture, filter 1 (diagonal)")],
      ["1", W.t("lecture, filter 2 (vertical)")],
      ["photo", W.t("photo: vertical edges")],
    ],
    state.source,
    (v) => {
      state.source = v;
      if (v === "photo" && state.kernel > 1 && ![2, 3, 4, 8].includes(state.kernel)) state.kernel = 2;
      if (v !== "photo" && state.kernel > 4) state.kernel = 2;
      state.stride = Math.min(state.stride, v === "photo" ? 8 : 4);
      state.selected = [0, 0];
      build();
    }
  );
  const kind = W.select(W.t("pooling"), [["max", W.t("max")], ["avg", W.t("average")]], state.kind, (v) => {
    state.kind = v;
    render();
  });
  const controls = W.make("div", { class: "widget-controls" }, source.label, kind.label);
  const sizeControls = W.make("div", { class: "widget-controls" });
  element.append(controls, sizeControls);
  const body = W.make("div", { class: "widget-row" });
  const note = W.make("p", { class: "widget-note", "aria-live": "polite", "data-role": "note" });
  element.append(body, note);

  // The window and stride choices depend on the map; rebuilt when it changes.
  function build() {
    const onPhoto = state.source === "photo";
    const sizes = onPhoto ? [1, 2, 3, 4, 8] : [1, 2, 3, 4];
    const kernel = W.select(W.t("window k"), sizes.map((k) => [k, k + " x " + k]), state.kernel, (v) => {
      state.kernel = Number(v);
      state.selected = [0, 0];
      render();
    });
    const stride = W.select(W.t("stride s"), sizes.map((s) => [s, s]), state.stride, (v) => {
      state.stride = Number(v);
      state.selected = [0, 0];
      render();
    });
    kernel.element.dataset.field = "kernel";
    stride.element.dataset.field = "stride";
    const parts = [kernel.label, stride.label];
    if (onPhoto) {
      const shift = W.make("input", {
        type: "range",
        min: 0,
        max: data.max_shift,
        step: 1,
        value: state.shift,
        "data-field": "shift",
        "aria-label": W.t("camera shift in pixels"),
        oninput: () => {
          state.shift = Number(shift.value);
          render();
        },
      });
      parts.push(W.make("label", {}, "shift ", shift, W.make("span", { "data-role": "shift" }, " " + state.shift + " px")));
    }
    sizeControls.replaceChildren(...parts);
    render();
  }

  function render() {
    if (state.source === "photo") renderPhoto();
    else renderLecture();
  }

  function renderLecture() {
    const map = data.lecture_maps[Number(state.source)];
    const pooled = pool(map, state.kind, state.kernel, state.stride);
    if (!pooled) {
      body.replaceChildren();
      note.textContent = W.t("A {k} x {k} window does not fit the 4 x 4 map.", { k: state.kernel });
      return;
    }
    const [si, sj] = [Math.min(state.selected[0], pooled.length - 1), Math.min(state.selected[1], pooled[0].length - 1)];
    const top = si * state.stride;
    const left = sj * state.stride;
    const k = state.kernel;
    const input = W.grid(4, 4, (r, c) => W.format(map[r][c]), (td, r, c) => {
      if (r >= top && r < top + k && c >= left && c < left + k) td.classList.add("widget-window");
      const rgb = W.color(map[r][c], -3, 3, "diverging");
      td.style.background = "rgb(" + rgb.join(",") + ")";
      td.style.color = Math.abs(map[r][c]) >= 2 ? "#fff" : "#000"; // readable on dark cells
    });
    const output = W.grid(pooled.length, pooled[0].length, (r, c) => W.format(pooled[r][c]), (td, r, c) => {
      td.dataset.value = pooled[r][c];
      td.dataset.row = r;
      td.dataset.col = c;
      td.tabIndex = 0;
      td.classList.add("widget-clickable");
      if (r === si && c === sj) td.classList.add("widget-current");
      const choose = () => {
        state.selected = [r, c];
        render();
        element.querySelector('[data-role="output"] td[data-row="' + r + '"][data-col="' + c + '"]').focus();
      };
      td.addEventListener("click", choose);
      td.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          event.stopPropagation();
          choose();
        }
      });
    }, { "data-role": "output" });
    const windowValues = [];
    for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) windowValues.push(map[top + u][left + v]);
    body.replaceChildren(
      W.make("div", { class: "widget-panel" }, W.make("p", { class: "widget-caption" }, W.t("feature map, 4 x 4")), input),
      W.make("div", { class: "widget-panel" }, W.make("p", { class: "widget-caption" }, W.t(state.kind === "max" ? "max pooled, {h} x {w}" : "average pooled, {h} x {w}", { h: pooled.length, w: pooled[0].length })), output)
    );
    note.textContent =
      "y[" + si + ", " + sj + "] = " + (state.kind === "max" ? "max" : "mean") + "(" +
      windowValues.map((v) => W.format(v)).join(", ") + ") = " + W.format(pooled[si][sj]);
    element.cnnState = { source: state.source, kind: state.kind, kernel: k, stride: state.stride, pooled };
  }

  function renderPhoto() {
    const k = state.kernel;
    const s = state.stride;
    const before = pool(edges(view(0)), state.kind, k, s);
    const shiftedEdges = edges(view(state.shift));
    const after = pool(shiftedEdges, state.kind, k, s);
    const change = relativeChange(before, after);
    const noPooling = relativeChange(edges(view(0)), shiftedEdges);
    const photoCanvas = W.make("canvas", { class: "widget-map", "aria-label": W.t("the photo, moved by {shift} px", { shift: state.shift }) });
    const edgeCanvas = W.make("canvas", { class: "widget-map", "aria-label": W.t("its vertical edges") });
    const pooledCanvas = W.make("canvas", { class: "widget-map", "aria-label": W.t("the pooled edge map") });
    W.drawMap(photoCanvas, view(state.shift), { cell: 2, grey: true });
    const range = W.drawMap(edgeCanvas, shiftedEdges, { cell: 2, scale: "sequential", low: 0 });
    const side = 2 * shiftedEdges.length;
    W.drawMap(pooledCanvas, after, { cell: side / after.length, scale: "sequential", low: 0, high: range.high });
    body.replaceChildren(
      W.make("div", { class: "widget-panel" }, W.make("p", { class: "widget-caption" }, W.t("photo, moved {shift} px", { shift: state.shift })), photoCanvas),
      W.make("div", { class: "widget-panel" }, W.make("p", { class: "widget-caption" }, W.t("vertical edges, {n} x {n}", { n: shiftedEdges.length })), edgeCanvas),
      W.make("div", { class: "widget-panel" }, W.make("p", { class: "widget-caption" }, W.t(state.kind === "max" ? "max pooled, {h} x {w}" : "average pooled, {h} x {w}", { h: after.length, w: after.length })), pooledCanvas)
    );
    const shiftLabel = element.querySelector('[data-role="shift"]');
    if (shiftLabel) shiftLabel.textContent = " " + state.shift + " px";
    note.replaceChildren(
      W.t("Change of the pooled map after a {shift} px shift, ‖after − before‖ / ‖before‖ = ", { shift: state.shift }),
      W.make("strong", { "data-role": "change", "data-value": change }, W.format(change, 2)),
      W.t(" (without pooling: {change}). 0 is unchanged; 1 is as far as an all-zero map.", { change: W.format(noPooling, 2) })
    );
    element.cnnState = { source: "photo", kind: state.kind, kernel: k, stride: s, shift: state.shift, edges: edges(view(0)), pooled: after, before, change, noPooling };
  }

  build();
});
